package uk.co.lchat.room;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import uk.co.lchat.room.RoomProtocol.ParticipantView;
import uk.co.lchat.room.RoomProtocol.RosterDelta;

/**
 * The roster as the room's members last heard it, so that a large room tells them only what changed since: a full
 * roster to each of N members after each of N joins is N² entries (a billion for a 1000-person room filling up),
 * the changes are N times the few who changed. Owned by the room actor.
 */
final class SentRoster {
  private final Map<String, ParticipantView> heard = new HashMap<>();

  /** Everyone has just been told {@code views} in full (a small room, or a joiner's snapshot). */
  void toldAll(List<ParticipantView> views) {
    heard.clear();
    for (ParticipantView v : views) {
      heard.put(v.id(), v);
    }
  }

  /**
   * What differs between what was last told and {@code now}: participants who are new or changed (in join order)
   * and those who left; null when nothing did. From then on {@code now} counts as told.
   */
  RosterDelta changesTo(List<ParticipantView> now) {
    List<ParticipantView> changed = new ArrayList<>();
    Map<String, ParticipantView> gone = new HashMap<>(heard);
    for (ParticipantView v : now) {
      ParticipantView before = gone.remove(v.id());
      if (!v.equals(before)) {
        changed.add(v);
      }
    }
    if (changed.isEmpty() && gone.isEmpty()) {
      return null;
    }
    toldAll(now);
    return new RosterDelta(changed, new ArrayList<>(gone.keySet()));
  }
}
