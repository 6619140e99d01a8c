package uk.co.lchat.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import uk.co.lchat.room.RoomProtocol.*;

class RoomMembershipTest {
  static final ActorTestKit kit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  private RoomTestSupport room() {
    return new RoomTestSupport(kit, RoomTestSupport.defaultConfig());
  }

  @Test
  void firstJoinerIsModeratorAndLaterJoinersAreParticipants() {
    RoomTestSupport r = room();
    var ann = r.join("Ann");
    var bob = r.join("Bob");
    assertEquals(Role.MODERATOR, ann.joined.role());
    assertEquals(Role.PARTICIPANT, bob.joined.role());
    assertEquals(List.of("Ann", "Bob"), bob.joined.room().participants().stream().map(ParticipantView::displayName).toList());
  }

  @Test
  void rosterChangesArePushedToEveryoneInJoinOrder() {
    RoomTestSupport r = room();
    var ann = r.join("Ann");
    var bob = r.join("Bob");
    RosterChanged seenByAnn = ann.expect(RosterChanged.class);
    assertEquals(List.of(ann.id, bob.id), seenByAnn.participants().stream().map(ParticipantView::id).toList());
    assertTrue(seenByAnn.participants().get(0).joinOrder() < seenByAnn.participants().get(1).joinOrder());
    bob.send(new Leave(bob.id));
    assertEquals(List.of(ann.id), ann.expect(RosterChanged.class).participants().stream().map(ParticipantView::id).toList());
  }

  @Test
  void clashingNamesGetAUniqueSuffix() {
    RoomTestSupport r = room();
    r.join("Ann");
    assertEquals("ann (2)", r.join("ann").joined.room().participants().get(1).displayName());
    assertEquals("Ann (3)", r.join("  Ann ").joined.room().participants().get(2).displayName());
  }

  @Test
  void invalidNamesAreRefusedWithoutRevealingTheRoom() {
    RoomTestSupport r = room();
    var ann = r.join("Ann");
    for (String bad : new String[] {null, "", "   ", "x".repeat(65), "bell\u0007"}) {
      var c = r.client();
      r.knock(c, bad, null);
      assertEquals("invalid_name", c.expect(JoinRefused.class).code());
      c.expectNothing();
    }
    ann.expectNothing();
  }

  @Test
  void namesThatCouldDisplayAsAnotherAreRefused() {
    RoomTestSupport r = room();
    r.join("Ann");
    // Right-to-left override, isolates, zero-width space, joiner and no-break space, word joiner, soft hyphen.
    for (String bad : new String[] {"\u202Enna", "Ann\u2066x\u2069", "An\u200Bn", "A\u200Dnn", "\uFEFFAnn",
        "Ann\u2060", "An\u00ADn", "Bob\u200E"}) {
      var c = r.client();
      r.knock(c, bad, null);
      assertEquals("invalid_name", c.expect(JoinRefused.class).code(), bad);
    }
  }

  @Test
  void namesAreNormalisedSoTheSameLettersAreTheSameName() {
    RoomTestSupport r = room();
    r.join("Zo\u00EB");
    // 'e' followed by a combining diaeresis is the same name once composed (NFC): it clashes.
    assertEquals("Zo\u00EB (2)", r.join("Zoe\u0308").joined.room().participants().get(1).displayName());
  }

  @Test
  void emojiBuiltWithAJoinerAreAcceptedInNames() {
    RoomTestSupport r = room();
    // woman + ZWJ + laptop, and a skin tone before the joiner
    String coder = "Ann \uD83D\uDC69\u200D\uD83D\uDCBB";
    String toned = "Bob \uD83D\uDC68\uD83C\uDFFD\u200D\uD83D\uDE80";
    assertEquals(coder, r.join(coder).joined.room().participants().get(0).displayName());
    assertEquals(toned, r.join(toned).joined.room().participants().get(1).displayName());
  }

  @Test
  void lastModeratorLeavingPromotesTheEarliestRemainingParticipant() {
    RoomTestSupport r = room();
    var ann = r.join("Ann");
    var bob = r.join("Bob");
    var cat = r.join("Cat");
    ann.send(new Leave(ann.id));
    assertEquals(Role.MODERATOR, bob.await(RoleChanged.class).role());
    RosterChanged roster = cat.await(RosterChanged.class);
    assertEquals(Role.MODERATOR, roster.participants().get(0).role());
    assertEquals(Role.PARTICIPANT, roster.participants().get(1).role());
  }

  @Test
  void moderatorCanGrantModeratorButAParticipantCannot() {
    RoomTestSupport r = room();
    var ann = r.join("Ann");
    var bob = r.join("Bob");
    var cat = r.join("Cat");
    bob.drain();
    bob.send(new GrantModerator(bob.id, cat.id));
    assertEquals("forbidden", bob.expect(CommandRejected.class).code());
    ann.send(new GrantModerator(ann.id, bob.id));
    assertEquals(Role.MODERATOR, bob.await(RoleChanged.class).role());
  }

  @Test
  void roomFullRefusesTheNextJoinerButViewersHaveTheirOwnLimit() {
    RoomTestSupport r = new RoomTestSupport(kit, RoomTestSupport.configWith("lchat.room { max-participants = 2, max-viewers = 1 }"));
    r.join("Ann");
    r.join("Bob");
    var third = r.client();
    r.knock(third, "Cat", null);
    assertEquals("room_full", third.expect(JoinRefused.class).code());
    var viewer = r.client();
    r.room.tell(new Join(viewer.token, "Viewer", null, true, viewer.probe.ref()));
    assertEquals(Role.VIEWER, viewer.expect(Joined.class).role());
    var secondViewer = r.client();
    r.room.tell(new Join(secondViewer.token, "Viewer 2", null, true, secondViewer.probe.ref()));
    assertEquals("room_full", secondViewer.expect(JoinRefused.class).code());
  }

  @Test
  void viewersNeverBecomeModerators() {
    RoomTestSupport r = room();
    var viewer = r.client();
    r.room.tell(new Join(viewer.token, "Viewer", null, true, viewer.probe.ref()));
    assertEquals(Role.VIEWER, viewer.expect(Joined.class).role());
    var ann = r.join("Ann");
    assertEquals(Role.MODERATOR, ann.joined.role());
  }

  @Test
  void aClosedConnectionLeavesTheRoom() {
    RoomTestSupport r = room();
    var ann = r.join("Ann");
    TestProbe<ClientEvent> bobEvents = kit.createTestProbe();
    ActorRef<ClientEvent> bobSession = kit.spawn(Behaviors.receiveMessage(e -> {
      bobEvents.ref().tell(e);
      return Behaviors.same();
    }));
    r.room.tell(new Join("bob-token", "Bob", null, false, bobSession));
    bobEvents.expectMessageClass(Joined.class);
    assertEquals(2, ann.expect(RosterChanged.class).participants().size());
    kit.stop(bobSession);
    assertEquals(1, ann.expect(RosterChanged.class).participants().size());
  }

  @Test
  void theRoomEndsWhenTheLastParticipantLeavesAndForgetsEverything() {
    RoomTestSupport r = room();
    var ann = r.join("Ann");
    ann.send(new SendChat(ann.id, "hello", null));
    ann.send(new Leave(ann.id));
    TestProbe<Object> watcher = kit.createTestProbe();
    watcher.expectTerminated(r.room);
  }

  @Test
  void getInfoOnAnUnusedRoomSaysItDoesNotExist() {
    RoomTestSupport r = room();
    TestProbe<RoomInfo> reply = kit.createTestProbe();
    r.room.tell(new GetInfo(reply.ref()));
    RoomInfo info = reply.receiveMessage();
    assertFalse(info.exists());
    assertEquals(0, info.size());
    reply.expectTerminated(r.room);
  }

  @Test
  void getInfoReportsSizeAndLock() {
    RoomTestSupport r = room();
    var ann = r.join("Ann");
    r.join("Bob");
    ann.send(new SetLobby(ann.id, true));
    TestProbe<RoomInfo> reply = kit.createTestProbe();
    r.room.tell(new GetInfo(reply.ref()));
    RoomInfo info = reply.receiveMessage();
    assertTrue(info.exists());
    assertEquals(2, info.size());
    assertTrue(info.locked());
  }

  @Test
  void anEmptyShardedRoomAsksItsShardToPassivateAndRefusesLateJoinersUntilItStops() {
    TestProbe<ClusterSharding.ShardCommand> shard = kit.createTestProbe();
    ActorRef<Command> room = kit.spawn(RoomActor.create("passivating", RoomTestSupport.defaultConfig(),
        WebhookSender.none(), shard.ref()));
    TestProbe<ClientEvent> ann = kit.createTestProbe();
    room.tell(new Join("t1", "Ann", null, false, ann.ref()));
    String id = ann.expectMessageClass(Joined.class).participantId();
    room.tell(new Leave(id));
    ClusterSharding.Passivate<?> passivate = shard.expectMessageClass(ClusterSharding.Passivate.class);
    assertEquals(room, passivate.entity());
    TestProbe<ClientEvent> late = kit.createTestProbe();
    room.tell(new Join("t2", "Late", null, false, late.ref()));
    assertEquals("retry", late.expectMessageClass(JoinRefused.class).code());
    room.tell(new StopRoom());
    shard.expectTerminated(room);
  }

  @Test
  void aLargeRoomBatchesOnlyTheRosterChangesIntoOneDeltaPerInterval() {
    RoomTestSupport r = new RoomTestSupport(kit, RoomTestSupport.configWith(
        "lchat.room.roster-batch-above = 2\nlchat.room.roster-batch-interval = 400ms"));
    var ann = r.join("Ann");
    var bob = r.join("Bob");
    assertEquals(2, ann.expect(RosterChanged.class).participants().size(), "a small room hears the whole roster at once");
    var cat = r.join("Cat");
    var dan = r.join("Dan");
    var eve = r.join("Eve");
    // Three joins past the threshold: one delta, after the interval, with the three newcomers only.
    RosterDelta joins = ann.expect(RosterDelta.class);
    assertEquals(List.of(cat.id, dan.id, eve.id), ids(joins.changed()));
    assertEquals(List.of(), joins.left());
    ann.expectNothing();
    assertEquals(joins, eve.expect(RosterDelta.class), "a newcomer gets the batch too, on top of its snapshot");

    dan.send(new Leave(dan.id));
    cat.send(new SetOwnMute(cat.id, true, false));
    RosterDelta changes = ann.expect(RosterDelta.class);
    assertEquals(List.of(cat.id), ids(changes.changed()), "only who changed");
    assertTrue(changes.changed().get(0).audioMuted());
    assertEquals(List.of(dan.id), changes.left());
  }

  private static List<String> ids(List<ParticipantView> views) {
    return views.stream().map(ParticipantView::id).toList();
  }
}
