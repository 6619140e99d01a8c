package uk.co.lchat.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Duration;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import uk.co.lchat.room.RoomProtocol.*;

/**
 * A recording whose node drains is continued by an egress on another node: the room takes the new recorder in the
 * old one's place at once, the old one records on until the new one records every track (so the files overlap),
 * and people see one recording going on.
 */
class RecordingHandOverTest {
  static final ActorTestKit kit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  private final TestProbe<ServerAnswer> api = kit.createTestProbe();

  private static RoomTestSupport recordableRoom() {
    return new RoomTestSupport(kit, RoomTestSupport.configWith("lchat.room.features.recording = true"));
  }

  private ServerReply start(RoomTestSupport r, String egressId, TestProbe<RecorderEvent> recorder, String replaces) {
    r.room.tell(new StartRecording(null, egressId, recorder.ref(), api.ref(), replaces, null));
    return api.expectMessageClass(ServerReply.class);
  }

  @Test
  void aContinuingEgressTakesTheRecordersPlaceAndTheOldOneStopsOnceTheNewOneIsLive() {
    RoomTestSupport r = recordableRoom();
    var ann = r.join("Ann");
    TestProbe<RecorderEvent> first = kit.createTestProbe();
    TestProbe<RecorderEvent> second = kit.createTestProbe();
    assertEquals(Outcome.DONE, start(r, "EG_1", first, null).outcome());
    RecordingView started = ann.await(RecordingChanged.class).recording();
    first.expectMessageClass(RecorderTracks.class);

    assertEquals(Outcome.DONE, start(r, "EG_2", second, "EG_1").outcome());
    second.expectMessageClass(RecorderTracks.class, Duration.ofSeconds(3));
    first.expectNoMessage(RoomTestSupport.QUIET); // it records on until its successor records every track
    r.room.tell(new RecordingLive("EG_1")); // not the successor: nothing happens
    first.expectNoMessage(RoomTestSupport.QUIET);
    r.room.tell(new RecordingLive("EG_2"));
    assertEquals("moved", first.expectMessageClass(RecorderStop.class).reason());
    RecordingChanged moved = ann.await(RecordingChanged.class);
    assertNotNull(moved.recording(), "the recording goes on");
    assertEquals("EG_2", moved.recording().egressId());
    assertEquals(started.startedAtMillis(), moved.recording().startedAtMillis(), "the same recording, continued");
    assertEquals("moved", moved.reason());

    // The old recorder's own end (its node finalising) no longer ends the recording: the new one runs.
    r.room.tell(new RecordingEnded("EG_1", "node_shutdown"));
    r.room.tell(new StopRecording(null, "EG_2", api.ref()));
    assertEquals(Outcome.DONE, api.expectMessageClass(ServerReply.class).outcome());
    assertEquals("stopped", second.expectMessageClass(RecorderStop.class).reason());
  }

  @Test
  void directMediaBetweenTwoPeopleIsRefusedWhileTheMeetingIsRecordedAndAllowedAgainAfter() {
    RoomTestSupport r = new RoomTestSupport(kit, RoomTestSupport.configWith(
        "lchat.room.features.recording = true\nlchat.room.features.p2p = true"));
    var ann = r.join("Ann");
    var bob = r.join("Bob");
    String offer = "{\"candidate\":null}";
    TestProbe<RecorderEvent> recorder = kit.createTestProbe();
    assertEquals(Outcome.DONE, start(r, "EG_1", recorder, null).outcome());
    ann.drain();
    bob.drain();
    ann.send(new RelayToPeer(ann.id, bob.id, offer));
    CommandRejected refused = ann.await(CommandRejected.class);
    assertEquals("forbidden", refused.code(), "a direct call would bypass the recording: " + refused.message());
    bob.expectNothing();

    r.room.tell(new StopRecording(null, "EG_1", api.ref()));
    assertEquals(Outcome.DONE, api.expectMessageClass(ServerReply.class).outcome());
    ann.send(new RelayToPeer(ann.id, bob.id, offer));
    assertEquals(offer, bob.await(PeerRelayed.class).payload());
  }

  @Test
  void aContinuationOfARecordingThatNoLongerRunsIsRefused() {
    RoomTestSupport r = recordableRoom();
    r.join("Ann");
    TestProbe<RecorderEvent> first = kit.createTestProbe();
    TestProbe<RecorderEvent> late = kit.createTestProbe();
    assertEquals(Outcome.DONE, start(r, "EG_1", first, null).outcome());
    r.room.tell(new StopRecording(null, "EG_1", api.ref()));
    assertEquals(Outcome.DONE, api.expectMessageClass(ServerReply.class).outcome());

    ServerReply refused = start(r, "EG_2", late, "EG_1");
    assertEquals(Outcome.NO_PARTICIPANT, refused.outcome());
    late.expectNoMessage(RoomTestSupport.QUIET);
    assertInstanceOf(String.class, refused.message());
  }
}
