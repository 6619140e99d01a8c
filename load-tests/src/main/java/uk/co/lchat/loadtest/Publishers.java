package uk.co.lchat.loadtest;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Who publishes what at one moment, as the load tool's own participants say: senders run in the same JVM as the
 * receivers, so a receiver can tell a stream that stopped because its sender stopped (not lost) from one that
 * stopped on the way (lost). Participants outside the load tool are unknown here, so their streams never count as
 * expected.
 */
final class Publishers {
  /** One participant: its id (the stream id of its tracks' msid), its room and what it sends now. */
  record Publisher(String participantId, String room, boolean audio, boolean video) {}

  private final Map<String, Publisher> byId = new HashMap<>();
  private final Map<String, Integer> audioByRoom = new HashMap<>();

  private Publishers(Collection<Publisher> publishers) {
    for (Publisher p : publishers) {
      if (p.participantId() == null) {
        continue; // not joined yet
      }
      byId.put(p.participantId(), p);
      if (p.audio()) {
        audioByRoom.merge(p.room(), 1, Integer::sum);
      }
    }
  }

  static Publishers of(Collection<Publisher> publishers) {
    return new Publishers(publishers);
  }

  /** Whether {@code participantId} sends video ({@code video}) or audio now. */
  boolean publishes(String participantId, boolean video) {
    Publisher p = byId.get(participantId);
    return p != null && (video ? p.video() : p.audio());
  }

  /** How many participants of {@code room} other than {@code receiverId} send audio now. */
  int audioSourcesFor(String room, String receiverId) {
    int all = audioByRoom.getOrDefault(room, 0);
    Publisher self = byId.get(receiverId);
    return self != null && self.audio() && room.equals(self.room()) ? all - 1 : all;
  }
}
