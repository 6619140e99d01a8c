package uk.co.lchat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static uk.co.lchat.loadtest.EgressNodes.ffmpegsOf;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import uk.co.lchat.egress.Probe;
import uk.co.lchat.node.LchatNode;

/**
 * Recording onto a disk that fills up: each test gives a node a small tmpfs of its own as the recordings' storage
 * (mounted by the test, so it runs as root, as CI does) and records a composite of two people sending real media.
 * With {@code lchat.egress.min-free-space} a few megabytes under what is free, the recording ends with
 * {@code disk_full} while there is still room to finish its MP4, which plays; the meeting goes on as before, and no
 * new recording starts on that node. With no minimum kept, FFmpeg itself runs out of space: the recording still ends
 * with {@code disk_full} (not {@code encoder_failed}), and its file plays up to its last whole fragment.
 */
class DiskFullRecordingIT extends InJvmNodes {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MIB = 1L << 20;
  private static final List<FfmpegMedia> media = new ArrayList<>();
  private static final List<EgressNodes> egresses = new ArrayList<>();
  private static final List<Path> mounted = new ArrayList<>();

  /** The sources' logs and the tmpfs mount points; never on a tmpfs, so the sources never run out of space. */
  @TempDir
  static Path work;

  @BeforeAll
  static void onlyRootMounts() {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
        "DiskFullRecordingIT mounts a tmpfs for the recordings, which needs root (CI runs as root)");
  }

  @AfterAll
  static void closeAndUnmount() throws Exception {
    // The nodes first: nothing may hold a file on a tmpfs that is being unmounted.
    closeEverything();
    media.forEach(FfmpegMedia::close);
    egresses.forEach(EgressNodes::close);
    for (Path dir : mounted) {
      if (new ProcessBuilder("umount", dir.toString()).redirectErrorStream(true).start().waitFor() != 0) {
        new ProcessBuilder("umount", "-l", dir.toString()).redirectErrorStream(true).start().waitFor();
      }
    }
  }

  /** A tmpfs of {@code mebibytes} at {@code work/name}, unmounted after the class. */
  private static Path mount(String name, int mebibytes) throws Exception {
    Path dir = Files.createDirectories(work.resolve(name));
    String out = run("mount", "-t", "tmpfs", "-o", "size=" + mebibytes + "m,mode=0700", "tmpfs", dir.toString());
    mounted.add(dir);
    assertTrue(Files.getFileStore(dir).getTotalSpace() <= mebibytes * MIB, "a tmpfs is mounted at " + dir + ": "
        + out);
    return dir;
  }

  private static long usable(Path dir) throws Exception {
    return Files.getFileStore(dir).getUsableSpace();
  }

  /** A node recording to {@code storage} with {@code minFreeBytes} kept free. */
  private static EgressNodes node(Path storage, long minFreeBytes) throws Exception {
    EgressNodes egress = EgressNodes.on(storage);
    egresses.add(egress);
    egress.start(Map.of("lchat.egress.min-free-space", minFreeBytes));
    return egress;
  }

  /** Two people, each publishing FFmpeg's real VP8 and Opus; returns once each receives the other's video. */
  private static List<SimParticipant> meeting(LchatNode n, String room) throws Exception {
    List<SimParticipant> people = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      FfmpegMedia source = new FfmpegMedia(media.size(), work.resolve("source-" + room + "-" + i + ".log"));
      media.add(source);
      people.add(joinPublishing(n, "Person " + i, room, source, null));
    }
    awaitMeetingGoesOn(people, "the meeting starts in " + room);
    return people;
  }

  /** Each of {@code people} receives every other's video and sound as they are sent. */
  private static void awaitMeetingGoesOn(List<SimParticipant> people, String when) throws InterruptedException {
    int others = people.size() - 1;
    Talkers.await("everyone receives the others' video and sound: " + when, 60,
        () -> people.stream().allMatch(p -> p.videoSenders(700_000_000L).size() == others
            && p.audioStreamsFlowing(700_000_000L) == others));
  }

  /** Starts a composite recording of {@code room} and returns its id once its two decoders each and encoder run. */
  private static String record(EgressNodes egress, String room) throws Exception {
    HttpResponse<String> started = egress.call("POST", "/api/v1/rooms/" + room + "/egress",
        "{\"type\":\"composite\"}");
    assertEquals(201, started.statusCode(), started.body());
    String id = JSON.readTree(started.body()).path("egressId").asText();
    egress.awaitHook("egress.started", id, 30);
    Talkers.await("5 FFmpeg processes for " + id, 60, () -> ffmpegsOf(id).size() == 5);
    return id;
  }

  /** The recording's one file, as its egress.ended names it, after checking that ffprobe plays it. */
  private static Probe playable(Path storage, JsonNode ended) throws Exception {
    assertEquals(1, ended.path("files").size(), ended.toString());
    Path file = storage.resolve(ended.path("files").get(0).path("name").asText());
    Probe probe = Probe.of("ffprobe", file);
    assertEquals(List.of("h264", "aac"), probe.codecs(), file + " plays: " + probe);
    assertTrue(probe.durationSeconds() > 0, file + " plays: " + probe);
    return probe;
  }

  private static void assertEndedAsDiskFull(EgressNodes egress, String id, JsonNode ended) throws Exception {
    assertEquals("disk_full", ended.path("reason").asText(), ended.toString());
    HttpResponse<String> status = egress.call("GET", "/api/v1/egress/" + id, null);
    assertEquals(200, status.statusCode(), status.body());
    JsonNode info = JSON.readTree(status.body());
    assertEquals("ended", info.path("status").asText(), info.toString());
    assertEquals("disk_full", info.path("reason").asText(), info.toString());
  }

  @Test
  void aRecordingEndsAsDiskFullWhileItsFileCanStillBeFinishedAndTheMeetingGoesOn() throws Exception {
    Path storage = mount("filling", 32);
    // A few seconds of a 720p composite (it writes some 0.3 MB a second) before the minimum is reached.
    long minimum = usable(storage) - 5 * MIB / 2;
    EgressNodes egress = node(storage, minimum);
    List<SimParticipant> people = meeting(egress.node(), "filling");
    String id = record(egress, "filling");
    long since = System.nanoTime();

    JsonNode ended = egress.awaitHook("egress.ended", id, 120);
    System.out.printf("disk full: the recording ended after %.1f s with %.1f MB free%n",
        (System.nanoTime() - since) / 1e9, usable(storage) / 1e6);
    assertEndedAsDiskFull(egress, id, ended);
    Probe probe = playable(storage, ended);
    assertTrue(probe.durationSeconds() >= 1, "the seconds recorded are in the file: " + probe);
    assertTrue(usable(storage) > minimum / 2, "it ended before the disk filled: " + usable(storage) + " bytes free");
    Talkers.await("every FFmpeg of the recording exits", 60, () -> ffmpegsOf(id).isEmpty());

    // Nothing else is disturbed: both are still in the room, connected as before, and receive each other.
    awaitMeetingGoesOn(people, "after the recording ended");
    people.forEach(p -> assertEquals(0, p.reconnects(), p.id() + " never lost its connection"));
    JsonNode room = JSON.readTree(egress.call("GET", "/api/v1/rooms/filling", null).body());
    assertEquals(2, room.path("participants").size(), room.toString());

    // The disk is still below the minimum: no new recording starts, and the caller hears why.
    HttpResponse<String> again = egress.call("POST", "/api/v1/rooms/filling/egress", "{\"type\":\"composite\"}");
    assertEquals(400, again.statusCode(), again.body());
    assertTrue(again.body().contains("lchat.egress.min-free-space"), again.body());
  }

  @Test
  void withNoMinimumKeptAnEncoderThatRunsOutOfSpaceStillEndsTheRecordingAsDiskFull() throws Exception {
    // Some 15 s of a 720p composite: FFmpeg's own write fails, and with it the encoder.
    Path storage = mount("overflowing", 5);
    EgressNodes egress = node(storage, 0);
    List<SimParticipant> people = meeting(egress.node(), "overflowing");
    String id = record(egress, "overflowing");
    long since = System.nanoTime();

    JsonNode ended = egress.awaitHook("egress.ended", id, 120);
    System.out.printf("disk full without a minimum: the recording ended after %.1f s with %d bytes free%n",
        (System.nanoTime() - since) / 1e9, usable(storage));
    assertEndedAsDiskFull(egress, id, ended);
    Probe probe = playable(storage, ended);
    System.out.printf("disk full without a minimum: %s%n", probe);
    Talkers.await("every FFmpeg of the recording exits", 60, () -> ffmpegsOf(id).isEmpty());
    awaitMeetingGoesOn(people, "after the recording ran out of space");
  }

  private static String run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", cmd) + " finished");
    assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
    return out;
  }
}
