package uk.co.lchat.node.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import uk.co.lchat.metrics.BridgeStatistics;
import uk.co.lchat.node.TestNodes;
import uk.co.lchat.node.browser.Chromium;

/**
 * Two Chromium participants in one room, the node's GET /stats and GET /metrics, and Debian's real Prometheus
 * server scraping the node: every metric the Grafana dashboard queries must return a series.
 */
class MetricsIT extends uk.co.lchat.node.browser.SingleNodeBrowserTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path DASHBOARD = Path.of("..", "k8s", "grafana", "lchat-dashboard.json");

  private Chromium.Page join(String room, String name) throws Exception {
    Chromium.Page page = chromium.open("http://127.0.0.1:" + node.httpPort() + "/e2e/call.html?room=" + room
        + "&name=" + name);
    page.waitFor("window.lchatTest && (window.lchatTest.published === true || window.lchatTest.errors.length > 0)",
        Duration.ofSeconds(30));
    return page;
  }

  private static JsonNode stats(String query) throws Exception {
    return TestNodes.getJson(node.httpPort(), "/stats" + query);
  }

  private static <T> T until(Callable<T> probe, java.util.function.Predicate<T> ok, Duration limit, String what)
      throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    T last = probe.call();
    while (!ok.test(last)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what + "; last: " + last);
      }
      Thread.sleep(250);
      last = probe.call();
    }
    return last;
  }

  @Test
  void statsAndPrometheusShowTwoParticipantsTraffic() throws Exception {
    Process prometheus = null;
    try (Chromium.Page alice = join("metrics-room", "Alice"); Chromium.Page bob = join("metrics-room", "Bob")) {
      alice.waitFor("lchatStats().then(s => s.framesDecoded > 30)", Duration.ofSeconds(60));
      // RTT needs a receiver report that answers one of our sender reports (once a second each way).
      JsonNode s = until(() -> stats(""), n -> n.path("participants").asInt() == 2
              && n.path("bit_rate_download").asDouble() > 0 && n.path("bit_rate_upload").asDouble() > 0
              && n.path("rtt_aggregate").asDouble() > 0 && n.path("videostreams").asInt() >= 2
              // the rate window (5 s) fills while media starts: wait for steady flow both ways
              && n.path("packet_rate_download").asDouble() > 50 && n.path("packet_rate_upload").asDouble() > 50,
          Duration.ofSeconds(30), "stats under traffic");
      for (String key : BridgeStatistics.KEYS) {
        assertTrue(s.has(key), "GET /stats has " + key + ": " + s);
      }
      assertEquals(1, s.path("conferences").asInt());
      assertEquals(2, s.path("largest_conference").asInt());
      assertEquals(1, s.path("conference_sizes").get(2).asInt(), "one conference of two: " + s);
      assertEquals(BridgeStatistics.SIZE_BUCKETS, s.path("conference_sizes").size());
      assertTrue(s.path("packet_rate_download").asDouble() > 50, s.toString());
      assertTrue(s.path("packet_rate_upload").asDouble() > 50, s.toString());
      assertTrue(s.path("rtt_aggregate").asDouble() < 1000, "loopback RTT in ms: " + s);
      assertTrue(s.path("audiochannels").asInt() >= 4, "2 published + 2 received audio: " + s);
      assertTrue(s.path("videochannels").asInt() >= 4, s.toString());
      assertTrue(s.path("total_ice_succeeded_udp").asInt() >= 4, s.toString());
      assertTrue(s.path("total_colibri_web_socket_messages_received").asInt() >= 4, s.toString());
      assertTrue(s.path("threads").asInt() > 10, s.toString());
      assertTrue(s.path("loss_rate_download").asDouble() < 0.05, "loopback loses (almost) nothing: " + s);
      assertTrue(s.path("stress_level").asDouble() > 0, s.toString());
      JsonNode cluster = stats("?scope=cluster");
      assertEquals(1, cluster.path("node_count").asInt(), cluster.toString());
      assertEquals(2, cluster.path("participants").asInt(), cluster.toString());
      assertEquals(400, TestNodes.get(node.httpPort(), "/stats?scope=galaxy").statusCode());

      prometheus = startPrometheus();
      int promPort = prometheusPort;
      until(() -> query(promPort, "up"), r -> r.size() == 1 && r.get(0).path("value").get(1).asText().equals("1"),
          Duration.ofSeconds(60), "Prometheus scrapes the node");
      Set<String> names = dashboardMetricNames();
      assertTrue(names.size() > 20, "the dashboard queries our metrics: " + names);
      // The autoscaler's series come from the node that runs it, and this one does not (AutoscalerTest checks
      // them). Some series start with their first event (the rebalancer's first decision): wait for them.
      names.removeIf(n -> n.startsWith("lchat_autoscaler_"));
      List<String> missing = until(() -> {
        List<String> without = new ArrayList<>();
        for (String name : names) {
          if (query(promPort, name).isEmpty()) {
            without.add(name);
          }
        }
        return without;
      }, List::isEmpty, Duration.ofSeconds(30), "every dashboard metric to have a series in Prometheus");
      assertTrue(missing.isEmpty(), "dashboard metrics without a series in Prometheus: " + missing);
      // Rates computed by Prometheus from our counters are above zero while media flows.
      JsonNode rate = until(() -> query(promPort, "rate(lchat_received_bytes_total[5s]) > 0"), r -> !r.isEmpty(),
          Duration.ofSeconds(30), "a positive received-bytes rate");
      assertTrue(rate.get(0).path("value").get(1).asDouble() > 1000, rate.toString());
      until(() -> query(promPort, "lchat_rtt_seconds_count > 0"), r -> !r.isEmpty(), Duration.ofSeconds(30),
          "RTT observations in the histogram");
      // Leaving the page closes its signaling socket: the participant leaves.
      alice.eval("location.href = 'about:blank'");
      bob.eval("location.href = 'about:blank'");
    } finally {
      if (prometheus != null) {
        prometheus.destroy();
        prometheus.waitFor();
      }
    }
    // Both left: the conference ended, with its lifetime counted and its media connected.
    JsonNode after = until(() -> stats(""), n -> n.path("participants").asInt() == 0
        && n.path("total_conference_seconds").asInt() >= 1, Duration.ofSeconds(30), "the conference to end");
    assertEquals(0, after.path("total_failed_conferences").asInt(), after.toString());
    assertTrue(after.path("total_conferences_created").asInt() >= 1);
  }

  private static int prometheusPort;

  private static Process startPrometheus() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "prometheus"));
    prometheusPort = freePort();
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(config, String.join("\n",
        "global:", "  scrape_interval: 1s", "  evaluation_interval: 1s",
        "scrape_configs:", "  - job_name: lchat", "    static_configs:",
        "      - targets: ['127.0.0.1:" + node.metricsPort() + "']", ""));
    Path data = dir.resolve("data-" + System.nanoTime());
    Process p = new ProcessBuilder(prometheusBinary(), "--config.file=" + config.toAbsolutePath(),
        "--storage.tsdb.path=" + data.toAbsolutePath(), "--web.listen-address=127.0.0.1:" + prometheusPort)
        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    until(() -> {
      try {
        return TestNodes.get(prometheusPort, "/-/ready").statusCode();
      } catch (IOException e) {
        return 0;
      }
    }, code -> code == 200, Duration.ofSeconds(60), "Prometheus to be ready");
    return p;
  }

  private static String prometheusBinary() {
    for (String candidate : List.of("/usr/bin/prometheus", "/usr/local/bin/prometheus")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    throw new AssertionError("Debian's prometheus must be installed (.ci/run installs it)");
  }

  private static JsonNode query(int port, String promql) throws Exception {
    JsonNode r = TestNodes.getJson(port, "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    assertEquals("success", r.path("status").asText(), promql + " -> " + r);
    return r.path("data").path("result");
  }

  /** Every metric name the dashboard's queries use. */
  static Set<String> dashboardMetricNames() throws IOException {
    JsonNode dashboard = JSON.readTree(DASHBOARD.toFile());
    Pattern name = Pattern.compile("\\b((?:lchat|jvm|process)_[a-z_]+)\\b");
    Set<String> names = new TreeSet<>();
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        Matcher m = name.matcher(target.path("expr").asText());
        while (m.find()) {
          names.add(m.group(1));
        }
      }
    }
    return names;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
