package uk.co.lchat.egress;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import uk.co.lchat.egress.EgressInfo.RecordedFile;
import uk.co.lchat.media.control.TrackInfo;
import uk.co.lchat.room.RoomProtocol.RecorderPresentation;

/**
 * What a {@link RoomRecording} makes of the room's tracks: a file per track ({@link TrackFiles}), or the meeting as
 * one picture and sound ({@link CompositeFile}). The recording runs one FFmpeg per track that this output takes,
 * fed by the router; the output says what each does and what else runs beside them.
 */
interface RecordingOutput {
  /** The egress type the API shows: {@code track} or {@code composite}. */
  String type();

  /** Starts what runs beside the tracks' FFmpegs (the composite's encoder); called once, when recording starts. */
  void begin() throws IOException;

  /**
   * Completes when what {@link #begin} started exits; if that happens before {@link #stop}, the recording failed.
   * Null when nothing runs beside the tracks.
   */
  CompletableFuture<Integer> exit();

  /** The FFmpeg for a new track of the room, or null when this output does not take such a track. */
  TrackRecorder start(TrackInfo track, String displayName) throws IOException;

  /** What the room presents now (a composite shows its page on stage); track files record no such thing. */
  default void presentation(RecorderPresentation now) {}

  /** The room's tracks and names after a change (a recording's layout follows joins and leaves). */
  void tracks(List<TrackInfo> tracks, Map<String, String> names);

  /**
   * Why what {@link #begin} started exited before it was stopped: {@code encoder_failed}, {@code stream_failed},
   * {@code disk_full}.
   */
  default String failure() {
    return "encoder_failed";
  }

  /** Whether it writes files to the storage (and so needs room there). */
  default boolean writes() {
    return true;
  }

  /** A track's FFmpeg has exited. */
  void ended(TrackRecorder recorder);

  /** The recording ends: finalise (the tracks' FFmpegs are being stopped at the same time). */
  void stop(Duration timeout);

  /** The files written, once everything has exited; probes them, so it is called off the actor's thread. */
  List<RecordedFile> files(List<TrackRecorder> finished, Map<String, String> names);
}
