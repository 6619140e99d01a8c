package uk.co.lchat.room;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.pekko.actor.typed.ActorRef;

import uk.co.lchat.room.RoomProtocol.ClientEvent;
import uk.co.lchat.room.RoomProtocol.Identity;
import uk.co.lchat.room.RoomProtocol.Join;
import uk.co.lchat.room.RoomProtocol.LobbyEntry;
import uk.co.lchat.room.RoomProtocol.WaiterState;

/**
 * Who waits at the room's door, in arrival order, and whether the door is shut ({@link #enabled()}: the lobby is
 * on). Two kinds of people wait: knockers, whom a moderator (or anyone in controller mode) admits or denies, and
 * guests of a room no token holder has opened yet ({@code token-to-create}), who wait for the host and are nobody's
 * to admit. The lobby decides who leaves it and when; the room actor lets them in and tells them. Owned by the room
 * actor; a plain object with no actor state.
 */
final class Lobby {
  /**
   * Someone waiting, with what it asked to join with. {@code forHost}: waiting for a token holder to open the room,
   * not for a moderator ({@link Admission}).
   */
  record Waiter(String lobbyId, String sessionToken, String displayName, boolean viewer,
                ActorRef<ClientEvent> client, Identity identity, boolean forHost) {
    WaiterState state() {
      return new WaiterState(lobbyId, sessionToken, displayName, viewer, client, identity, forHost);
    }

    static Waiter of(WaiterState s) {
      return new Waiter(s.lobbyId(), s.sessionToken(), s.displayName(), s.viewer(), s.client(), s.identity(),
          s.forHost());
    }

    /** The same person, now knocking for a moderator. */
    private Waiter knocking() {
      return new Waiter(lobbyId, sessionToken, displayName, viewer, client, identity, false);
    }
  }

  private final Map<String, Waiter> waiting = new LinkedHashMap<>();
  private boolean enabled;

  /** Whether the lobby is on: people who pass the passcode knock and wait to be admitted. */
  boolean enabled() {
    return enabled;
  }

  boolean isEmpty() {
    return waiting.isEmpty();
  }

  /** {@code join} (as {@code name}) waits from now on, under a new random id. */
  Waiter knock(Join join, String name, boolean forHost) {
    Waiter w = new Waiter(Roster.randomId(), join.sessionToken(), name, join.viewer(), join.client(), join.identity(),
        forHost);
    waiting.put(w.lobbyId(), w);
    return w;
  }

  /** Whoever waits under {@code lobbyId}, or null. */
  Waiter get(String lobbyId) {
    return waiting.get(lobbyId);
  }

  /** The waiter leaves of its own accord (or its connection closed); null if nobody waited under that id. */
  Waiter leave(String lobbyId) {
    return waiting.remove(lobbyId);
  }

  /**
   * A moderator admits or denies the knocker under {@code lobbyId}: it leaves the lobby. Null when nobody knocks
   * under that id (a guest waiting for the host is not a moderator's to admit).
   */
  Waiter take(String lobbyId) {
    Waiter w = waiting.get(lobbyId);
    if (w == null || w.forHost()) {
      return null;
    }
    waiting.remove(lobbyId);
    return w;
  }

  /** The knockers as moderators see them; guests waiting for the host are nobody's to admit, so not shown. */
  List<LobbyEntry> entries() {
    List<LobbyEntry> entries = new ArrayList<>(waiting.size());
    for (Waiter w : waiting.values()) {
      if (!w.forHost()) {
        entries.add(new LobbyEntry(w.lobbyId(), w.displayName()));
      }
    }
    return entries;
  }

  /**
   * Turns the lobby on or off. Off opens the door for every knocker: they leave the lobby and are returned, in
   * arrival order, to be let in. Guests waiting for the host stay: the host has not come.
   */
  List<Waiter> setEnabled(boolean on) {
    enabled = on;
    if (on) {
      return List.of();
    }
    List<Waiter> admitted = waiting.values().stream().filter(w -> !w.forHost()).toList();
    admitted.forEach(w -> waiting.remove(w.lobbyId()));
    return admitted;
  }

  /**
   * What a token holder's opening the room means for the guests who waited for it: with the lobby on they knock
   * like anyone from now on ({@code knocking}, to be told so); with it off they leave the lobby ({@code admitted},
   * to be let in). Both in arrival order.
   */
  record HostArrival(List<Waiter> knocking, List<Waiter> admitted) {}

  /** A token holder has opened the room. */
  HostArrival hostArrived() {
    List<Waiter> guests = waiting.values().stream().filter(Waiter::forHost).toList();
    if (enabled) {
      List<Waiter> knocking = guests.stream().map(Waiter::knocking).toList();
      knocking.forEach(w -> waiting.put(w.lobbyId(), w));
      return new HostArrival(knocking, List.of());
    }
    guests.forEach(w -> waiting.remove(w.lobbyId()));
    return new HostArrival(List.of(), guests);
  }

  /** The meeting is over for everyone waiting (it ended, or nobody is left to admit them): the lobby empties. */
  List<Waiter> clear() {
    List<Waiter> all = List.copyOf(waiting.values());
    waiting.clear();
    return all;
  }

  /** The lobby as the room's replicated state holds it. */
  List<WaiterState> states() {
    List<WaiterState> states = new ArrayList<>(waiting.size());
    for (Waiter w : waiting.values()) {
      states.add(w.state());
    }
    return states;
  }

  /** Puts back someone who waited in the previous incarnation, under the same id. */
  Waiter restore(WaiterState s) {
    Waiter w = Waiter.of(s);
    waiting.put(w.lobbyId(), w);
    return w;
  }
}
