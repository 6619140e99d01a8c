package uk.co.lchat.node.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import uk.co.lchat.node.LchatNode;

/**
 * The web client's side of a drain: two browsers meeting through a node that leaves the cluster (what SIGTERM and
 * scale-in do) move their signaling and media to the other node by themselves and keep decoding each other.
 */
class BrowserDrainIT extends ClusterBrowserTest {
  @BeforeAll
  static void start() throws Exception {
    startCluster(2);
  }

  /** The page decodes the other's video and hears its audio right now: its counters grow over two seconds. */
  private static void flowing(Chromium.Page page, String who) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    JsonNode before = page.eval("lchatStats()");
    while (true) {
      Thread.sleep(2000);
      JsonNode now = page.eval("lchatStats()");
      long frames = now.path("framesDecoded").asLong() - before.path("framesDecoded").asLong();
      long audio = now.path("audioPackets").asLong() - before.path("audioPackets").asLong();
      if (frames > 20 && audio > 50) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(who + " does not receive the other's media: " + now + "; connections "
            + page.eval("[window.lchatTest.media.publisher?.connectionState,"
                + " window.lchatTest.media.subscriber?.connectionState]"));
      }
      before = now;
    }
  }

  @Test
  void browsersOnALeavingNodeCarryOnThroughTheOtherNode() throws Exception {
    LchatNode stays = nodes.get(0);
    LchatNode leaves = nodes.get(1);
    String room = "drain-" + System.nanoTime();
    try (Chromium.Page alice = joinCall(leaves, room, "Alice", false);
         Chromium.Page bob = joinCall(leaves, room, "Bob", false)) {
      flowing(alice, "Alice before the drain");
      flowing(bob, "Bob before the drain");
      String aliceId = alice.eval("window.lchatTest.signaling.participantId").asText();

      leaves.shutdownGracefully().toCompletableFuture().get(90, TimeUnit.SECONDS);
      nodes.remove(leaves);

      String there = "window.lchatTest.signaling.ws.url.includes(':" + stays.httpPort() + "/')"
          + " && window.lchatTest.signaling.ws.readyState === 1";
      alice.waitFor(there, Duration.ofSeconds(30));
      bob.waitFor(there, Duration.ofSeconds(30));
      assertEquals(aliceId, alice.eval("window.lchatTest.signaling.participantId").asText(),
          "the same participant, resumed");
      // The leaving node's router is gone: whatever the pages decode now comes through the remaining node.
      flowing(alice, "Alice after the drain");
      flowing(bob, "Bob after the drain");
      // Both participants' two connections on the other node, and no relay link left to the node that went.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (stays.mediaRouter().endpointCount() != 4 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertEquals(4, stays.mediaRouter().endpointCount(), "endpoints; relays: " + stays.mediaRouter().relays());
      assertTrue(alice.eval("window.lchatTest.errors").isEmpty(), alice.eval("window.lchatTest.errors").toString());
      assertTrue(bob.eval("window.lchatTest.errors").isEmpty(), bob.eval("window.lchatTest.errors").toString());
    }
  }
}
