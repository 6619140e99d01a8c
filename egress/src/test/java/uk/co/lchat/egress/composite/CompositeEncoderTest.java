package uk.co.lchat.egress.composite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import uk.co.lchat.egress.Probe;
import uk.co.lchat.egress.composite.Layout.Person;

/**
 * The composite's encoder with Debian's FFmpeg: pictures and a mix in, a 720p H.264 + AAC MP4 (or WebM, or HLS
 * beside it) as long as the recording ran out.
 */
class CompositeEncoderTest {
  @TempDir
  Path dir;

  private static Compositor twoPeople() throws Exception {
    Compositor c = new Compositor(Layout.GRID, 1280, 720, 30, 48000);
    c.people(List.of(new Person("a", "Alice", "va", null), new Person("b", "Bob", null, null)));
    Picture red = new Picture(640, 360);
    red.fill(81, 90, 240);
    c.readVideo("va", 640, 360, new ByteArrayInputStream(red.data()));
    return c;
  }

  private static void await(String what, int seconds, java.util.function.BooleanSupplier done) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!done.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
      Thread.sleep(20);
    }
  }

  @Test
  void aStoppedEncoderLeavesAnMp4AsLongAsTheRecordingRan() throws Exception {
    Compositor c = twoPeople();
    Path file = dir.resolve("out.mp4");
    CompositeEncoder e = CompositeEncoder.start("ffmpeg", c, file, dir.resolve("work"), 2500);
    await("90 frames written", 60, () -> e.framesWritten() >= 90);
    e.stop(Duration.ofSeconds(10));
    assertEquals(0, (int) e.exit().get(60, TimeUnit.SECONDS), "FFmpeg finishes cleanly at the end of its inputs");
    Probe probe = Probe.of("ffprobe", file);
    assertEquals(List.of("h264", "aac"), probe.codecs(), probe.toString());
    assertEquals(1280, probe.width());
    assertEquals(720, probe.height());
    double ran = (e.stoppedAtMillis() - e.startedAtMillis()) / 1e3;
    assertTrue(Math.abs(probe.durationSeconds() - ran) < 0.5,
        "lasts " + probe.durationSeconds() + " s for a clock that ran " + ran + " s");
  }

  @Test
  void anEncoderKilledMidwayLeavesAPlayableFileAndItsExitSaysSo() throws Exception {
    Compositor c = twoPeople();
    Path file = dir.resolve("killed.mp4");
    CompositeEncoder e = CompositeEncoder.start("ffmpeg", c, file, dir.resolve("work2"), 2500);
    await("five seconds of frames", 60, () -> e.framesWritten() >= 150);
    ProcessHandle.of(e.pid()).orElseThrow().destroyForcibly();
    int code = e.exit().get(30, TimeUnit.SECONDS);
    assertTrue(code != 0, "killed: exit " + code);
    await("the clock stops", 30, () -> e.stoppedAtMillis() > 0);
    Probe probe = Probe.of("ffprobe", file);
    assertEquals(List.of("h264", "aac"), probe.codecs(), probe.toString());
    assertTrue(probe.durationSeconds() >= 1.0, "the fragments written so far play: " + probe);
  }

  @Test
  void oneEncodingGoesToTheFileAndToHlsSegmentsAtOnce() throws Exception {
    Compositor c = twoPeople();
    Path file = dir.resolve("both.mp4");
    Path hls = dir.resolve("hls");
    CompositeEncoder e = CompositeEncoder.start("ffmpeg", c, new Outputs(file, List.of(), hls), dir.resolve("work3"),
        2500, new FrameCounters());
    await("three HLS segments", 60, () -> hls.resolve("seg00002.ts").toFile().exists());
    e.stop(Duration.ofSeconds(10));
    assertEquals(0, (int) e.exit().get(60, TimeUnit.SECONDS), "FFmpeg finishes cleanly");
    assertEquals(List.of("h264", "aac"), Probe.of("ffprobe", file).codecs());
    String playlist = java.nio.file.Files.readString(hls.resolve(Outputs.HLS_PLAYLIST));
    assertTrue(playlist.contains("#EXTM3U") && playlist.contains("seg00001.ts"), playlist);
    Probe segment = Probe.of("ffprobe", hls.resolve("seg00001.ts"));
    assertEquals(List.of("h264", "aac"), segment.codecs(), segment.toString());
    assertEquals(1280, segment.width());
  }

  @Test
  void aWebmCompositeIsVp8AndOpusAsLongAsTheRecordingRan() throws Exception {
    Compositor c = twoPeople();
    Path file = dir.resolve("out.webm");
    CompositeEncoder e = CompositeEncoder.start("ffmpeg", c, new Outputs(file, List.of(), null, true),
        dir.resolve("work4"), 2500, new FrameCounters());
    await("90 frames written", 60, () -> e.framesWritten() >= 90);
    e.stop(Duration.ofSeconds(10));
    assertEquals(0, (int) e.exit().get(60, TimeUnit.SECONDS));
    Probe probe = Probe.of("ffprobe", file);
    assertEquals(List.of("vp8", "opus"), probe.codecs(), probe.toString());
    double ran = (e.stoppedAtMillis() - e.startedAtMillis()) / 1e3;
    assertTrue(Math.abs(probe.durationSeconds() - ran) < 0.5, probe.durationSeconds() + " s for " + ran + " s");
  }

  @Test
  void encodersSharingCountersAddUpTheirFramesAndWhatAnEndedOneDidStays() throws Exception {
    FrameCounters node = new FrameCounters();
    Compositor small = new Compositor(Layout.GRID, 640, 360, 30, 48000);
    small.people(List.of(new Person("a", "Alice", null, null)));
    CompositeEncoder first = CompositeEncoder.start("ffmpeg", small, Outputs.file(dir.resolve("first.mp4")),
        dir.resolve("work5"), 1000, node);
    await("30 frames written by the first", 60, () -> first.framesWritten() >= 30);
    first.stop(Duration.ofSeconds(10));
    assertEquals(0, (int) first.exit().get(60, TimeUnit.SECONDS));
    assertEquals(first.framesWritten(), node.pictures(), "every picture written is counted, once");
    assertEquals(first.framesDropped(), node.droppedPictures());
    assertEquals(first.soundFramesDropped(), node.droppedSound());
    double firstSeconds = node.seconds();
    assertTrue(firstSeconds > 0 && firstSeconds < first.framesWritten() * 1.0,
        "a picture takes some time, well under a second: " + firstSeconds + " s for " + first.framesWritten());

    Compositor other = new Compositor(Layout.GRID, 640, 360, 30, 48000);
    other.people(List.of(new Person("b", "Bob", null, null)));
    CompositeEncoder second = CompositeEncoder.start("ffmpeg", other, Outputs.file(dir.resolve("second.mp4")),
        dir.resolve("work6"), 1000, node);
    await("30 frames written by the second", 60, () -> second.framesWritten() >= 30);
    long secondSoFar = second.framesWritten();
    assertTrue(node.pictures() >= first.framesWritten() + secondSoFar,
        "a running encoder counts as it goes, beside the ended one: " + node.pictures());
    second.stop(Duration.ofSeconds(10));
    assertEquals(0, (int) second.exit().get(60, TimeUnit.SECONDS));
    assertEquals(first.framesWritten() + second.framesWritten(), node.pictures());
    assertEquals(first.framesDropped() + second.framesDropped(), node.droppedPictures());
    assertTrue(node.seconds() > firstSeconds, "the second's time adds to the first's");
  }
}
