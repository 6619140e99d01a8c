package uk.co.lchat.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import uk.co.lchat.media.control.MediaRouterProtocol;
import uk.co.lchat.media.control.TrackInfo;
import uk.co.lchat.room.RoomProtocol.*;

/** A participant resuming over a new connection, and a room handing itself over when its node leaves. */
class RoomHandoffTest {
  static final ActorTestKit kit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  @Test
  void aResumeWithTheSameTokenKeepsTheParticipantAndMovesItsEvents() {
    RoomTestSupport r = new RoomTestSupport(kit, RoomTestSupport.defaultConfig());
    var ann = r.join("Ann");
    var bob = r.join("Bob");
    TestProbe<MediaRouterProtocol.Command> router = kit.createTestProbe();
    bob.send(new AttachMedia(bob.id, router.ref()));
    ann.drain();
    bob.drain();

    TestProbe<ClientEvent> bobAgain = kit.createTestProbe();
    r.room.tell(new Join(bob.token, "Bob", null, false, bobAgain.ref(), bob.id));
    Resumed resumed = bobAgain.expectMessageClass(Resumed.class);
    assertEquals(bob.id, resumed.participantId());
    assertEquals(Role.PARTICIPANT, resumed.role());
    assertEquals(router.ref(), resumed.mediaRouter());
    assertEquals(2, resumed.room().participants().size());
    bob.expect(Superseded.class);
    ann.expectNothing(); // nobody else sees a thing

    // The old connection's socket may close before it hears Superseded: its leave is not Bob's.
    r.room.tell(new Leave(bob.id, bob.probe.ref()));
    ann.expectNothing();
    // Events now reach the new connection only; the old one closing is not a leave.
    ann.send(new SendChat(ann.id, "hello", null));
    assertEquals("hello", bobAgain.expectMessageClass(ChatDelivered.class).message().text());
    bob.expectNothing();
    bob.probe.stop();
    ann.await(ChatDelivered.class);
    ann.expectNothing();
    // A leave from the connection Bob uses now is his.
    r.room.tell(new Leave(bob.id, bobAgain.ref()));
    assertEquals(1, ann.await(RosterChanged.class).participants().size());
  }

  @Test
  void aResumeWithAnotherTokenIsAnOrdinaryJoin() {
    RoomTestSupport r = new RoomTestSupport(kit, RoomTestSupport.defaultConfig());
    var ann = r.join("Ann");
    TestProbe<ClientEvent> thief = kit.createTestProbe();
    r.room.tell(new Join("not-ann's-token", "Mallory", null, false, thief.ref(), ann.id));
    Joined joined = thief.expectMessageClass(Joined.class);
    assertNotEquals(ann.id, joined.participantId());
    ann.await(RosterChanged.class);
  }

  @Test
  void aHandoffCarriesTheWholeRoomToItsNextIncarnation() {
    TestProbe<ClusterSharding.ShardCommand> shard = kit.createTestProbe();
    TestProbe<RoomState> next = kit.createTestProbe();
    RoomConfig config = RoomTestSupport.defaultConfig();
    ActorRef<Command> old = kit.spawn(RoomActor.create("handoff", config, WebhookSender.none(), shard.ref(),
        next.ref()::tell));
    TestProbe<ClientEvent> ann = kit.createTestProbe();
    TestProbe<ClientEvent> bob = kit.createTestProbe();
    TestProbe<MediaRouterProtocol.Command> router = kit.createTestProbe();
    old.tell(new Join("ta", "Ann", null, false, ann.ref()));
    String annId = ann.expectMessageClass(Joined.class).participantId();
    old.tell(new Join("tb", "Bob", null, false, bob.ref()));
    String bobId = bob.expectMessageClass(Joined.class).participantId();
    old.tell(new SetPasscode(annId, "s3cret"));
    old.tell(new SetHand(bobId, true));
    old.tell(new SendChat(annId, "before the move", null));
    old.tell(new AttachMedia(annId, router.ref()));
    TrackInfo track = new TrackInfo(annId, annId + "-0-1", "audio", 1234, "opus", 48000, 2, null, router.ref());
    old.tell(new PublishTracks(annId, List.of(track)));
    old.tell(new AttachMedia(bobId, router.ref()));
    old.tell(new StopRoom()); // what the shard sends on a handoff
    RoomState state = next.expectMessageClass(RoomState.class);
    assertEquals(2, state.participants().size());

    ActorRef<Command> successor = kit.spawn(RoomActor.create("handoff", config, WebhookSender.none(), shard.ref(),
        next.ref()::tell));
    successor.tell(new RestoreRoom(state));
    // Bob's router hears its sources again from the new incarnation.
    MediaRouterProtocol.SetSources sources = router.fishForMessage(java.time.Duration.ofSeconds(3),
        m -> m instanceof MediaRouterProtocol.SetSources s && s.participantId().equals(bobId)
            ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
            : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore()).stream()
        .map(MediaRouterProtocol.SetSources.class::cast).reduce((a, b) -> b).orElseThrow();
    assertEquals(List.of(track), sources.sources());

    TestProbe<ClientEvent> cat = kit.createTestProbe();
    successor.tell(new Join("tc", "Cat", "wrong", false, cat.ref()));
    assertEquals("passcode_wrong", cat.expectMessageClass(JoinRefused.class).code());
    successor.tell(new Join("tc", "Cat", "s3cret", false, cat.ref()));
    Joined joined = cat.expectMessageClass(Joined.class);
    assertEquals(List.of("Ann", "Bob", "Cat"),
        joined.room().participants().stream().map(ParticipantView::displayName).toList());
    assertEquals(List.of(bobId), joined.room().hands());
    assertEquals("before the move", joined.room().chatHistory().get(0).text());
    assertTrue(joined.room().participants().get(2).joinOrder() > joined.room().participants().get(1).joinOrder());
    assertEquals(Role.MODERATOR, joined.room().participants().get(0).role());
    // The old sessions are the new room's members: a message from Bob reaches Ann, Bob leaving is seen.
    successor.tell(new SendChat(bobId, "after the move", null));
    ann.fishForMessage(java.time.Duration.ofSeconds(3), e -> e instanceof ChatDelivered c
        && c.message().text().equals("after the move")
        ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
        : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore());
    bob.stop();
    ann.fishForMessage(java.time.Duration.ofSeconds(3), e -> e instanceof RosterChanged rc
        && rc.participants().size() == 2
        ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
        : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore());
  }

  @Test
  void anEmptyRoomStopsWithoutHandingAnythingOver() {
    TestProbe<ClusterSharding.ShardCommand> shard = kit.createTestProbe();
    TestProbe<RoomState> next = kit.createTestProbe();
    ActorRef<Command> room = kit.spawn(RoomActor.create("empty", RoomTestSupport.defaultConfig(),
        WebhookSender.none(), shard.ref(), next.ref()::tell));
    room.tell(new StopRoom());
    shard.expectTerminated(room);
    next.expectNoMessage(RoomTestSupport.QUIET);
  }
}
