package uk.co.lchat.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import uk.co.lchat.room.RoomProtocol.*;

/** Who gets in: passcode, lobby, removal, and what a refused or waiting client may learn (nothing). */
class RoomAccessTest {
  static final ActorTestKit kit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  private RoomTestSupport room() {
    return new RoomTestSupport(kit, RoomTestSupport.defaultConfig());
  }

  @Test
  void passcodeIsRequiredThenCheckedThenAccepted() {
    RoomTestSupport r = room();
    var ann = r.join("Ann");
    ann.send(new SetPasscode(ann.id, "lunar-42"));
    assertTrue(ann.await(SettingsChanged.class).settings().passcodeSet());

    var eve = r.client();
    r.knock(eve, "Eve", null);
    assertEquals("passcode_required", eve.expect(JoinRefused.class).code());
    r.knock(eve, "Eve", "guess");
    assertEquals("passcode_wrong", eve.expect(JoinRefused.class).code());
    r.knock(eve, "Eve", "lunar-42");
    assertEquals(2, eve.expect(Joined.class).room().participants().size());
  }

  @Test
  void wrongPasscodesFromOneAddressAreThrottledWhileOthersStillGetIn() {
    RoomTestSupport r = room();
    var ann = r.join("Ann");
    ann.send(new SetPasscode(ann.id, "4711"));
    ann.await(SettingsChanged.class);

    var eve = r.client();
    for (int i = 1; i <= 5; i++) {
      r.knockFrom(eve, "203.0.113.9", "Eve", String.valueOf(1000 + i));
      JoinRefused refused = eve.expect(JoinRefused.class);
      assertEquals("passcode_wrong", refused.code());
      assertEquals(i < 5 ? 0 : 1, refused.retryAfterSeconds(), "guess " + i);
    }
    // Now even the right passcode is not checked from that address until the wait is over.
    r.knockFrom(eve, "203.0.113.9", "Eve", "4711");
    JoinRefused throttled = eve.expect(JoinRefused.class);
    assertEquals("passcode_throttled", throttled.code());
    assertTrue(throttled.retryAfterSeconds() >= 1);
    // Someone else, elsewhere, with the passcode is let in at once.
    var bob = r.client();
    r.knockFrom(bob, "198.51.100.7", "Bob", "4711");
    assertEquals(2, bob.expect(Joined.class).room().participants().size());
  }

  @Test
  void aClientRefusedForItsPasscodeLearnsNothingOfTheRoom() {
    RoomTestSupport r = room();
    var ann = r.join("Ann");
    ann.send(new SetPasscode(ann.id, "secret"));
    var eve = r.client();
    r.knock(eve, "Eve", "wrong");
    JoinRefused refused = eve.expect(JoinRefused.class);
    assertFalse(refused.reason().contains("Ann"));
    // The room keeps living: chat, roster changes and settings changes must not reach Eve.
    ann.send(new SendChat(ann.id, "private plans", null));
    r.join("Bob", "secret");
    ann.send(new SetLobby(ann.id, true));
    eve.expectNothing();
  }

  @Test
  void aParticipantCannotSetOrClearThePasscode() {
    RoomTestSupport r = room();
    r.join("Ann");
    var bob = r.join("Bob");
    bob.send(new SetPasscode(bob.id, "mine"));
    assertEquals("forbidden", bob.await(CommandRejected.class).code());
    var cat = r.join("Cat");
    assertFalse(cat.joined.room().settings().passcodeSet());
  }

  @Test
  void clearingThePasscodeLetsPeopleInWithoutOne() {
    RoomTestSupport r = room();
    var ann = r.join("Ann");
    ann.send(new SetPasscode(ann.id, "secret"));
    ann.send(new SetPasscode(ann.id, null));
    assertFalse(r.join("Bob").joined.room().settings().passcodeSet());
  }

  @Test
  void aLobbyWaiterLearnsNothingUntilAdmitted() {
    RoomTestSupport r = room();
    var ann = r.join("Ann");
    var bob = r.join("Bob");
    ann.send(new SetLobby(ann.id, true));
    ann.drain();
    bob.drain();

    var cat = r.client();
    r.knock(cat, "Cat", null);
    String lobbyId = cat.expect(LobbyWaiting.class).lobbyId();
    LobbyChanged seenByModerator = ann.expect(LobbyChanged.class);
    assertEquals(List.of(new LobbyEntry(lobbyId, "Cat")), seenByModerator.waiting());
    bob.expectNothing(); // a plain participant does not see the lobby

    ann.send(new SendChat(ann.id, "while Cat waits", null));
    ann.send(new SetHand(ann.id, true));
    cat.expectNothing();

    ann.send(new Admit(ann.id, lobbyId));
    Joined joined = cat.expect(Joined.class);
    assertEquals(3, joined.room().participants().size());
    assertEquals("while Cat waits", joined.room().chatHistory().get(0).text());
  }

  @Test
  void aDeniedWaiterIsRefusedAndLearnsNothing() {
    RoomTestSupport r = room();
    var ann = r.join("Ann");
    ann.send(new SetLobby(ann.id, true));
    var cat = r.client();
    r.knock(cat, "Cat", null);
    String lobbyId = cat.expect(LobbyWaiting.class).lobbyId();
    ann.send(new Deny(ann.id, lobbyId));
    assertEquals("denied", cat.expect(JoinRefused.class).code());
    ann.send(new SendChat(ann.id, "after", null));
    cat.expectNothing();
    assertTrue(ann.await(LobbyChanged.class).waiting().size() <= 1);
  }

  @Test
  void onlyModeratorsOrControllersMayAdmit() {
    RoomTestSupport r = room();
    var ann = r.join("Ann");
    var bob = r.join("Bob");
    ann.send(new SetLobby(ann.id, true));
    var cat = r.client();
    r.knock(cat, "Cat", null);
    String lobbyId = cat.expect(LobbyWaiting.class).lobbyId();
    bob.send(new Admit(bob.id, lobbyId));
    assertEquals("forbidden", bob.await(CommandRejected.class).code());
    cat.expectNothing();
    ann.send(new SetControllerMode(ann.id, true));
    bob.send(new Admit(bob.id, lobbyId));
    cat.expect(Joined.class);
  }

  @Test
  void admittingAnUnknownLobbyIdIsNotFound() {
    RoomTestSupport r = room();
    var ann = r.join("Ann");
    ann.drain();
    ann.send(new Admit(ann.id, "nobody"));
    assertEquals("not_found", ann.expect(CommandRejected.class).code());
  }

  @Test
  void turningTheLobbyOffLetsEveryoneWaitingIn() {
    RoomTestSupport r = room();
    var ann = r.join("Ann");
    ann.send(new SetLobby(ann.id, true));
    var cat = r.client();
    r.knock(cat, "Cat", null);
    cat.expect(LobbyWaiting.class);
    ann.send(new SetLobby(ann.id, false));
    cat.expect(Joined.class);
  }

  @Test
  void passcodeIsCheckedBeforeTheLobby() {
    RoomTestSupport r = room();
    var ann = r.join("Ann");
    ann.send(new SetPasscode(ann.id, "pw"));
    ann.send(new SetLobby(ann.id, true));
    var cat = r.client();
    r.knock(cat, "Cat", "bad");
    assertEquals("passcode_wrong", cat.expect(JoinRefused.class).code());
    r.knock(cat, "Cat", "pw");
    cat.expect(LobbyWaiting.class);
  }

  @Test
  void kickedParticipantCannotRejoinWithTheSameSession() {
    RoomTestSupport r = room();
    var ann = r.join("Ann");
    var bob = r.join("Bob");
    ann.drain();
    ann.send(new Remove(ann.id, bob.id));
    assertEquals(ann.id, bob.await(Removed.class).by());
    assertEquals(1, ann.await(RosterChanged.class).participants().size());

    var bobAgain = r.client();
    r.room.tell(new Join(bob.token, "Bob", null, false, bobAgain.probe.ref()));
    assertEquals("removed", bobAgain.expect(JoinRefused.class).code());
    ann.send(new SendChat(ann.id, "bob is gone", null));
    bobAgain.expectNothing();
  }

  @Test
  void aParticipantCannotRemoveOthersUnlessControllerModeIsOn() {
    RoomTestSupport r = room();
    var ann = r.join("Ann");
    var bob = r.join("Bob");
    var cat = r.join("Cat");
    bob.drain();
    bob.send(new Remove(bob.id, cat.id));
    assertEquals("forbidden", bob.expect(CommandRejected.class).code());
    ann.send(new SetControllerMode(ann.id, true));
    assertTrue(bob.await(SettingsChanged.class).settings().controllerMode());
    bob.send(new Remove(bob.id, cat.id));
    cat.await(Removed.class);
  }

  @Test
  void nobodyRemovesThemselvesWithRemove() {
    RoomTestSupport r = room();
    var ann = r.join("Ann");
    ann.send(new Remove(ann.id, ann.id));
    assertEquals("invalid", ann.await(CommandRejected.class).code());
  }
}
