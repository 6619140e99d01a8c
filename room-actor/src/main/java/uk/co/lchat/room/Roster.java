package uk.co.lchat.room;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.pekko.actor.typed.ActorRef;

import uk.co.lchat.room.RoomProtocol.ParticipantView;
import uk.co.lchat.room.RoomProtocol.Role;

/** The room's participants in join order, with unique display names and ids. */
final class Roster {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();

  private final Map<String, Participant> byId = new LinkedHashMap<>();
  private int nextJoinOrder = 1;
  private int viewers;

  Participant get(String id) {
    return id == null ? null : byId.get(id);
  }

  Collection<Participant> all() {
    return byId.values();
  }

  boolean isEmpty() {
    return byId.isEmpty();
  }

  int size() {
    return byId.size();
  }

  int publishers() {
    return byId.size() - viewers;
  }

  int viewers() {
    return viewers;
  }

  boolean hasModerator() {
    for (Participant p : byId.values()) {
      if (p.role == Role.MODERATOR) {
        return true;
      }
    }
    return false;
  }

  Participant add(String sessionToken, String requestedName, Role role,
                  ActorRef<RoomProtocol.ClientEvent> client,
                  RoomProtocol.Identity identity) {
    Participant p = new Participant(newId(), sessionToken, uniqueName(requestedName, null), role, client,
        nextJoinOrder++, identity);
    byId.put(p.id, p);
    if (p.isViewer()) {
      viewers++;
    }
    return p;
  }

  /** Puts back a participant of the room's previous incarnation, with its id and join order. */
  Participant restore(RoomProtocol.MemberState m) {
    Participant p = new Participant(m.id(), m.sessionToken(), m.displayName(), m.role(), m.client(), m.joinOrder(),
        m.identity());
    p.audioMuted = m.audioMuted();
    p.videoMuted = m.videoMuted();
    p.handRaised = m.handRaised();
    p.pinned = m.pinned() == null ? List.of() : List.copyOf(m.pinned());
    p.receiverLastN = m.receiverLastN();
    Participant before = byId.put(p.id, p);
    if (before != null && before.isViewer()) {
      viewers--;
    }
    if (p.isViewer()) {
      viewers++;
    }
    nextJoinOrder = Math.max(nextJoinOrder, m.joinOrder() + 1);
    return p;
  }

  int nextJoinOrder() {
    return nextJoinOrder;
  }

  void continueJoinOrderFrom(int next) {
    nextJoinOrder = Math.max(nextJoinOrder, next);
  }

  Participant remove(String id) {
    Participant p = byId.remove(id);
    if (p != null && p.isViewer()) {
      viewers--;
    }
    return p;
  }

  /** When no moderator is left, the earliest-joined non-viewer becomes one; returns them, or null. */
  Participant promoteIfLeaderless() {
    if (hasModerator()) {
      return null;
    }
    for (Participant p : byId.values()) {
      if (!p.isViewer()) {
        p.role = Role.MODERATOR;
        return p;
      }
    }
    return null;
  }

  /**
   * Gives {@code p} the name it asked for, with a suffix when another participant has it ("Ann (2)"). Its own
   * current name is no clash: "ann" to "Ann" is a change of case. Returns the name it now has.
   */
  String rename(Participant p, String requestedName) {
    p.displayName = uniqueName(requestedName, p);
    return p.displayName;
  }

  List<ParticipantView> views() {
    List<ParticipantView> views = new ArrayList<>(byId.size());
    for (Participant p : byId.values()) {
      views.add(p.view());
    }
    return views;
  }

  /** "Ann" stays "Ann" unless taken (ignoring case); then "Ann (2)", "Ann (3)", ... */
  private String uniqueName(String name, Participant except) {
    if (!nameTaken(name, except)) {
      return name;
    }
    for (int n = 2; ; n++) {
      String candidate = name + " (" + n + ")";
      if (!nameTaken(candidate, except)) {
        return candidate;
      }
    }
  }

  private boolean nameTaken(String name, Participant except) {
    String lower = name.toLowerCase(Locale.ROOT);
    for (Participant p : byId.values()) {
      if (p != except && p.displayName.toLowerCase(Locale.ROOT).equals(lower)) {
        return true;
      }
    }
    return false;
  }

  private String newId() {
    while (true) {
      String id = randomId();
      if (!byId.containsKey(id)) {
        return id;
      }
    }
  }

  static String randomId() {
    char[] id = new char[10];
    for (int i = 0; i < id.length; i++) {
      id[i] = ID_ALPHABET[RANDOM.nextInt(ID_ALPHABET.length)];
    }
    return new String(id);
  }
}
