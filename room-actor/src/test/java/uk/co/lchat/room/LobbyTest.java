package uk.co.lchat.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import uk.co.lchat.room.Lobby.Waiter;
import uk.co.lchat.room.RoomProtocol.Join;
import uk.co.lchat.room.RoomProtocol.LobbyEntry;
import uk.co.lchat.room.RoomProtocol.WaiterState;

/** The lobby's rules, without an actor: who waits, who is shown, who leaves when. */
class LobbyTest {
  private static Join join(String name) {
    return new Join("token-" + name, name, null, false, null);
  }

  private static List<String> names(List<Waiter> waiters) {
    return waiters.stream().map(Waiter::displayName).toList();
  }

  @Test
  void knockersWaitInArrivalOrderEachUnderAnIdOfItsOwn() {
    Lobby lobby = new Lobby();
    Waiter ann = lobby.knock(join("Ann"), "Ann", false);
    Waiter bob = lobby.knock(join("Bob"), "Bob", false);
    assertNotEquals(ann.lobbyId(), bob.lobbyId());
    assertEquals(List.of(new LobbyEntry(ann.lobbyId(), "Ann"), new LobbyEntry(bob.lobbyId(), "Bob")),
        lobby.entries());
    assertEquals("token-Ann", lobby.get(ann.lobbyId()).sessionToken());
  }

  @Test
  void guestsWaitingForTheHostAreNeitherShownToModeratorsNorTheirsToAdmit() {
    Lobby lobby = new Lobby();
    Waiter guest = lobby.knock(join("Guest"), "Guest", true);
    assertTrue(lobby.entries().isEmpty());
    assertNull(lobby.take(guest.lobbyId()));
    assertFalse(lobby.isEmpty(), "the guest still waits");
  }

  @Test
  void aModeratorTakesAKnockerOutOfTheLobbyOnceAndAnUnknownIdFindsNobody() {
    Lobby lobby = new Lobby();
    Waiter ann = lobby.knock(join("Ann"), "Ann", false);
    assertSame(ann, lobby.take(ann.lobbyId()));
    assertNull(lobby.take(ann.lobbyId()));
    assertNull(lobby.take("nobody"));
    assertTrue(lobby.isEmpty());
  }

  @Test
  void aWaiterWhoLeavesIsGoneAndLeavingAgainFindsNobody() {
    Lobby lobby = new Lobby();
    Waiter ann = lobby.knock(join("Ann"), "Ann", false);
    assertSame(ann, lobby.leave(ann.lobbyId()));
    assertNull(lobby.leave(ann.lobbyId()));
    assertNull(lobby.get(ann.lobbyId()));
  }

  @Test
  void turningTheLobbyOffLetsEveryKnockerInButTheHostsGuestsWaitOn() {
    Lobby lobby = new Lobby();
    assertTrue(lobby.setEnabled(true).isEmpty(), "turning it on lets nobody in");
    assertTrue(lobby.enabled());
    lobby.knock(join("Ann"), "Ann", false);
    Waiter guest = lobby.knock(join("Guest"), "Guest", true);
    lobby.knock(join("Bob"), "Bob", false);
    assertEquals(List.of("Ann", "Bob"), names(lobby.setEnabled(false)));
    assertFalse(lobby.enabled());
    assertSame(guest, lobby.get(guest.lobbyId()));
    assertTrue(lobby.entries().isEmpty());
  }

  @Test
  void whenTheHostArrivesWithTheLobbyOnItsGuestsKnockLikeAnyoneInTheirPlaces() {
    Lobby lobby = new Lobby();
    lobby.setEnabled(true);
    Waiter first = lobby.knock(join("First"), "First", true);
    Waiter knocker = lobby.knock(join("Knocker"), "Knocker", false);
    lobby.knock(join("Second"), "Second", true);
    Lobby.HostArrival arrival = lobby.hostArrived();
    assertEquals(List.of("First", "Second"), names(arrival.knocking()));
    assertTrue(arrival.admitted().isEmpty());
    assertFalse(arrival.knocking().get(0).forHost());
    assertEquals(first.lobbyId(), arrival.knocking().get(0).lobbyId(), "same id: the client keeps waiting");
    assertEquals(List.of("First", "Knocker", "Second"),
        lobby.entries().stream().map(LobbyEntry::displayName).toList(), "arrival order kept");
    assertSame(knocker, lobby.get(knocker.lobbyId()));
  }

  @Test
  void whenTheHostArrivesWithTheLobbyOffItsGuestsComeInAndKnockersWaitOn() {
    Lobby lobby = new Lobby();
    lobby.knock(join("Guest"), "Guest", true);
    lobby.setEnabled(true);
    Waiter knocker = lobby.knock(join("Knocker"), "Knocker", false);
    lobby.setEnabled(false).forEach(w -> assertEquals("Knocker", w.displayName()));
    lobby.knock(join("Later"), "Later", true);
    Lobby.HostArrival arrival = lobby.hostArrived();
    assertEquals(List.of("Guest", "Later"), names(arrival.admitted()));
    assertTrue(arrival.knocking().isEmpty());
    assertTrue(lobby.isEmpty());
    assertNull(lobby.get(knocker.lobbyId()), "the knocker was let in when the lobby went off");
  }

  @Test
  void clearingTheLobbyHandsBackEveryoneWaiting() {
    Lobby lobby = new Lobby();
    lobby.knock(join("Ann"), "Ann", false);
    lobby.knock(join("Guest"), "Guest", true);
    assertEquals(List.of("Ann", "Guest"), names(lobby.clear()));
    assertTrue(lobby.isEmpty());
  }

  @Test
  void theLobbyTravelsInTheRoomsStateAndComesBackUnderTheSameIds() {
    Lobby before = new Lobby();
    Waiter ann = before.knock(join("Ann"), "Ann", false);
    Waiter guest = before.knock(join("Guest"), "Guest", true);
    List<WaiterState> states = before.states();
    Lobby after = new Lobby();
    states.forEach(after::restore);
    assertEquals(ann, after.get(ann.lobbyId()));
    assertEquals(guest, after.get(guest.lobbyId()));
    assertEquals(before.entries(), after.entries());
  }
}
