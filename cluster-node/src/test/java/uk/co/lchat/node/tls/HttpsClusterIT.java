package uk.co.lchat.node.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestCertificates;
import uk.co.lchat.node.TestNodes;
import uk.co.lchat.node.browser.Chromium;
import uk.co.lchat.node.browser.MeetingPages;
import uk.co.lchat.node.tls.TestPem.KeyForm;

/**
 * A cluster of two nodes, everything over TLS: each node serves HTTPS and WSS with a certificate of its own from
 * one CA, and cluster remoting (which carries the relay links' SRTP keys) runs over mutually authenticated TLS. A
 * Chromium that trusts the CA opens the meeting on one node, another page opens it on the other node: each signals
 * over WSS to its own node, its media goes to its own node's router, and the two meet across the relay between the
 * routers. The fail-over list each connection's {@code hello} gives names the other node's {@code wss://} URL, and
 * that node takes a WSS handshake from a page of the first node's HTTPS origin.
 */
class HttpsClusterIT {
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<LchatNode> nodes = new ArrayList<>();
  private static SSLContext client;
  private static Chromium chromium;

  @BeforeAll
  static void start() throws Exception {
    assertTrue(Chromium.available(), "Debian's chromium must be installed (bin/lchat test installs it)");
    Path dir = Files.createTempDirectory("lchat-https-cluster");
    TestPem.Authority web = TestPem.Authority.create("HttpsClusterIT web CA");
    client = web.trustingClient();
    Path caFile = dir.resolve("web-ca.crt");
    web.writeCertificate(caFile);
    TestCertificates.Authority remoting = TestCertificates.Authority.create("HttpsClusterIT remoting CA");
    List<Config> perNode = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Path node = dir.resolve("node" + i);
      Files.createDirectories(node);
      web.issue(TestPem.ec()).write(node.resolve("cert.pem"), node.resolve("key.pem"), KeyForm.PKCS8);
      Map<String, Object> https = new HashMap<>();
      https.put("lchat.http.tls.enabled", true);
      https.put("lchat.http.tls.certificate", node.resolve("cert.pem").toString());
      https.put("lchat.http.tls.private-key", node.resolve("key.pem").toString());
      // The media crosses the routers, not a direct call between the two browsers.
      https.put("lchat.room.features.p2p", false);
      perNode.add(ConfigFactory.parseMap(https)
          .withFallback(remoting.issue(node.resolve("remoting"), "lchat-cluster").config()));
    }
    int[] next = {0};
    nodes.addAll(TestNodes.cluster(2, seeds -> perNode.get(next[0]++).withFallback(TestNodes.config(0, seeds))));
    chromium = Chromium.launch(Chromium.Options.defaults().trusting(caFile));
  }

  @AfterAll
  static void stop() throws Exception {
    if (chromium != null) {
      chromium.close();
    }
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
  }

  private static String base(LchatNode node) {
    return "https://127.0.0.1:" + node.httpPort();
  }

  @Test
  void theNodesRunTlsBetweenThemselvesAndTowardsBrowsers() {
    for (LchatNode node : nodes) {
      assertTrue(node.certificate() != null, "HTTPS on the HTTP port");
      assertEquals("tls-tcp", node.system().settings().config().getString("pekko.remote.artery.transport"));
    }
  }

  @Test
  void helloNamesTheOtherNodeOverWssAndItTakesThisNodesPages() throws Exception {
    String other = "wss://127.0.0.1:" + nodes.get(1).httpPort() + "/ws";
    long deadline = System.nanoTime() + WAIT.toNanos();
    JsonNode hello;
    do {
      hello = firstMessage(nodes.get(0), base(nodes.get(0)));
    } while (!hello.get("nodes").toString().contains(other) && System.nanoTime() < deadline && pause());
    assertEquals(List.of(other), JSON.convertValue(hello.get("nodes"), List.class),
        "the fail-over list gives the other node's secure URL: " + hello);
    // A page loaded from node 0 fails over to node 1 with its origin, https://127.0.0.1:<node 0's port>: node 1
    // trusts it once its directory of nodes has heard node 0's address (a refused handshake throws).
    JsonNode failedOver = null;
    while (failedOver == null) {
      try {
        failedOver = firstMessage(nodes.get(1), base(nodes.get(0)));
      } catch (Exception refused) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("node 1 never took a page of node 0's https origin", refused);
        }
        pause();
      }
    }
    assertEquals("hello", failedOver.get("type").asText());
  }

  @Test
  void pagesOnTheTwoNodesMeetOverWssAndSeeAndHearEachOther() throws Exception {
    String room = "tls-across-" + System.nanoTime();
    try (Chromium.Page alice = MeetingPages.join(chromium, base(nodes.get(0)), room, "Alice", WAIT);
         Chromium.Page bob = MeetingPages.join(chromium, base(nodes.get(1)), room, "Bob", WAIT)) {
      Chromium.Page[] pages = {alice, bob};
      for (int i = 0; i < 2; i++) {
        assertTrue(pages[i].eval("window.isSecureContext && location.protocol === 'https:'").asBoolean());
        assertEquals("wss://127.0.0.1:" + nodes.get(i).httpPort() + "/ws",
            pages[i].eval("window.lchatMeeting.signaling.ws.target").asText(), "signaling to its own node");
      }
      waitForMedia(alice, bob);
      waitForMedia(bob, alice);
      for (int i = 0; i < 2; i++) {
        JsonNode pair = pages[i].eval(MeetingPages.selectedPair("window.lchatMeeting.media.publisher"));
        assertEquals(nodes.get(i).mediaRouter().port(), pair.get("remotePort").asInt(),
            "its media goes to its own node's router: " + pair);
        assertTrue(nodes.get(i).mediaRouter().relays().stream().anyMatch(r -> r.streamsIn() > 0),
            "and the other's streams come over the relay: " + nodes.get(i).mediaRouter().relays());
      }
    }
  }

  private static void waitForMedia(Chromium.Page page, Chromium.Page other) throws Exception {
    try {
      page.waitFor(MeetingPages.MEDIA + ".then(m => m.videos >= 1 && m.audios >= 1)", WAIT);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; media " + page.eval(MeetingPages.MEDIA) + "; relays "
          + nodes.get(0).mediaRouter().relays() + " / " + nodes.get(1).mediaRouter().relays() + "; other's pair "
          + other.eval(MeetingPages.selectedPair("window.lchatMeeting.media.publisher")), e);
    }
  }

  /** The first message of a WSS connection to {@code node} from a page of {@code origin}. */
  private static JsonNode firstMessage(LchatNode node, String origin) throws Exception {
    CompletableFuture<String> first = new CompletableFuture<>();
    WebSocket ws = HttpClient.newBuilder().sslContext(client).build().newWebSocketBuilder()
        .header("Origin", origin)
        .buildAsync(URI.create("wss://127.0.0.1:" + node.httpPort() + "/ws"), new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            first.complete(data.toString());
            return null;
          }
        }).get(30, TimeUnit.SECONDS);
    try {
      return JSON.readTree(first.get(30, TimeUnit.SECONDS));
    } finally {
      ws.abort();
    }
  }

  private static boolean pause() throws InterruptedException {
    Thread.sleep(500);
    return true;
  }
}
