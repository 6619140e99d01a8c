package uk.co.lchat.node.drain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import org.apache.pekko.Done;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import com.typesafe.config.ConfigFactory;

import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;
import uk.co.lchat.node.WsClient;

/**
 * While a node drains, new WHIP publishers and WHEP viewers are sent to another node with 307 (RFC 9725 §4.5), so
 * OBS or a player pointed at a leaving node still gets in.
 */
class DrainRedirectIT {
  private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private static final List<LchatNode> nodes = new ArrayList<>();

  @AfterAll
  static void stop() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
  }

  private static HttpResponse<String> post(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Content-Type", "application/sdp")
        .POST(HttpRequest.BodyPublishers.ofString("v=0\r\n")).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void whipAndWhepOnADrainingNodeAreRedirectedToAnotherNode() throws Exception {
    // The leaving node waits for its participants to leave (no moving), so it stays draining while we look.
    nodes.addAll(TestNodes.cluster(2, seeds -> ConfigFactory.parseMap(java.util.Map.<String, Object>of(
        "lchat.drain.move-participants", false, "lchat.drain.timeout", "30s"))
        .withFallback(TestNodes.config(0, seeds))));
    LchatNode stays = nodes.get(0);
    LchatNode leaves = nodes.get(1);
    // The drain starts as soon as both nodes are Up, before the leaving node's gossiped directory need list the
    // other: that is the state a real scale-in can meet, and the node itself must wait for it (directory-wait).
    // The state this test depends on and awaits: both members Up (TestNodes.cluster) and the drain begun (/ready).
    CompletionStage<Done> left;
    try (WsClient someone = new WsClient(leaves.httpPort())) {
      someone.join("redirect-room", "Someone");
      left = leaves.shutdownGracefully();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (TestNodes.get(leaves.httpPort(), "/ready").statusCode() != 503) {
        assertTrue(System.nanoTime() < deadline, "the node did not start draining");
        Thread.sleep(100);
      }
      String base = "http://127.0.0.1:" + stays.httpPort();
      for (String path : List.of("/whip/redirect-room", "/whep/redirect-room", "/whep/redirect-room/someone")) {
        HttpResponse<String> r = post(leaves.httpPort(), path);
        assertEquals(307, r.statusCode(), path + ": " + r.body());
        assertEquals(base + path, r.headers().firstValue("Location").orElse(""), path);
      }
      // Other requests are served as usual while the node drains.
      assertEquals(200, TestNodes.get(leaves.httpPort(), "/health").statusCode());
    }
    left.toCompletableFuture().get(60, TimeUnit.SECONDS);
    nodes.remove(leaves);
  }

  @Test
  void theRedirectBaseComesFromTheOtherNodesSignalingUrl() {
    assertEquals("http://10.0.0.5:8080", NodeDrain.httpBase("ws://10.0.0.5:8080/ws"));
    assertEquals("https://meet.example.com", NodeDrain.httpBase("wss://meet.example.com/ws"));
  }
}
