package uk.co.lchat.node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.WebSocketHandshakeException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.typesafe.config.ConfigFactory;

import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;
import uk.co.lchat.node.WsClient;

/** Issue 17, item 4: a page of another site cannot open the signaling WebSocket in a member's browser. */
class OriginCheckIT {
  static LchatNode node;
  static int port;

  @BeforeAll
  static void start() throws Exception {
    node = LchatNode.start(ConfigFactory.parseMap(Map.of("lchat.http.allowed-origins",
        List.of("https://meet.example.com"))).withFallback(TestNodes.config(0, List.of())));
    port = node.httpPort();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void aForeignOriginGets403AndNoSession() throws Exception {
    // Earlier tests' sockets close asynchronously: wait until none is left, so a late close cannot pass for "none
    // started" (or hide one).
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (node.signaling().openConnections() > 0) {
      assertTrue(System.nanoTime() < deadline, "earlier tests' sockets did not close");
      Thread.sleep(50);
    }
    long refused = node.signaling().originsRefused();
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> new WsClient(port, Map.of("Origin", "http://evil.example")));
    WebSocketHandshakeException handshake = assertInstanceOf(WebSocketHandshakeException.class, e.getCause());
    assertEquals(403, handshake.getResponse().statusCode());
    assertEquals(0, node.signaling().openConnections(), "no session was started");
    assertEquals(refused + 1, node.signaling().originsRefused());
    assertTrue(TestNodes.get(port, "/metrics").body().contains("lchat_http_refused_total{reason=\"origin\",}"),
        "the refusal is exported");
  }

  @Test
  void aPageOfTheNodeItselfJoins() throws Exception {
    try (WsClient ann = new WsClient(port, Map.of("Origin", "http://127.0.0.1:" + port))) {
      assertEquals("moderator", ann.join("same-origin", "Ann").get("role").asText());
    }
  }

  @Test
  void anAllowListedOriginJoins() throws Exception {
    try (WsClient ann = new WsClient(port, Map.of("Origin", "https://meet.example.com"))) {
      assertEquals("moderator", ann.join("listed-origin", "Ann").get("role").asText());
    }
  }

  @Test
  void aClientWithoutOriginJoins() throws Exception {
    try (WsClient ann = new WsClient(port)) {
      assertEquals("moderator", ann.join("no-origin", "Ann").get("role").asText());
    }
  }
}
