package uk.co.lchat.egress;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import uk.co.lchat.egress.EgressInfo.RecordedFile;
import uk.co.lchat.egress.composite.CompositeEncoder;
import uk.co.lchat.egress.composite.Compositor;
import uk.co.lchat.egress.composite.FrameCounters;
import uk.co.lchat.egress.composite.Layout.Person;
import uk.co.lchat.egress.composite.Outputs;
import uk.co.lchat.media.control.TrackInfo;
import uk.co.lchat.room.RoomProtocol.RecorderPresentation;

/**
 * The meeting as people see it, in one file ({@code composite.mp4}, H.264 + AAC; or {@code composite.webm}, VP8 +
 * Opus) and/or live streams: every track is decoded by an FFmpeg of its own into the {@link Compositor} (cameras at
 * half the picture's size, screen shares at its full size, audio as PCM), which the {@link CompositeEncoder} draws,
 * mixes and encodes on its clock. A participant's first video is its camera and a second one its screen, as the room
 * and the web client see them. A presented document's page takes the stage ({@link PresentedSlides}).
 */
final class CompositeFile implements RecordingOutput {
  static final int SAMPLE_RATE = 48_000;
  static final int FPS = 30;
  /** The HLS directory's name in the egress's directory: what {@code /hls/<egress>/} serves. */
  static final String HLS = "hls";

  private final EgressSettings settings;
  private final Path directory;

  /** The MP4, or null when the composite is only streamed. */
  private final Path file;
  private final Outputs outputs;
  private final Compositor compositor;
  private final int kbps;
  private final Set<String> screens = new HashSet<>();
  private final FrameCounters frames;
  private CompositeEncoder encoder;
  private final PresentedSlides slides;

  /**
   * The request's layout, size (720: 1280x720, 1080: 1920x1080) and outputs (file, RTMP, HLS); its encoder adds
   * what it does with its frames to {@code frames}, the node's.
   */
  CompositeFile(EgressSettings settings, Path directory, EgressRequest request, FrameCounters frames) {
    this.settings = settings;
    this.directory = directory;
    this.frames = frames;
    this.file = request.file() ? directory.resolve(request.webm() ? "composite.webm" : "composite.mp4") : null;
    this.outputs = new Outputs(file, request.rtmp(), request.hls() ? directory.resolve(HLS) : null, request.webm());
    int height = request.height();
    this.compositor = new Compositor(request.layout(), height * 16 / 9, height, FPS, SAMPLE_RATE);
    this.kbps = height >= 1080 ? 5000 : 2500;
    // The stage: the picture above the strip of people (Layout), where a presented page goes.
    this.slides = new PresentedSlides(compositor, compositor.width(), compositor.height() * 4 / 5);
  }

  @Override
  public String type() {
    return "composite";
  }

  @Override
  public void begin() throws IOException {
    encoder = CompositeEncoder.start(settings.ffmpeg(), compositor, outputs, directory.resolve("work"), kbps, frames);
  }

  @Override
  public CompletableFuture<Integer> exit() {
    return encoder.exit();
  }

  @Override
  public TrackRecorder start(TrackInfo t, String displayName) throws IOException {
    Path work = directory.resolve("work");
    String name = RoomRecording.safe(t.participantId()) + "-" + t.kind() + "-" + RoomRecording.safe(t.trackId());
    if (t.isAudio()) {
      return TrackRecorder.decode(settings, t, work, name,
          List.of("-vn", "-ac", "1", "-ar", "" + SAMPLE_RATE, "-f", "s16le"),
          in -> read(() -> compositor.readAudio(t.participantId(), t.trackId(), in)));
    }
    // A screen share goes on stage, at the picture's full size; a camera at most fills a quarter of it.
    boolean screen = screens.contains(t.trackId());
    int w = screen ? compositor.width() : compositor.width() / 2 & ~1;
    int h = screen ? compositor.height() : compositor.height() / 2 & ~1;
    String fit = "scale=" + w + ":" + h + ":force_original_aspect_ratio=decrease:flags=bilinear,"
        + "pad=" + w + ":" + h + ":(ow-iw)/2:(oh-ih)/2:color=0x282828,format=yuv420p";
    return TrackRecorder.decode(settings, t, work, name,
        List.of("-an", "-vf", fit, "-fps_mode", "passthrough", "-f", "rawvideo"),
        in -> read(() -> compositor.readVideo(t.trackId(), w, h, in)));
  }

  private interface Reading {
    void run() throws IOException;
  }

  private static void read(Reading reading) {
    try {
      reading.run();
    } catch (IOException e) {
      // the decoder ended
    }
  }

  /** People in the room's order: their camera (first video), screen (second video), or neither. */
  @Override
  public void tracks(List<TrackInfo> tracks, Map<String, String> names) {
    Map<String, List<TrackInfo>> videos = new LinkedHashMap<>();
    for (String id : names.keySet()) {
      videos.put(id, new ArrayList<>());
    }
    for (TrackInfo t : tracks) {
      List<TrackInfo> own = videos.computeIfAbsent(t.participantId(), id -> new ArrayList<>());
      if (!t.isAudio()) {
        own.add(t);
      }
    }
    screens.clear();
    List<Person> people = new ArrayList<>();
    for (Map.Entry<String, List<TrackInfo>> e : videos.entrySet()) {
      List<TrackInfo> own = e.getValue();
      String camera = own.isEmpty() ? null : own.get(0).trackId();
      String screen = own.size() < 2 ? null : own.get(1).trackId();
      if (screen != null) {
        screens.add(screen);
      }
      people.add(new Person(e.getKey(), names.getOrDefault(e.getKey(), "Guest"), camera, screen));
    }
    compositor.people(people);
  }

  /**
   * An encoder that could not write its file or HLS for want of space says so in its log (ENOSPC). One that streams
   * and exits by itself otherwise has most likely lost an RTMP server (FFmpeg's tee ends when one of its outputs
   * fails); its log says that too, naming the FLV output.
   */
  @Override
  public String failure() {
    String log = FfmpegLog.tail(directory.resolve("work").resolve("encoder.log"));
    if (FfmpegLog.saysNoSpace(log)) {
      return "disk_full";
    }
    if (outputs.rtmp().isEmpty()) {
      return "encoder_failed";
    }
    return log.contains("rtmp") || log.contains("flv") || log.contains("Broken pipe")
        || log.contains("Connection reset") ? "stream_failed" : "encoder_failed";
  }

  /** Only a composite that is streamed alone (RTMP) writes nothing but logs. */
  @Override
  public boolean writes() {
    return file != null || outputs.hlsDirectory() != null;
  }

  @Override
  public void presentation(RecorderPresentation now) {
    slides.show(now);
  }

  @Override
  public void ended(TrackRecorder recorder) {
    compositor.remove(recorder.track.trackId());
  }

  @Override
  public void stop(Duration timeout) {
    slides.close();
    if (encoder != null) {
      encoder.stop(timeout);
    }
  }

  @Override
  public List<RecordedFile> files(List<TrackRecorder> finished, Map<String, String> names) {
    if (encoder == null || file == null) {
      return List.of();
    }
    Probe probe = TrackFiles.probe(settings, file);
    return List.of(new RecordedFile(settings.storage().relativize(file).toString(), null, null, "composite",
        String.join("+", probe.codecs()), TrackFiles.size(file), probe.durationSeconds(), encoder.startedAtMillis(),
        encoder.stoppedAtMillis()));
  }
}
