package uk.co.lchat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;

import uk.co.lchat.node.TestNodes;

/**
 * Audio from the loudest few only: in a room of seven, each receiver gets five audio streams (the default slots),
 * always the same five SSRCs, and they carry whoever talks; when others start talking, they are heard instead.
 */
class LoudestAudioIT extends InJvmNodes {
  private static final long WINDOW = 500_000_000L;

  /** Waits until {@code who} hears {@code loud} talkers among exactly five audio streams; fails with what it hears. */
  private static void hears(List<SimParticipant> ps, List<Integer> loud, String when) throws InterruptedException {
    try {
      Talkers.await(when, 15, () -> {
        for (int i = 0; i < ps.size(); i++) {
          int expected = loud.contains(i) ? loud.size() - 1 : loud.size();
          if (ps.get(i).audioStreamsFlowing(WINDOW) != 5 || ps.get(i).loudStreams(WINDOW) != expected) {
            return false;
          }
        }
        return true;
      });
    } catch (AssertionError e) {
      List<String> got = ps.stream().map(p -> p.audioStreamsFlowing(WINDOW) + " streams/" + p.loudStreams(WINDOW)
          + " loud").toList();
      throw new AssertionError(e.getMessage() + ": " + got);
    }
  }

  @Test
  void sevenPeopleHearTheLoudestInFiveStreamsThatFollowWhoTalks() throws Exception {
    nodes.add(TestNodes.single());
    List<SimParticipant> room = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      room.add(join(nodes.get(0), "P" + i, "chorus", true, false, new Measurements()));
    }
    java.util.concurrent.atomic.AtomicIntegerArray talking = new java.util.concurrent.atomic.AtomicIntegerArray(7);
    talking.set(0, 1);
    talking.set(1, 1);
    Thread sender = Thread.ofPlatform().daemon().start(() -> {
      long next = System.nanoTime();
      while (sending) {
        for (int i = 0; i < room.size(); i++) {
          try {
            room.get(i).sendAudio(talking.get(i) == 1);
          } catch (Exception e) {
            // not connected yet
          }
        }
        next += 20_000_000L;
        LockSupport.parkNanos(next - System.nanoTime());
      }
    });

    hears(room, List.of(0, 1), "P0 and P1 heard by everyone, in five streams of six sources");
    // Others start talking; P0 and P1 fall silent.
    talking.set(0, 0);
    talking.set(1, 0);
    talking.set(4, 1);
    talking.set(5, 1);
    hears(room, List.of(4, 5), "P4 and P5 heard instead");
    for (SimParticipant p : room) {
      assertEquals(5, p.audioStreamsSeen(), "the same five audio streams throughout: " + p.id());
    }
    sending = false;
    sender.join(2000);
  }
}
