package uk.co.lchat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;

import uk.co.lchat.node.LchatNode;

/** Each scenario for a few seconds against a real node: packets flow, and the result and report are written. */
class LoadToolSmokeIT {
  private static LchatNode node;

  @BeforeAll
  static void start() throws Exception {
    node = LchatNode.start(ConfigFactory.parseMap(Map.of("lchat.http.port", 0, "lchat.media.port", 0,
        "lchat.cluster.remote-port", 0, "lchat.cluster.seeds", List.of())));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"fanout --participants 4", "rooms --rooms 2 --participants 3",
      "large --participants 12 --talkers 2 --video-talkers 2 --last-n 1",
      "churn --participants 4 --churn-every 1000ms"})
  void scenarioRunsAndWritesItsResults(String scenario) throws Exception {
    Path out = Path.of("target", "load-smoke", scenario.split(" ")[0]);
    String[] args = ("--url http://127.0.0.1:" + node.httpPort() + " --duration 4s --out " + out
        + " --scenario " + scenario).split(" ");
    JsonNode result = new LoadTest(LoadTest.Options.parse(args), System.out).run();
    JsonNode summary = result.path("summary");
    assertTrue(summary.path("packetsReceived").asLong() > 100, "media reached the receivers: " + summary);
    assertTrue(summary.path("loss").asDouble() < 0.2, "a loopback run loses little: " + summary);
    assertTrue(summary.path("delayP50ms").asDouble() > 0, "delays were measured: " + summary);
    assertEquals(4, result.path("series").size());
    JsonNode window = result.path("window");
    long inWindow = window.path("packetsReceived").asLong();
    assertTrue(inWindow > 0 && inWindow <= summary.path("packetsReceived").asLong(),
        "without a warm-up the window is the whole run but the last packets still in flight: " + window);
    assertTrue(window.path("nodes").get(0).path("cpuSeconds").asDouble() > 0
        && window.path("nodesCpuMicrosPerReceivedPacket").asDouble() > 0, "the node's own CPU from its /metrics: "
        + window);
    assertTrue(window.path("toolCpuMicrosPerReceivedPacket").asDouble() > 0, "the tool's own CPU: " + window);
    JsonNode saved = LoadTest.JSON_READER.readTree(Files.readString(out.resolve("result.json")));
    assertEquals(summary.path("packetsReceived").asLong(), saved.path("summary").path("packetsReceived").asLong());
    assertEquals(4, saved.path("series").size());
    String report = Files.readString(out.resolve("report.html"));
    assertTrue(report.contains("<svg") && report.contains("One-way delay"), "the report has its plots");
    assertTrue(node.mediaRouter().counters().transportFeedbackSent() > 0,
        "the publishers send transport-wide sequence numbers and get transport-cc feedback");
    if (scenario.startsWith("large")) {
      assertEquals(1, saved.path("options").path("lastN").asInt());
      assertEquals(1, saved.path("options").path("roomsWithLastNSet").asInt(), "set by the room's moderator");
      assertEquals(0, summary.path("signalingFailures").asInt(), summary.toString());
    }
    if (scenario.startsWith("churn")) {
      assertTrue(summary.path("churned").asInt() >= 2, "receivers left and joined: " + summary);
    }
  }
}
