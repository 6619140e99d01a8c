package uk.co.lchat.node.browser;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Last-N in Chromium: with last-N 1 a page gets one video at a time, and pinning someone else switches it; the
 * receiving connection's sections are reused for other participants (inactive first, then a new msid), and the
 * browser takes each as a new track of the right participant.
 */
class LastNBrowserIT extends ClusterBrowserTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @BeforeAll
  static void start() throws Exception {
    startCluster(1, Map.of("lchat.room.last-n", 1));
  }

  private static String id(Chromium.Page page) throws Exception {
    return page.eval("window.lchatTest.signaling.participantId").asText();
  }

  /** The page's receiving connection carries {@code who}'s video, live, and frames are being decoded now. */
  private static void watching(Chromium.Page page, String who, String what) throws Exception {
    try {
      page.waitFor("[...window.lchatTest.media.remote.values()].some(r => r.participantId === '" + who
          + "' && r.track.kind === 'video' && !r.track.muted && r.track.readyState === 'live')", WAIT);
    } catch (AssertionError e) {
      throw new AssertionError(what + ": " + e.getMessage() + "; remote " + page.eval(
          "JSON.stringify([...window.lchatTest.media.remote.entries()].map(([mid, r]) => [mid, r.participantId,"
              + " r.track.kind, r.track.muted]))"), e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    long before = page.eval("lchatStats()").path("framesDecoded").asLong();
    while (true) {
      Thread.sleep(1500);
      long now = page.eval("lchatStats()").path("framesDecoded").asLong();
      if (now - before > 15) {
        return;
      }
      assertTrue(System.nanoTime() < deadline, what + ": no frames decoded (" + before + " -> " + now + ")");
      before = now;
    }
  }

  private static void pin(Chromium.Page page, String who) throws Exception {
    page.eval("window.lchatTest.signaling.send({ type: 'receiverConstraints', pinned: ['" + who + "'] })");
  }

  @Test
  void pinningSwitchesTheOneVideoAndReusedSectionsCarryOtherPeople() throws Exception {
    String room = "lastn-" + System.nanoTime();
    try (Chromium.Page alice = joinCall(nodes.get(0), room, "Alice", false); Chromium.Page bob = joinCall(nodes.get(0), room, "Bob", false);
         Chromium.Page cat = joinCall(nodes.get(0), room, "Cat", false); Chromium.Page dan = joinCall(nodes.get(0), room, "Dan", false)) {
      watching(alice, id(bob), "Alice sees the first who joined after her");
      pin(alice, id(cat));
      watching(alice, id(cat), "Alice pinned Cat");
      // Bob's section went inactive and was answered: Dan's video now comes in it.
      pin(alice, id(dan));
      watching(alice, id(dan), "Alice pinned Dan");
      long videoSections = alice.eval("window.lchatTest.media.subscriber.getTransceivers()"
          + ".filter(t => t.receiver.track.kind === 'video').length").asLong();
      assertTrue(videoSections <= 2, "sections are reused, not one per switch: " + videoSections);
      JsonNode errors = alice.eval("window.lchatTest.errors");
      assertTrue(errors.isEmpty(), errors.toString());
    }
  }
}
