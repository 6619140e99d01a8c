package uk.co.lchat.node.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;
import uk.co.lchat.node.WsClient;

/**
 * Issue 17, item 6: one member cannot disconnect another by flooding it. The flood is 3,000 {@code peer} messages
 * of 16 KB at a member whose client has stopped reading.
 *
 * <p>The node is set so that the flood outruns every buffer on the way, whatever the kernel's TCP buffer
 * auto-tuning: a burst of 1,000 messages (16 MB) passes the sender's rate limit, the node's send buffer is 64 KiB,
 * and at most 1 MiB of relayed messages wait for the slow reader. With the defaults (a burst of 200, 4 MiB) the
 * same happens with a slower reader or a bigger flood.
 */
class FloodIT {
  static LchatNode node;
  static int port;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.single(Map.of(
            "lchat.http.ws.burst", 1000,
            "lchat.http.ws.outbound-bytes", "1MiB",
            "pekko.http.server.socket-options.so-send-buffer-size", "64KiB"));
    port = node.httpPort();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void aFloodAtASlowReaderClosesTheFlooderAndTheVictimStaysAndKeepsReceiving() throws Exception {
    try (WsClient victim = new WsClient(port); WsClient flooder = new WsClient(port);
         WsClient carol = new WsClient(port)) {
      victim.join("flood", "Victim");
      flooder.join("flood", "Flooder");
      carol.join("flood", "Carol");
      victim.drain();
      flooder.drain();
      carol.drain();
      long droppedBefore = node.signaling().outboundMessagesDropped();

      victim.pauseReading();
      String peer = "{\"type\":\"peer\",\"to\":\"" + victim.participantId + "\",\"payload\":{\"junk\":\""
          + "x".repeat(16 * 1024) + "\"}}";
      int sent = 0;
      try {
        for (; sent < 3000; sent++) {
          flooder.send(peer);
        }
      } catch (RuntimeException closed) {
        // the node closed the flooder's socket mid-flood
      }

      JsonNode error = flooder.next("error");
      assertEquals("rate_limited", error.get("code").asText());
      await(flooder::closedByServer, "the flooder is disconnected");
      assertTrue(sent < 3000 || flooder.closedByServer());
      await(() -> node.signaling().outboundMessagesDropped() > droppedBefore,
          "the slow reader's queue drops flood messages");
      assertTrue(node.signaling().socketsClosedForFlooding() >= 1);

      carol.send("{\"type\":\"peer\",\"to\":\"" + victim.participantId + "\",\"payload\":{\"hello\":\"after\"}}");
      victim.resumeReading();
      // The roster without the flooder is room state: it was queued behind the flood and is never dropped.
      JsonNode roster = victim.next("roster", m -> m.get("participants").size() == 2);
      assertEquals(2, roster.get("participants").size());
      JsonNode later = victim.next("peer", m -> m.get("payload").has("hello"));
      assertEquals(carol.participantId, later.get("from").asText());
      victim.send("{\"type\":\"ping\"}");
      victim.next("pong");
      assertFalse(victim.closedByServer(), "the victim stays connected");
      assertTrue(TestNodes.get(port, "/metrics").body().contains("lchat_signaling_dropped_messages_total"));
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 60 s: " + what);
      }
      Thread.sleep(100);
    }
  }
}
