package uk.co.lchat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static uk.co.lchat.loadtest.EgressNodes.ffmpegsOf;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import uk.co.lchat.egress.Probe;
import uk.co.lchat.node.LchatNode;

/**
 * A composite recording of a 3-person room whose publishers send real media (FFmpeg's moving test pictures, each
 * in its own colours, and a tone each, encoded as VP8 and Opus), through the server API: one MP4 that ffprobe reads
 * as H.264 + AAC at 1280x720 lasting as long as it was recorded, whose sound is well above silence and whose
 * pictures move. Then the two ways a recording ends without a stop: its encoder killed (encoder_failed) and the
 * room ended (room_ended); each leaves a playable file. And a room where one of them shares a screen (FFmpeg's
 * picture of one strong colour): the recording shows it on stage, the cameras in a strip below. A picture of the
 * grid and of the screen share is left in {@code target/} for people to look at.
 */
class CompositeRecordingIT extends InJvmNodes {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<FfmpegMedia> media = new ArrayList<>();
  /** The composite's picture: 720p, the default resolution. */
  private static final int WIDTH = 1280;
  private static final int HEIGHT = 720;
  /** Who shares a screen in the meeting that does: the second to join, so that the room's first video is not its. */
  private static final int SHARER = 1;

  @TempDir
  static Path storage;
  /** The one node all tests record on. */
  private static EgressNodes egress;

  @BeforeAll
  static void startNode() throws Exception {
    egress = EgressNodes.on(storage);
    egress.start();
  }

  @AfterAll
  static void stopMediaAndHooks() {
    media.forEach(FfmpegMedia::close);
    if (egress != null) {
      egress.close();
    }
  }

  /** Three people, each publishing FFmpeg's real VP8 and Opus. */
  private static List<SimParticipant> meeting(LchatNode n, String room) throws Exception {
    return meeting(n, room, false);
  }

  /**
   * Three people, each publishing FFmpeg's real VP8 and Opus, and when {@code withScreen} person {@link #SHARER}
   * a screen beside its camera; returns once everyone receives the others' video, the sharer's two streams too.
   */
  private static List<SimParticipant> meeting(LchatNode n, String room, boolean withScreen) throws Exception {
    List<SimParticipant> people = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      FfmpegMedia source = new FfmpegMedia(media.size(), storage.resolve("source-" + room + "-" + i + ".log"));
      media.add(source);
      FfmpegMedia screen = null;
      if (withScreen && i == SHARER) {
        screen = FfmpegMedia.screen(media.size(), storage.resolve("screen-" + room + "-" + i + ".log"));
        media.add(screen);
      }
      people.add(joinPublishing(n, "Person " + i, room, source, screen));
    }
    SimParticipant sharer = withScreen ? people.get(SHARER) : null;
    Talkers.await("everyone sees the two others' video in " + room + (withScreen ? ", and the screen" : ""), 60,
        () -> people.stream().allMatch(p -> p.videoSenders(700_000_000L).size() == 2
            && (sharer == null || p == sharer || p.videosFrom(sharer.id(), 700_000_000L) == 2)));
    return people;
  }

  /** Starts a recording of {@code room} and returns its id once a decoder runs for each of its {@code tracks}. */
  private static String start(String room, String body, int tracks) throws Exception {
    HttpResponse<String> started = egress.call("POST", "/api/v1/rooms/" + room + "/egress", body);
    assertEquals(201, started.statusCode(), started.body());
    String id = JSON.readTree(started.body()).path("egressId").asText();
    egress.awaitHook("egress.started", id, 30);
    // One decoder per track and the encoder.
    Talkers.await((tracks + 1) + " FFmpeg processes for " + id, 60, () -> ffmpegsOf(id).size() == tracks + 1);
    return id;
  }

  /** CPU seconds so far of the recording's encoder, of its decoders, and of the compositor's threads here. */
  private static double[] recordingCpu(String egressId) {
    double encoder = 0;
    double decoders = 0;
    for (ProcessHandle p : ffmpegsOf(egressId)) {
      double cpu = p.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
      if (p.info().commandLine().orElse("").contains("composite.mp4")) {
        encoder += cpu;
      } else {
        decoders += cpu;
      }
    }
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    double compositor = 0;
    for (java.lang.management.ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (t != null && (t.getThreadName().startsWith("composite-") || t.getThreadName().startsWith("decode-"))) {
        compositor += Math.max(0, threads.getThreadCpuTime(t.getThreadId())) / 1e9;
      }
    }
    return new double[] {encoder, decoders, compositor};
  }

  /** FFmpeg's volumedetect: the mean volume of the file's sound in dBFS. */
  private static double meanVolume(Path file) throws Exception {
    String out = run("ffmpeg", "-hide_banner", "-nostats", "-i", file.toString(), "-vn", "-af", "volumedetect",
        "-f", "null", "-");
    Matcher m = Pattern.compile("mean_volume: (-?[0-9.]+) dB").matcher(out);
    assertTrue(m.find(), "volumedetect printed a mean volume: " + out);
    return Double.parseDouble(m.group(1));
  }

  /** How many different pictures the file holds at one a second (a frozen video has one). */
  private static int distinctPictures(Path file) throws Exception {
    String out = run("ffmpeg", "-hide_banner", "-nostats", "-loglevel", "error", "-i", file.toString(), "-an",
        "-vf", "fps=1", "-f", "framemd5", "-");
    Set<String> hashes = new HashSet<>();
    for (String line : out.split("\n")) {
      if (!line.startsWith("#") && line.contains(",")) {
        String[] f = line.split(",");
        hashes.add(f[f.length - 1].trim());
      }
    }
    return hashes.size();
  }

  /**
   * The file's picture at {@code seconds} as RGB, 3 bytes a pixel, rows from the top; also written as
   * {@code target/<png>} for people to look at.
   */
  private static byte[] pictureAt(Path file, double seconds, String png) throws Exception {
    Path target = Files.createDirectories(Path.of("target"));
    Path raw = storage.resolve(png + ".rgb");
    String out = run("ffmpeg", "-hide_banner", "-nostats", "-loglevel", "error", "-y", "-ss", String.valueOf(seconds),
        "-i", file.toString(), "-frames:v", "1", target.resolve(png).toString(),
        "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", raw.toString());
    byte[] rgb = Files.readAllBytes(raw);
    assertEquals(WIDTH * HEIGHT * 3, rgb.length, "one picture of " + WIDTH + "x" + HEIGHT + " at " + seconds + " s: "
        + out);
    return rgb;
  }

  /** A rectangle of a picture: its mean colour, and the fraction of its pixels near the screen's colour. */
  private record Area(double red, double green, double blue, double nearScreen) {
    /** Near enough for VP8, H.264 and two conversions between RGB and 4:2:0 YUV. */
    private static final int TOLERANCE = 48;

    /** Pixels x from {@code left} to {@code right}, y from {@code top} to {@code bottom}, every 4th of each. */
    static Area of(byte[] rgb, int left, int right, int top, int bottom) {
      int[] screen = {FfmpegMedia.SCREEN_RGB >> 16 & 0xFF, FfmpegMedia.SCREEN_RGB >> 8 & 0xFF,
          FfmpegMedia.SCREEN_RGB & 0xFF};
      long[] sum = new long[3];
      int near = 0;
      int n = 0;
      for (int y = top; y < bottom; y += 4) {
        for (int x = left; x < right; x += 4) {
          int at = (y * WIDTH + x) * 3;
          boolean close = true;
          for (int c = 0; c < 3; c++) {
            int v = rgb[at + c] & 0xFF;
            sum[c] += v;
            close &= Math.abs(v - screen[c]) <= TOLERANCE;
          }
          near += close ? 1 : 0;
          n++;
        }
      }
      return new Area((double) sum[0] / n, (double) sum[1] / n, (double) sum[2] / n, (double) near / n);
    }

    /** The mean colour is the screen's, each channel within the tolerance. */
    boolean looksLikeTheScreen() {
      return Math.abs(red - (FfmpegMedia.SCREEN_RGB >> 16 & 0xFF)) <= TOLERANCE
          && Math.abs(green - (FfmpegMedia.SCREEN_RGB >> 8 & 0xFF)) <= TOLERANCE
          && Math.abs(blue - (FfmpegMedia.SCREEN_RGB & 0xFF)) <= TOLERANCE;
    }

    @Override
    public String toString() {
      return String.format("mean RGB (%.0f, %.0f, %.0f), %.0f%% the screen's colour", red, green, blue,
          100 * nearScreen);
    }
  }

  private static String run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", cmd) + " finished");
    return out;
  }

  private static Path fileOf(JsonNode ended) {
    assertEquals(1, ended.path("files").size(), ended.toString());
    JsonNode f = ended.path("files").get(0);
    assertEquals("composite", f.path("kind").asText(), f.toString());
    return storage.resolve(f.path("name").asText());
  }

  @Test
  void aThreePersonMeetingIsRecordedAsOneVideoOfTheMeetingThatMovesAndSounds() throws Exception {
    LchatNode n = egress.node();
    meeting(n, "composite");

    assertEquals(400, egress.call("POST", "/api/v1/rooms/composite/egress", "{\"layout\":\"mosaic\"}").statusCode());
    assertEquals(400, egress.call("POST", "/api/v1/rooms/composite/egress", "{\"resolution\":\"4k\"}").statusCode());
    Frames framesBefore = Frames.scrape();
    String id = start("composite", "{\"type\":\"composite\",\"layout\":\"grid\"}", 6);

    // The recording's length is what is under test: let it run, then stop it. What it costs is measured over the
    // last 15 s: the CPU time of its FFmpegs (encoder, decoders) and of the compositor's threads in this JVM.
    Thread.sleep(5_000);
    double[] before = recordingCpu(id);
    long window = System.nanoTime();
    Thread.sleep(15_000);
    double[] after = recordingCpu(id);
    double seconds = (System.nanoTime() - window) / 1e9;
    Frames framesRunning = Frames.scrape();
    assertTrue(framesRunning.encoded() - framesBefore.encoded() >= 100,
        "a running recording's frames are exported as it goes: " + framesBefore + " then " + framesRunning);
    System.out.printf("composite recording CPU (share of one core over %.1f s): encoder %.2f, six decoders %.2f,"
        + " compositor %.2f, total %.2f%n", seconds, (after[0] - before[0]) / seconds,
        (after[1] - before[1]) / seconds, (after[2] - before[2]) / seconds,
        (after[0] + after[1] + after[2] - before[0] - before[1] - before[2]) / seconds);
    assertEquals(204, egress.call("DELETE", "/api/v1/rooms/composite/egress/" + id, null).statusCode());
    JsonNode ended = egress.awaitHook("egress.ended", id, 90);
    assertEquals("stopped", ended.path("reason").asText(), ended.toString());
    Path file = fileOf(ended);
    JsonNode f = ended.path("files").get(0);
    Probe probe = Probe.of("ffprobe", file);
    assertEquals(List.of("h264", "aac"), probe.codecs(), file + ": " + probe);
    assertEquals(1280, probe.width());
    assertEquals(720, probe.height());
    long from = java.time.Instant.parse(f.path("startedAt").asText()).toEpochMilli();
    long to = java.time.Instant.parse(f.path("stoppedAt").asText()).toEpochMilli();
    double recorded = (to - from) / 1e3;
    System.out.printf("composite recording: %.2f s of %.2f s recorded, %d bytes%n", probe.durationSeconds(),
        recorded, f.path("size").asLong());
    // The media starts once the encoder took its first picture, a moment after egress.started.
    assertTrue(recorded >= 15, "recorded " + recorded + " s of the 20 s between egress.started and the stop");
    assertTrue(Math.abs(probe.durationSeconds() - recorded) < 1.0,
        file + " lasts " + probe.durationSeconds() + " s, recorded " + recorded + " s");
    double volume = meanVolume(file);
    System.out.printf("composite recording: mean volume %.1f dBFS%n", volume);
    assertTrue(volume > -40, "the three tones are heard: mean volume " + volume + " dBFS");
    int pictures = distinctPictures(file);
    assertTrue(pictures >= 15, "the pictures move: " + pictures + " different ones in 20 s at one a second");
    assertTrue(ffmpegsOf(id).isEmpty(), "every FFmpeg of the recording has exited");
    pictureAt(file, 10, "composite-grid.png");

    // The clock's every frame, drawn or skipped, is counted once, and stays counted once the recording ended.
    Frames framesEnded = Frames.scrape();
    Frames frames = framesEnded.since(framesBefore);
    System.out.printf("composite recording: %.0f pictures encoded in %.3f s (mean %.2f ms, %.0f over 33 ms),"
        + " %.0f dropped, %.0f frames of sound dropped%n", frames.encoded(), frames.seconds(),
        1e3 * frames.seconds() / frames.encoded(), frames.slow(), frames.droppedVideo(), frames.droppedAudio());
    assertTrue(Math.abs(frames.encoded() + frames.droppedVideo() - recorded * 30) <= 30,
        "every frame of " + recorded + " s at 30 a second is encoded or dropped: " + frames);
    assertTrue(framesEnded.encoded() >= framesRunning.encoded(), framesRunning + " then " + framesEnded);
    assertTrue(frames.seconds() > 0 && frames.seconds() < frames.encoded(),
        "each picture takes some time, well under a second, to draw and hand to FFmpeg: " + frames);
  }

  /**
   * Waits until the composite's clock has run {@code seconds} since {@code before} (30 frames a second, encoded or
   * dropped): on a busy machine its encoder may take seconds to start, which a fixed sleep would cut from the file.
   */
  private static void awaitClock(Frames before, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds + 60L);
    for (Frames f = Frames.scrape().since(before); f.encoded() + f.droppedVideo() < 30.0 * seconds;
         f = Frames.scrape().since(before)) {
      if (System.nanoTime() >= deadline) {
        fail("the composite's clock ran " + seconds + " s: " + f + "\n" + compositeState());
      }
      Thread.sleep(200);
    }
  }

  /** What a composite that does not run is doing: its threads here, its FFmpegs, and what its encoder logged. */
  private static String compositeState() throws IOException {
    StringBuilder out = new StringBuilder("webhooks: " + egress.hooks() + "\n");
    Thread.getAllStackTraces().forEach((t, stack) -> {
      if (t.getName().startsWith("composite-")) {
        out.append(t.getName()).append(' ').append(t.getState()).append('\n');
        for (StackTraceElement e : stack) {
          out.append("    at ").append(e).append('\n');
        }
      }
    });
    ProcessHandle.current().descendants().filter(p -> p.info().command().orElse("").endsWith("ffmpeg"))
        .forEach(p -> out.append("ffmpeg ").append(p.pid()).append(" alive ").append(p.isAlive()).append(" cpu ")
            .append(p.info().totalCpuDuration().orElse(null)).append(": ")
            .append(p.info().commandLine().orElse("?")).append('\n'));
    try (Stream<Path> logs = Files.find(storage, 6, (path, a) -> path.endsWith("encoder.log"))) {
      for (Path log : logs.toList()) {
        out.append(log).append(":\n").append(Files.readString(log)).append('\n');
      }
    }
    return out.toString();
  }

  /** The node's composite frames as {@code /metrics} exports them. */
  private record Frames(double encoded, double seconds, double slow, double droppedVideo, double droppedAudio) {
    /** What happened since {@code before}. */
    Frames since(Frames before) {
      return new Frames(encoded - before.encoded, seconds - before.seconds, slow - before.slow,
          droppedVideo - before.droppedVideo, droppedAudio - before.droppedAudio);
    }

    static Frames scrape() throws Exception {
      HttpResponse<String> r = egress.fetch("/metrics");
      assertEquals(200, r.statusCode());
      String m = r.body();
      double count = MetricsText.required(m, "lchat_egress_frame_encode_seconds_count", "");
      assertEquals(count, MetricsText.required(m, "lchat_egress_frame_encode_seconds_bucket", "le=\"+Inf\""),
          "the +Inf bucket holds every picture");
      // Over a frame's 33 ms: the clock fell behind on those.
      double slow = count - MetricsText.required(m, "lchat_egress_frame_encode_seconds_bucket", "le=\"0.033\"");
      return new Frames(count, MetricsText.required(m, "lchat_egress_frame_encode_seconds_sum", ""), slow,
          MetricsText.required(m, "lchat_egress_dropped_frames_total", "kind=\"video\""),
          MetricsText.required(m, "lchat_egress_dropped_frames_total", "kind=\"audio\""));
    }
  }

  @Test
  void aKilledEncoderOrAnEndedRoomEndsTheRecordingWithItsReasonAndAPlayableFile() throws Exception {
    LchatNode n = egress.node();
    meeting(n, "faults");
    Frames before = Frames.scrape();
    String id = start("faults", "{\"type\":\"composite\",\"layout\":\"speaker\"}", 6);
    awaitClock(before, 5);
    ProcessHandle encoder = ffmpegsOf(id).stream()
        .filter(p -> p.info().commandLine().orElse("").contains("composite.mp4")).findFirst().orElseThrow();
    encoder.destroyForcibly();
    JsonNode failed = egress.awaitHook("egress.ended", id, 90);
    assertEquals("encoder_failed", failed.path("reason").asText(), failed.toString());
    Probe killed = Probe.of("ffprobe", fileOf(failed));
    assertEquals(List.of("h264", "aac"), killed.codecs(), "playable after its encoder was killed: " + killed);
    assertTrue(killed.durationSeconds() >= 2, killed.toString());
    Talkers.await("the decoders of the failed recording exit", 60, () -> ffmpegsOf(id).isEmpty());

    Frames before2 = Frames.scrape();
    String id2 = start("faults", "{\"type\":\"composite\"}", 6);
    awaitClock(before2, 6);
    assertEquals(204, egress.call("DELETE", "/api/v1/rooms/faults", null).statusCode());
    JsonNode roomEnded = egress.awaitHook("egress.ended", id2, 90);
    assertEquals("room_ended", roomEnded.path("reason").asText(), roomEnded.toString());
    Probe ended = Probe.of("ffprobe", fileOf(roomEnded));
    assertEquals(List.of("h264", "aac"), ended.codecs(), "finalised when the room ended: " + ended);
    assertTrue(ended.durationSeconds() >= 4, ended.toString());
    Talkers.await("every FFmpeg of the recording exits", 60, () -> ffmpegsOf(id2).isEmpty());
  }

  @Test
  void aScreenShareIsShownOnStageAboveTheCamerasOfEveryone() throws Exception {
    LchatNode n = egress.node();
    meeting(n, "sharing", true);
    // Three cameras, three microphones and the screen.
    Frames before = Frames.scrape();
    String id = start("sharing", "{\"type\":\"composite\",\"layout\":\"grid\"}", 7);
    awaitClock(before, 8);
    assertEquals(204, egress.call("DELETE", "/api/v1/rooms/sharing/egress/" + id, null).statusCode());
    JsonNode ended = egress.awaitHook("egress.ended", id, 90);
    assertEquals("stopped", ended.path("reason").asText(), ended.toString());
    Path file = fileOf(ended);
    Probe probe = Probe.of("ffprobe", file);
    assertEquals(List.of("h264", "aac"), probe.codecs(), file + ": " + probe);
    assertTrue(probe.durationSeconds() >= 7, file + " lasts " + probe.durationSeconds() + " s");

    byte[] picture = pictureAt(file, 6, "composite-screen.png");
    // A screen share fills the stage, the top four fifths (Layout); the middle of it is the screen's picture.
    Area stage = Area.of(picture, 320, 960, 100, 450);
    // The cameras' strip below, the three of them side by side on the background.
    Area strip = Area.of(picture, 0, WIDTH, 600, HEIGHT);
    System.out.printf("composite recording: screen share at 6 s of %.2f s: stage %s; strip %s%n",
        probe.durationSeconds(), stage, strip);
    assertTrue(stage.nearScreen() > 0.7 && stage.looksLikeTheScreen(), "the screen is on stage: " + stage);
    assertTrue(strip.nearScreen() < 0.2 && !strip.looksLikeTheScreen(), "the strip shows cameras: " + strip);
    Talkers.await("every FFmpeg of the recording exits", 60, () -> ffmpegsOf(id).isEmpty());
  }

  /** A one-page 16:9 PDF, the whole page one rectangle of the screen's colour (so the test can find it on stage). */
  private static byte[] pageOfTheScreensColour() throws IOException {
    try (org.apache.pdfbox.pdmodel.PDDocument doc = new org.apache.pdfbox.pdmodel.PDDocument()) {
      org.apache.pdfbox.pdmodel.PDPage page = new org.apache.pdfbox.pdmodel.PDPage(
          new org.apache.pdfbox.pdmodel.common.PDRectangle(640, 360));
      doc.addPage(page);
      try (org.apache.pdfbox.pdmodel.PDPageContentStream content =
               new org.apache.pdfbox.pdmodel.PDPageContentStream(doc, page)) {
        content.setNonStrokingColor(new java.awt.Color(FfmpegMedia.SCREEN_RGB));
        content.addRect(0, 0, 640, 360);
        content.fill();
      }
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      doc.save(out);
      return out.toByteArray();
    }
  }

  @Test
  void aPresentedPdfIsShownOnStageAboveTheCamerasOfEveryone() throws Exception {
    LchatNode n = egress.node();
    List<SimParticipant> people = meeting(n, "presenting");
    SimParticipant ann = people.get(0);
    HttpResponse<String> uploaded = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
            .newBuilder(java.net.URI.create("http://127.0.0.1:" + n.httpPort() + "/presentations/presenting"))
            .header("Lchat-Participant", ann.id()).header("Authorization", "Bearer " + ann.sessionToken())
            .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(pageOfTheScreensColour())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(201, uploaded.statusCode(), uploaded.body());
    // Three cameras and three microphones; the page is the room's, not a track.
    Frames before = Frames.scrape();
    String id = start("presenting", "{\"type\":\"composite\",\"layout\":\"grid\"}", 6);
    awaitClock(before, 8);
    assertEquals(204, egress.call("DELETE", "/api/v1/rooms/presenting/egress/" + id, null).statusCode());
    JsonNode ended = egress.awaitHook("egress.ended", id, 90);
    assertEquals("stopped", ended.path("reason").asText(), ended.toString());
    Path file = fileOf(ended);
    Probe probe = Probe.of("ffprobe", file);
    assertTrue(probe.durationSeconds() >= 7, file + " lasts " + probe.durationSeconds() + " s");

    byte[] picture = pictureAt(file, 6, "composite-presentation.png");
    // The page fills the stage's middle (16:9 in the top four fifths); the people are in the strip below.
    Area stage = Area.of(picture, 320, 960, 100, 450);
    Area strip = Area.of(picture, 0, WIDTH, 600, HEIGHT);
    System.out.printf("composite recording: presentation at 6 s of %.2f s: stage %s; strip %s%n",
        probe.durationSeconds(), stage, strip);
    assertTrue(stage.nearScreen() > 0.9 && stage.looksLikeTheScreen(), "the page is on stage: " + stage);
    assertTrue(strip.nearScreen() < 0.2 && !strip.looksLikeTheScreen(), "the strip shows cameras: " + strip);
    Talkers.await("every FFmpeg of the recording exits", 60, () -> ffmpegsOf(id).isEmpty());
  }
}
