package uk.co.lchat.media.control;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The conferences (rooms) that have participants on this node's media router, for statistics. A conference starts
 * on this node with its first participant here and ends with its last. When it ends it is counted as
 * <em>failed</em> if some of its participants tried to set up media here and none of them ever got a connected
 * transport (ICE and DTLS done), and as <em>partially failed</em> if some, but not all, of those did.
 * Thread-safe: the router actor and endpoint callbacks write, statistics scrapes read.
 */
public final class ConferenceTracker {
  private static final class Conference {
    final long startedNanos;
    final Set<String> present = new HashSet<>();
    final Set<String> attempted = new HashSet<>();
    final Set<String> connected = new HashSet<>();

    Conference(long startedNanos) {
      this.startedNanos = startedNanos;
    }
  }

  /** What the tracker has seen, at one moment. {@code sizes} holds each current conference's participant count. */
  public record Snapshot(int[] sizes, long created, long failed, long partiallyFailed, long completedSeconds) {
    public int participants() {
      int n = 0;
      for (int s : sizes) {
        n += s;
      }
      return n;
    }

    public int largest() {
      int max = 0;
      for (int s : sizes) {
        max = Math.max(max, s);
      }
      return max;
    }
  }

  private final Map<String, Conference> conferences = new HashMap<>();
  private long created;
  private long failed;
  private long partiallyFailed;
  private long completedNanos;

  public synchronized void joined(String roomId, String participantId) {
    conferences.computeIfAbsent(roomId, r -> {
      created++;
      return new Conference(System.nanoTime());
    }).present.add(participantId);
  }

  /** The participant asked for a media transport here (published, or was offered tracks). */
  public synchronized void mediaAttempted(String roomId, String participantId) {
    Conference c = conferences.get(roomId);
    if (c != null) {
      c.attempted.add(participantId);
    }
  }

  /** One of the participant's transports completed ICE and DTLS. */
  public synchronized void mediaConnected(String roomId, String participantId) {
    Conference c = conferences.get(roomId);
    if (c != null) {
      c.connected.add(participantId);
    }
  }

  public synchronized void left(String roomId, String participantId) {
    Conference c = conferences.get(roomId);
    if (c == null || !c.present.remove(participantId) || !c.present.isEmpty()) {
      return;
    }
    conferences.remove(roomId);
    completedNanos += System.nanoTime() - c.startedNanos;
    if (!c.attempted.isEmpty()) {
      long ok = c.attempted.stream().filter(c.connected::contains).count();
      if (ok == 0) {
        failed++;
      } else if (ok < c.attempted.size()) {
        partiallyFailed++;
      }
    }
  }

  public synchronized Snapshot snapshot() {
    int[] sizes = conferences.values().stream().mapToInt(c -> c.present.size()).toArray();
    return new Snapshot(sizes, created, failed, partiallyFailed, completedNanos / 1_000_000_000L);
  }
}
