package uk.co.lchat.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import uk.co.lchat.media.control.TrackInfo;
import uk.co.lchat.room.RoomProtocol.Outcome;
import uk.co.lchat.room.RoomProtocol.RecorderTracks;
import uk.co.lchat.room.RoomProtocol.Recording;
import uk.co.lchat.room.RoomProtocol.Role;
import uk.co.lchat.room.RoomProtocol.ServerReply;

/** Who may start and stop the room's recording, one at a time, and when its recorder hears of the tracks. */
class RecordingStateTest {
  private final Roster roster = new Roster();
  private final Participant mod = roster.add("t1", "Mod", Role.MODERATOR, null, null);
  private final Participant ann = roster.add("t2", "Ann", Role.PARTICIPANT, null, null);
  private static final Map<String, Boolean> ON = Map.of("recording", true);
  private static final Map<String, Boolean> OFF = Map.of("recording", false);
  private final TrackInfo annAudio = new TrackInfo(ann.id, "a1", "audio", 1, "opus", 48000, 2, null, null);
  private final TrackInfo annVideo = new TrackInfo(ann.id, "v1", "video", 2, "VP8", 90000, 1, null, null);

  private static Recording recording(String id) {
    return new Recording(id, "Mod", 1000, null);
  }

  @Test
  void onlyAModeratorOrTheServerApiStartsARecordingAndOnlyWithTheRoomsRecordingFeatureOn() {
    RecordingState r = new RecordingState();
    assertEquals(new ServerReply(Outcome.INVALID, "Only a moderator can start a recording."),
        r.refuseStart(ann, false, ON));
    assertEquals(new ServerReply(Outcome.INVALID, "Only a moderator can start a recording."),
        r.refuseStart(null, false, ON), "someone who left");
    assertEquals(new ServerReply(Outcome.INVALID, "Recording is off in this room (feature recording)."),
        r.refuseStart(mod, false, OFF));
    assertEquals(new ServerReply(Outcome.INVALID, "Recording is off in this room (feature recording)."),
        r.refuseStart(null, true, Map.of()), "off unless turned on");
    assertNull(r.refuseStart(mod, false, ON));
    assertNull(r.refuseStart(null, true, ON));
  }

  @Test
  void aTokenThatGrantsRecordingLetsAParticipantStartAndStopAndOneThatDeniesItStopsEvenAModerator() {
    RecordingState r = new RecordingState();
    Participant assistant = roster.add("t3", "Rec", Role.PARTICIPANT, null,
        new RoomProtocol.Identity("rec-bot", null, false, Map.of("recording", true)));
    Participant barred = roster.add("t4", "Boss", Role.MODERATOR, null,
        new RoomProtocol.Identity("boss", null, true, Map.of("recording", false)));
    assertNull(r.refuseStart(assistant, false, ON));
    assertEquals(new ServerReply(Outcome.INVALID, "Recording is off in this room (feature recording)."),
        r.refuseStart(assistant, false, OFF), "a token never turns on what the room has off");
    ServerReply refused = r.refuseStart(barred, false, ON);
    assertEquals(Outcome.INVALID, refused.outcome());
    assertEquals("Your invitation does not allow recording (its join token sets recording to false).",
        refused.message());
    r.start(recording("EG_1"));
    assertNull(r.refuseStop(assistant, false, "EG_1"));
  }

  @Test
  void aLiveStreamNeedsTheRoomsStreamingFeatureAndAFileTheRecordingFeature() {
    RecordingState r = new RecordingState();
    Map<String, Boolean> recordOnly = Map.of("recording", true, "streaming", false);
    Map<String, Boolean> streamOnly = Map.of("recording", false, "streaming", true);
    assertEquals(new ServerReply(Outcome.INVALID, "Streaming is off in this room (feature streaming)."),
        r.refuseStart(mod, false, recordOnly, List.of("recording", "streaming")));
    assertNull(r.refuseStart(mod, false, streamOnly, List.of("streaming")), "a stream that keeps no file");
    assertEquals(new ServerReply(Outcome.INVALID, "Recording is off in this room (feature recording)."),
        r.refuseStart(null, true, streamOnly, List.of("recording", "streaming")));
    Participant noStreams = roster.add("t5", "Guest mod", Role.MODERATOR, null,
        new RoomProtocol.Identity("g", null, true, Map.of("streaming", false)));
    assertEquals("Your invitation does not allow live streaming (its join token sets streaming to false).",
        r.refuseStart(noStreams, false, Map.of("recording", true, "streaming", true),
            List.of("recording", "streaming")).message());
  }

  @Test
  void oneRecordingRunsAtATimeAndOnlyTheOneRunningEnds() {
    RecordingState r = new RecordingState();
    r.start(recording("EG_1"));
    assertEquals(new ServerReply(Outcome.EXISTS, "Already recording: EG_1"), r.refuseStart(mod, false, ON));
    assertEquals(new ServerReply(Outcome.NO_PARTICIPANT, "No such recording in this room."),
        r.refuseStop(mod, false, "EG_2"));
    assertEquals(new ServerReply(Outcome.INVALID, "Only a moderator can stop a recording."),
        r.refuseStop(ann, false, "EG_1"));
    assertNull(r.refuseStop(mod, false, null), "a moderator stops whichever runs");
    assertNull(r.refuseStop(null, true, "EG_1"));
    assertNull(r.end("EG_2"), "not the one running");
    assertEquals("EG_1", r.current().egressId());
    assertEquals("EG_1", r.end("EG_1").egressId());
    assertNull(r.current());
    assertNull(r.end("EG_1"), "over already");
    assertEquals(new ServerReply(Outcome.NO_PARTICIPANT, "No such recording in this room."),
        r.refuseStop(null, true, null));
  }

  @Test
  void theRecorderHearsTheTracksWhenTheyChangeAndAgainAfterARestart() {
    RecordingState r = new RecordingState();
    assertNull(r.tracksNow("moon", List.of(annAudio), Map.of(ann.id, "Ann")), "no recorder, nobody to tell");
    r.start(recording("EG_1"));
    RecorderTracks first = r.tracksNow("moon", List.of(annAudio), Map.of(ann.id, "Ann"));
    assertEquals(new RecorderTracks("moon", List.of(annAudio), Map.of(ann.id, "Ann")), first);
    assertNull(r.tracksNow("moon", List.of(annAudio), Map.of(ann.id, "Ann")), "nothing changed");
    assertEquals(List.of(annAudio, annVideo),
        r.tracksNow("moon", List.of(annAudio, annVideo), Map.of(ann.id, "Ann")).tracks());
    r.end("EG_1");
    Recording next = recording("EG_2");
    r.start(next);
    assertSame(next, r.current());
    assertEquals(List.of(annAudio, annVideo),
        r.tracksNow("moon", List.of(annAudio, annVideo), Map.of(ann.id, "Ann")).tracks(),
        "a new recorder hears everything once");
  }
}
