package uk.co.lchat.egress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import uk.co.lchat.egress.EgressInfo.RecordedFile;
import uk.co.lchat.media.control.TrackInfo;

/**
 * Per-track recording: each participant's audio and video as they arrive, copied without transcoding into a WebM
 * of its own ({@code <name>-<participant>-<kind>-<track>.webm}), for post-production. Nothing runs beside the
 * tracks' FFmpegs.
 */
final class TrackFiles implements RecordingOutput {
  private final EgressSettings settings;
  private final Path directory;

  TrackFiles(EgressSettings settings, Path directory) {
    this.settings = settings;
    this.directory = directory;
  }

  @Override
  public String type() {
    return "track";
  }

  @Override
  public void begin() {}

  @Override
  public CompletableFuture<Integer> exit() {
    return null;
  }

  /** Opus and VP8 (VP9 too) are copied into WebM; anything else is not recorded per track. */
  @Override
  public TrackRecorder start(TrackInfo t, String displayName) throws IOException {
    String c = t.codec().toUpperCase(Locale.ROOT);
    if (!c.equals("OPUS") && !c.equals("VP8") && !c.equals("VP9")) {
      return null;
    }
    String name = RoomRecording.safe(displayName == null ? "participant" : displayName) + "-"
        + RoomRecording.safe(t.participantId()) + "-" + t.kind() + "-" + RoomRecording.safe(t.trackId());
    Path file = directory.resolve(name + ".webm");
    // A track that paused and came back continues in a file of its own: -2, -3, ...
    for (int segment = 2; Files.exists(file); segment++) {
      file = directory.resolve(name + "-" + segment + ".webm");
    }
    return TrackRecorder.start(settings, t, file);
  }

  @Override
  public void tracks(List<TrackInfo> tracks, Map<String, String> names) {}

  @Override
  public void ended(TrackRecorder recorder) {}

  @Override
  public void stop(Duration timeout) {}

  @Override
  public List<RecordedFile> files(List<TrackRecorder> finished, Map<String, String> names) {
    List<RecordedFile> files = new ArrayList<>();
    for (TrackRecorder r : finished) {
      Probe probe = probe(settings, r.file);
      String codec = probe.codecs().isEmpty() ? r.track.codec().toLowerCase(Locale.ROOT) : probe.codecs().get(0);
      files.add(new RecordedFile(settings.storage().relativize(r.file).toString(), r.track.participantId(),
          names.get(r.track.participantId()), r.track.kind(), codec, size(r.file), probe.durationSeconds(),
          r.listeningSinceMillis(), r.stoppedAtMillis()));
    }
    return files;
  }

  static long size(Path file) {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  /** ffprobe's view of a file; an empty or unreadable one has duration -1 and no codecs. */
  static Probe probe(EgressSettings settings, Path file) {
    try {
      if (size(file) > 0) {
        return Probe.of(settings.ffprobe(), file);
      }
    } catch (IOException e) {
      // reported as unreadable
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return Probe.UNREADABLE;
  }
}
