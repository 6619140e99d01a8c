package uk.co.lchat.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import uk.co.lchat.room.RoomProtocol.*;

/** A sharded room between asking its shard to passivate it and being stopped: the closing behaviour. */
class RoomClosingTest {
  static final ActorTestKit kit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  private final TestProbe<ClusterSharding.ShardCommand> shard = kit.createTestProbe();
  private final TestProbe<RoomState> next = kit.createTestProbe();

  /** A room that had Ann in it and is closing now that she left. */
  private ActorRef<Command> closingRoom(String name) {
    ActorRef<Command> room = kit.spawn(RoomActor.create(name, RoomTestSupport.defaultConfig(), WebhookSender.none(),
        shard.ref(), next.ref()::tell));
    TestProbe<ClientEvent> ann = kit.createTestProbe();
    room.tell(new Join("t1", "Ann", null, false, ann.ref()));
    room.tell(new Leave(ann.expectMessageClass(Joined.class).participantId()));
    shard.expectMessageClass(ClusterSharding.Passivate.class);
    return room;
  }

  @Test
  void aClosingRoomAnswersQuestionsAsAnEmptyRoomAndTakesNothingNew() {
    ActorRef<Command> room = closingRoom("closing-answers");
    TestProbe<RoomInfo> info = kit.createTestProbe();
    room.tell(new GetInfo(info.ref()));
    RoomInfo i = info.receiveMessage();
    assertFalse(i.exists());
    assertEquals(0, i.size());

    TestProbe<ServerAnswer> api = kit.createTestProbe();
    room.tell(new ServerMute("anyone", MediaKind.AUDIO, api.ref()));
    assertEquals(new ServerReply(Outcome.NO_ROOM, "No meeting closing-answers is going on."), api.receiveMessage());
    room.tell(new EndRoom(api.ref()));
    assertEquals(Outcome.NO_ROOM, ((ServerReply) api.receiveMessage()).outcome());
    room.tell(new GetDetails(api.ref()));
    assertFalse(((RoomDetails) api.receiveMessage()).exists());
    room.tell(new CreateRoom(new RoomSetup(null, false, 0, -1, null, 0), api.ref()));
    assertEquals(new ServerReply(Outcome.EXISTS, "The room closing-answers is closing; try again."),
        api.receiveMessage());
    TestProbe<TrackList> tracks = kit.createTestProbe();
    room.tell(new GetTracks(null, tracks.ref()));
    assertFalse(tracks.receiveMessage().exists());

    shard.expectNoMessage(RoomTestSupport.QUIET); // asked to passivate once, not again for each question
    room.tell(new StopRoom());
    shard.expectTerminated(room);
    next.expectNoMessage(RoomTestSupport.QUIET);
  }

  @Test
  void aHandoverThatRacesThePassivationOpensTheRoomAgainAndKeepsItsMeeting() {
    // The state of a meeting with Bob in it, from a room whose node left.
    ActorRef<Command> old = kit.spawn(RoomActor.create("closing-reopens", RoomTestSupport.defaultConfig(),
        WebhookSender.none(), shard.ref(), next.ref()::tell));
    TestProbe<ClientEvent> bob = kit.createTestProbe();
    old.tell(new Join("tb", "Bob", null, false, bob.ref()));
    String bobId = bob.expectMessageClass(Joined.class).participantId();
    old.tell(new StopRoom());
    RoomState state = next.expectMessageClass(RoomState.class);

    ActorRef<Command> room = closingRoom("closing-reopens");
    room.tell(new RestoreRoom(state));
    TestProbe<RoomInfo> info = kit.createTestProbe();
    room.tell(new GetInfo(info.ref()));
    RoomInfo i = info.receiveMessage();
    assertTrue(i.exists());
    assertEquals(1, i.size());
    TestProbe<ClientEvent> cat = kit.createTestProbe();
    room.tell(new Join("tc", "Cat", null, false, cat.ref()));
    assertEquals(List.of("Bob", "Cat"), cat.expectMessageClass(Joined.class).room().participants().stream()
        .map(ParticipantView::displayName).toList());

    // The passivation it had asked for still ends this incarnation: the meeting goes on in the next.
    room.tell(new StopRoom());
    RoomState handedOn = next.expectMessageClass(RoomState.class);
    assertEquals(List.of("Bob", "Cat"), handedOn.participants().stream().map(MemberState::displayName).toList());
    assertEquals(bobId, handedOn.participants().get(0).id());
    shard.expectTerminated(room);
  }
}
