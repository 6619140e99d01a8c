package uk.co.lchat.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static uk.co.lchat.room.RoomTestSupport.identity;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import uk.co.lchat.room.RoomProtocol.*;

/**
 * Join tokens at the room: the verified claims the node passes in (name, moderator role, subject, grants) and what
 * each {@code lchat.auth.mode} lets in. The node's verification itself is tested in cluster-node.
 */
class RoomTokenAccessTest {
  static final ActorTestKit kit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  private static RoomTestSupport room(String mode) {
    return new RoomTestSupport(kit, RoomTestSupport.configWith("lchat.auth.mode = " + mode));
  }

  @Test
  void inTokenModeAJoinWithoutATokenIsRefusedTokenRequired() {
    RoomTestSupport r = room("token");
    var eve = r.client();
    r.knock(eve, "Eve", null);
    JoinRefused refused = eve.expect(JoinRefused.class);
    assertEquals("token_required", refused.code());
    assertTrue(refused.reason().contains("token"), refused.reason());
  }

  @Test
  void aTokensNameReplacesTheNameTheJoinerTyped() {
    RoomTestSupport r = room("token");
    var ann = r.joinWith("Mallory", identity("u-ann", "Ann Smith", true));
    assertEquals("Ann Smith", ann.joined.room().participants().get(0).displayName());
  }

  @Test
  void inTokenModeOnlyAModeratorTokenMakesAModeratorEvenForTheFirstIn() {
    RoomTestSupport r = room("token");
    var ann = r.joinWith("Ann", identity("u-ann", null, false));
    assertEquals(Role.PARTICIPANT, ann.joined.role());
    var bob = r.joinWith("Bob", identity("u-bob", null, true));
    assertEquals(Role.MODERATOR, bob.joined.role());
  }

  @Test
  void inTokenModesNobodyIsPromotedWhenTheLastModeratorLeaves() {
    RoomTestSupport r = room("token");
    var mod = r.joinWith("Mod", identity("u-mod", null, true));
    var ann = r.joinWith("Ann", identity("u-ann", null, false));
    ann.drain();
    mod.send(new Leave(mod.id));
    RosterChanged roster = ann.await(RosterChanged.class);
    assertEquals(Role.PARTICIPANT, roster.participants().get(0).role());
    ann.expectNothing();
  }

  @Test
  void inOpenModeATokenIsOptionalAndTheFirstInIsStillTheModerator() {
    RoomTestSupport r = room("open");
    var ann = r.join("Ann");
    assertEquals(Role.MODERATOR, ann.joined.role());
    var bob = r.joinWith("Bob", identity("u-bob", null, false));
    assertEquals(Role.PARTICIPANT, bob.joined.role());
  }

  @Test
  void aValidTokenStandsInForThePasscode() {
    RoomTestSupport r = room("open");
    var ann = r.join("Ann");
    ann.send(new SetPasscode(ann.id, "moon-42"));
    ann.await(SettingsChanged.class);
    var bob = r.client();
    r.knockWith(bob, "Bob", null, identity("u-bob", null, false));
    assertEquals(2, bob.expect(Joined.class).room().participants().size());
    var eve = r.client();
    r.knock(eve, "Eve", null);
    assertEquals("passcode_required", eve.expect(JoinRefused.class).code());
  }

  @Test
  void theLobbyHoldsAPlainTokenHolderButNotAModeratorToken() {
    RoomTestSupport r = room("open");
    var ann = r.join("Ann");
    ann.send(new SetLobby(ann.id, true));
    ann.await(SettingsChanged.class);
    var bob = r.client();
    r.knockWith(bob, "Bob", null, identity("u-bob", null, false));
    bob.expect(LobbyWaiting.class);
    var cat = r.client();
    r.knockWith(cat, "Cat", null, identity("u-cat", null, true));
    assertEquals(Role.MODERATOR, cat.expect(Joined.class).role());
  }

  @Test
  void aRemovedSubjectIsRefusedBannedOnANewConnectionWithANewToken() {
    RoomTestSupport r = room("token");
    var mod = r.joinWith("Mod", identity("u-mod", null, true));
    var ann = r.joinWith("Ann", identity("u-ann", null, false));
    mod.send(new Remove(mod.id, ann.id));
    ann.await(Removed.class);
    var again = r.client(); // another socket: another session token
    r.knockWith(again, "Ann", null, identity("u-ann", "Ann (laptop)", false));
    JoinRefused refused = again.expect(JoinRefused.class);
    assertEquals("banned", refused.code());
    // Someone else's token still gets in.
    r.joinWith("Bob", identity("u-bob", null, false));
  }

  @Test
  void tokenToCreateGuestsWaitUntilATokenHolderOpensTheRoomThenComeIn() {
    RoomTestSupport r = room("token-to-create");
    var guest = r.client();
    r.knock(guest, "Guest", null);
    assertTrue(guest.expect(LobbyWaiting.class).forHost());
    var host = r.joinWith("Host", identity("u-host", null, true));
    assertTrue(host.joined.room().participants().size() == 1, "the host enters first");
    Joined guestIn = guest.expect(Joined.class);
    assertEquals(Role.PARTICIPANT, guestIn.role());
    // The room is open now: the next guest comes straight in.
    var late = r.client();
    r.knock(late, "Late", null);
    assertEquals(3, late.expect(Joined.class).room().participants().size());
  }

  @Test
  void tokenToCreateGuestsOfARoomWithItsLobbyOnWaitForAModeratorOnceItOpens() {
    RoomTestSupport r = room("token-to-create");
    var guest = r.client();
    r.knock(guest, "Guest", null);
    String lobbyId = guest.expect(LobbyWaiting.class).lobbyId();
    var holder = r.joinWith("Holder", identity("u-1", null, false)); // opens the room, is no moderator
    var mod = r.joinWith("Mod", identity("u-2", null, true));
    mod.send(new SetLobby(mod.id, true));
    mod.await(SettingsChanged.class);
    var second = r.client();
    r.knock(second, "Second", null);
    LobbyWaiting waiting = second.expect(LobbyWaiting.class);
    assertFalse(waiting.forHost(), "open now: it waits for a moderator");
    mod.send(new Admit(mod.id, waiting.lobbyId()));
    assertEquals(Role.PARTICIPANT, second.expect(Joined.class).role());
    assertNull(holder.joined.grants());
    assertTrue(lobbyId != null);
    guest.await(Joined.class); // the first guest came in when the holder opened the room (lobby was off then)
  }

  @Test
  void aTokenRefusalCountsOnlyWhenTheResumeDoesNotMatch() {
    RoomTestSupport r = room("token");
    var ann = r.joinWith("Ann", identity("u-ann", null, true));
    TestProbe<ClientEvent> again = kit.createTestProbe();
    // Her token expired during the meeting: her session token still resumes her.
    r.room.tell(new Join(ann.token, "Ann", null, false, again.ref(), ann.id, null, null, "token_expired"));
    assertEquals(ann.id, again.expectMessageClass(Resumed.class).participantId());
    TestProbe<ClientEvent> thief = kit.createTestProbe();
    r.room.tell(new Join("other-token", "Ann", null, false, thief.ref(), ann.id, null, null, "token_expired"));
    assertEquals("token_expired", thief.expectMessageClass(JoinRefused.class).code());
  }

  @Test
  void aTokensGrantsReachItsHolderAndTravelWithTheRoomState() {
    TestProbe<ClusterSharding.ShardCommand> shard = kit.createTestProbe();
    TestProbe<RoomState> next = kit.createTestProbe();
    RoomConfig config = RoomTestSupport.defaultConfig();
    ActorRef<Command> old = kit.spawn(RoomActor.create("grants", config, WebhookSender.none(), shard.ref(),
        next.ref()::tell));
    Map<String, Boolean> grants = new LinkedHashMap<>(Map.of("recording", true, "screenshare", false));
    TestProbe<ClientEvent> ann = kit.createTestProbe();
    TestProbe<ClientEvent> bob = kit.createTestProbe();
    old.tell(new Join("ta", "Ann", null, false, ann.ref()).withIdentity(new Identity("u-ann", null, true, grants)));
    Joined joined = ann.expectMessageClass(Joined.class);
    assertEquals(grants, joined.grants());
    old.tell(new Join("tb", "Bob", null, false, bob.ref()).withIdentity(new Identity("u-bob", null, false, null)));
    String bobId = bob.expectMessageClass(Joined.class).participantId();
    old.tell(new Remove(joined.participantId(), bobId));
    bob.expectMessageClass(Removed.class);
    old.tell(new StopRoom());
    RoomState state = next.expectMessageClass(RoomState.class);
    assertEquals(grants, state.participants().get(0).identity().grants());
    assertEquals("u-ann", state.participants().get(0).identity().subject());
    assertEquals(List.of("u-bob"), state.bannedSubjects());

    ActorRef<Command> successor = kit.spawn(RoomActor.create("grants", config, WebhookSender.none(), shard.ref(),
        next.ref()::tell));
    successor.tell(new RestoreRoom(state));
    TestProbe<ClientEvent> bobAgain = kit.createTestProbe();
    successor.tell(new Join("tb2", "Bob", null, false, bobAgain.ref())
        .withIdentity(new Identity("u-bob", null, false, null)));
    assertEquals("banned", bobAgain.expectMessageClass(JoinRefused.class).code(), "the ban survives the move");
  }
}
