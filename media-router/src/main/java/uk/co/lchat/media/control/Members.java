package uk.co.lchat.media.control;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The participants attached to this router, in attach order. Owned by the router actor. */
final class Members {
  private final Map<String, Member> byId = new LinkedHashMap<>();

  Member get(String participantId) {
    return byId.get(participantId);
  }

  void add(Member m) {
    byId.put(m.participantId, m);
  }

  Member remove(String participantId) {
    return byId.remove(participantId);
  }

  Collection<Member> all() {
    return byId.values();
  }

  int size() {
    return byId.size();
  }

  /** Whether {@code participantId} publishes anything here. */
  boolean publishes(String participantId) {
    Member m = byId.get(participantId);
    return m != null && m.publishing.hasTracks();
  }

  /** The first participant of {@code roomId} who publishes here, or null. */
  String anyPublisher(String roomId) {
    for (Member m : byId.values()) {
      if (m.roomId.equals(roomId) && m.publishing.hasTracks()) {
        return m.participantId;
      }
    }
    return null;
  }

  /** Everyone by room, for {@link ShedChoice}. */
  Map<String, List<ShedChoice.Candidate>> byRoom() {
    Map<String, List<ShedChoice.Candidate>> rooms = new LinkedHashMap<>();
    for (Member m : byId.values()) {
      rooms.computeIfAbsent(m.roomId, r -> new ArrayList<>())
          .add(new ShedChoice.Candidate(m.participantId, m.publishing.hasPublications()));
    }
    return rooms;
  }

  /** Every track id some receiver here uses or may hear. */
  Set<String> receivedTrackIds() {
    Set<String> used = new HashSet<>();
    for (Member m : byId.values()) {
      m.receiving.addTrackIds(used);
    }
    return used;
  }
}
