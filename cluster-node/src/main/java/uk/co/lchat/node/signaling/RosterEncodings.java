package uk.co.lchat.node.signaling;

import java.util.LinkedHashMap;
import java.util.Map;

import uk.co.lchat.room.RoomProtocol.ClientEvent;
import uk.co.lchat.room.RoomProtocol.RosterChanged;
import uk.co.lchat.room.RoomProtocol.RosterDelta;

/**
 * The JSON of the roster events a room sends every member alike, encoded once per node instead of once per member.
 * While a room of 1000 fills, each join's entry reaches every member in a delta: encoded by each session, that was a
 * million entries turned into JSON across the cluster, a quarter of all the nodes allocated then (issue #21). The
 * events come to a node's sessions as equal values (the same object from a local room, equal copies from another
 * node's), so the last few encodings are kept by value; the text is a function of the event, so a hit is always
 * right. Shared by the node's sessions, which run on any dispatcher thread.
 */
final class RosterEncodings {
  private static final int KEPT = 32;
  private static final Map<ClientEvent, String> RECENT = new LinkedHashMap<>(KEPT * 2, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<ClientEvent, String> eldest) {
      return size() > KEPT;
    }
  };

  private RosterEncodings() {}

  /** Whether {@code event} is the same for every member, so worth sharing. */
  static boolean shared(ClientEvent event) {
    return event instanceof RosterDelta || event instanceof RosterChanged;
  }

  /** The event's JSON, encoded now or by another session of this node a moment ago. */
  static String encode(ClientEvent event) {
    synchronized (RECENT) {
      String known = RECENT.get(event);
      if (known != null) {
        return known;
      }
    }
    // Encoded outside the lock: two sessions may both encode a new event, which costs less than waiting.
    String json = SignalingCodec.encode(event);
    synchronized (RECENT) {
      RECENT.put(event, json);
    }
    return json;
  }
}
