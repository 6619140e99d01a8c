package uk.co.lchat.loadtest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;

import com.typesafe.config.ConfigFactory;

import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;

/**
 * Last-N over real media: in a room of five cameras with last-N = 2, each receiver gets exactly two videos, those
 * of the first two who joined until someone speaks; then the speaker's video reaches everybody else.
 */
class LastNIT extends InJvmNodes {
  private static final long WINDOW = 700_000_000L;

  private static void sees(List<SimParticipant> room, Map<Integer, Set<Integer>> expected, String when)
      throws InterruptedException {
    try {
      Talkers.await(when, 20, () -> {
        for (int i = 0; i < room.size(); i++) {
          if (!room.get(i).videoSenders(WINDOW).equals(ids(room, expected.get(i)))) {
            return false;
          }
        }
        return true;
      });
    } catch (AssertionError e) {
      List<String> got = new ArrayList<>();
      for (SimParticipant p : room) {
        got.add(p.videoSenders(WINDOW).stream().map(id -> name(room, id)).toList().toString());
      }
      throw new AssertionError(e.getMessage() + "; each sees " + got);
    }
  }

  private static Set<String> ids(List<SimParticipant> room, Set<Integer> who) {
    Set<String> ids = new TreeSet<>();
    who.forEach(i -> ids.add(room.get(i).id()));
    return ids;
  }

  private static String name(List<SimParticipant> room, String id) {
    for (int i = 0; i < room.size(); i++) {
      if (room.get(i).id().equals(id)) {
        return "P" + i;
      }
    }
    return id;
  }

  @Test
  void fiveCamerasLastNTwoFollowsTheSpeaker() throws Exception {
    nodes.add(LchatNode.start(ConfigFactory.parseMap(Map.of("lchat.room.last-n", 2))
        .withFallback(TestNodes.config(0, List.of()))));
    List<SimParticipant> room = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      room.add(join(nodes.get(0), "P" + i, "lastn", true, true, new Measurements()));
    }
    AtomicInteger talker = new AtomicInteger(-1);
    Thread sender = Thread.ofPlatform().daemon().start(() -> {
      long next = System.nanoTime();
      for (long tick = 0; sending; tick++) {
        for (int i = 0; i < room.size(); i++) {
          try {
            room.get(i).sendAudio(talker.get() == i);
            if (tick % 3 == 0) {
              room.get(i).sendVideoFrame();
            }
          } catch (Exception e) {
            // not connected yet
          }
        }
        next += 20_000_000L;
        LockSupport.parkNanos(next - System.nanoTime());
      }
    });

    sees(room, Map.of(0, Set.of(1, 2), 1, Set.of(0, 2), 2, Set.of(0, 1), 3, Set.of(0, 1), 4, Set.of(0, 1)),
        "two videos each, in join order, before anybody speaks");
    talker.set(3);
    sees(room, Map.of(0, Set.of(3, 1), 1, Set.of(3, 0), 2, Set.of(3, 0), 3, Set.of(0, 1), 4, Set.of(3, 0)),
        "P3 speaks: its video reaches everybody else, still two each");
    for (SimParticipant p : room) {
      assertTrue(p.videoSenders(WINDOW).size() == 2, p.id());
    }
    sending = false;
    sender.join(2000);
  }
}
