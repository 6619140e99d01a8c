package uk.co.lchat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static uk.co.lchat.loadtest.EgressNodes.ffmpegsOf;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import uk.co.lchat.egress.Probe;
import uk.co.lchat.node.LchatNode;

/**
 * Per-track recording of a 3-person room of simulated publishers (synthetic Opus, and VP8 whose keyframes carry a
 * real header but whose pictures are filler: FFmpeg copies, never decodes them), started and stopped through the
 * server API: one WebM per track, ffprobe shows the codec and a duration within a second of the time recorded;
 * webhooks say so. Then an FFmpeg killed mid-recording ends the egress with encoder_failed and a readable file.
 */
class TrackRecordingIT extends InJvmNodes {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path storage;
  /** Each test starts a node of its own, all on the one storage and webhook receiver. */
  private static EgressNodes egress;

  @BeforeAll
  static void startHooks() throws Exception {
    egress = EgressNodes.on(storage);
  }

  @AfterAll
  static void stopHooks() {
    if (egress != null) {
      egress.close();
    }
  }

  private static String ffmpegLog(Path file) {
    try {
      return Files.readString(file.resolveSibling(file.getFileName() + ".log"));
    } catch (java.io.IOException e) {
      return "(no log)";
    }
  }

  private static double cpuSeconds(List<ProcessHandle> processes) {
    return processes.stream().mapToDouble(p -> p.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0))
        .sum();
  }

  @Test
  void eachTrackOfAThreePersonRoomIsRecordedAndAKilledEncoderEndsTheEgressWithAPlayableFile() throws Exception {
    LchatNode n = egress.start();
    List<SimParticipant> room = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      room.add(join(n, "P" + i, "rec", true, true, new Measurements()));
    }
    keepSending(room, i -> i == 0);
    Talkers.await("everyone sees the two others' video", 60,
        () -> room.stream().allMatch(p -> p.videoSenders(700_000_000L).size() == 2));

    // Bad input gets clear errors.
    assertEquals(404, egress.call("POST", "/api/v1/rooms/nobody-here/egress", "{}").statusCode());
    assertEquals(400, egress.call("POST", "/api/v1/rooms/rec/egress", "{\"type\":\"hologram\"}").statusCode());
    assertEquals(404, egress.call("DELETE", "/api/v1/rooms/rec/egress/EG_unknown", null).statusCode());
    assertEquals(404, egress.call("GET", "/api/v1/egress/EG_unknown", null).statusCode());

    long postedAt = System.currentTimeMillis();
    HttpResponse<String> started = egress.call("POST", "/api/v1/rooms/rec/egress", "{\"type\":\"track\"}");
    assertEquals(201, started.statusCode(), started.body());
    String id = JSON.readTree(started.body()).path("egressId").asText();
    HttpResponse<String> second = egress.call("POST", "/api/v1/rooms/rec/egress", "{}");
    assertEquals(409, second.statusCode(), "one recording at a time: " + second.body());
    egress.awaitHook("egress.started", id, 30);
    Talkers.await("six FFmpeg processes, one per track", 60, () -> ffmpegsOf(id).size() == 6);

    // The recording's length is what is under test: let it run, then stop it. What its six FFmpegs cost is
    // measured over the last 10 s (their own CPU time, whoever else shares the machine).
    Thread.sleep(2_000);
    double before = cpuSeconds(ffmpegsOf(id));
    long window = System.nanoTime();
    Thread.sleep(10_000);
    double seconds = (System.nanoTime() - window) / 1e9;
    System.out.printf("track recording CPU: %.3f of a core for six tracks over %.1f s (%.4f per track)%n",
        (cpuSeconds(ffmpegsOf(id)) - before) / seconds, seconds, (cpuSeconds(ffmpegsOf(id)) - before) / seconds / 6);
    long deletedAt = System.currentTimeMillis();
    assertEquals(204, egress.call("DELETE", "/api/v1/rooms/rec/egress/" + id, null).statusCode());
    JsonNode ended = egress.awaitHook("egress.ended", id, 90);
    assertEquals("stopped", ended.path("reason").asText(), ended.toString());
    assertEquals(6, ended.path("files").size(), ended.toString());
    JsonNode status = JSON.readTree(egress.call("GET", "/api/v1/egress/" + id, null).body());
    assertEquals("ended", status.path("status").asText(), status.toString());
    int audio = 0;
    int video = 0;
    for (JsonNode f : ended.path("files")) {
      Path file = storage.resolve(f.path("name").asText());
      Probe probe = Probe.of("ffprobe", file);
      String kind = f.path("kind").asText();
      assertEquals(List.of(kind.equals("audio") ? "opus" : "vp8"), probe.codecs(), file + ": " + probe + "; FFmpeg: "
          + ffmpegLog(file));
      // Each file says when its media starts (its FFmpeg listened) and stops; the recording began soon after the
      // POST and ended at the DELETE, and the file lasts as long as it says, within a second.
      long from = java.time.Instant.parse(f.path("startedAt").asText()).toEpochMilli();
      long to = java.time.Instant.parse(f.path("stoppedAt").asText()).toEpochMilli();
      System.out.printf("track recording: %s starts %d ms after the POST, stops %d ms after the DELETE, lasts %.2f s"
          + " of %.2f s%n", file.getFileName(), from - postedAt, to - deletedAt, probe.durationSeconds(),
          (to - from) / 1e3);
      assertTrue(from >= postedAt && from - postedAt < 5000,
          file + " starts " + (from - postedAt) + " ms after the POST");
      assertTrue(to >= deletedAt && to - deletedAt < 2000,
          file + " stops " + (to - deletedAt) + " ms after the DELETE");
      double recorded = (to - from) / 1e3;
      assertTrue(Math.abs(probe.durationSeconds() - recorded) < 1.0,
          file + " lasts " + probe.durationSeconds() + " s, recorded " + recorded + " s");
      assertEquals(Files.size(file), f.path("size").asLong());
      if (kind.equals("audio")) {
        audio++;
      } else {
        video++;
      }
    }
    assertEquals(3, audio);
    assertEquals(3, video);

    // An encoder that dies mid-recording ends the egress with a reason; what it wrote so far is readable.
    HttpResponse<String> again = egress.call("POST", "/api/v1/rooms/rec/egress", "{\"type\":\"track\"}");
    assertEquals(201, again.statusCode(), again.body());
    String id2 = JSON.readTree(again.body()).path("egressId").asText();
    Talkers.await("six FFmpeg processes again", 60, () -> ffmpegsOf(id2).size() == 6);
    Thread.sleep(5_000);
    ProcessHandle victim = ffmpegsOf(id2).stream()
        .filter(p -> p.info().commandLine().orElse("").contains("-video-")).findFirst().orElseThrow();
    String victimCmd = victim.info().commandLine().orElseThrow();
    victim.destroyForcibly();
    JsonNode failed = egress.awaitHook("egress.ended", id2, 90);
    assertEquals("encoder_failed", failed.path("reason").asText(), failed.toString());
    assertEquals(6, failed.path("files").size(), failed.toString());
    for (JsonNode f : failed.path("files")) {
      Path file = storage.resolve(f.path("name").asText());
      Probe probe = Probe.of("ffprobe", file);
      assertEquals(List.of(f.path("kind").asText().equals("audio") ? "opus" : "vp8"), probe.codecs(),
          file + " readable after " + (victimCmd.contains(file.getFileName().toString()) ? "its FFmpeg was killed"
              : "a clean stop") + ": " + probe);
    }
  }

  @Test
  void aNodeThatShutsDownFinalisesItsRecordingsAndListsThemForDownload() throws Exception {
    LchatNode n = egress.start();
    List<SimParticipant> room = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      room.add(join(n, "Q" + i, "leaving", true, true, new Measurements()));
    }
    keepSending(room, i -> true);
    Talkers.await("both see each other's video", 60,
        () -> room.stream().allMatch(p -> p.videoSenders(700_000_000L).size() == 1));
    HttpResponse<String> started = egress.call("POST", "/api/v1/rooms/leaving/egress", "{\"type\":\"track\"}");
    assertEquals(201, started.statusCode(), started.body());
    String id = JSON.readTree(started.body()).path("egressId").asText();
    Talkers.await("four FFmpeg processes", 60, () -> ffmpegsOf(id).size() == 4);
    Thread.sleep(4_000);

    // Listed while it runs, with its status; then the node leaves (as on a drain or scale-in).
    JsonNode listed = JSON.readTree(egress.call("GET", "/api/v1/rooms/leaving/egress", null).body());
    assertEquals(id, listed.path("egress").get(0).path("egressId").asText(), listed.toString());
    assertEquals("active", listed.path("egress").get(0).path("status").asText(), listed.toString());
    n.close();
    nodes.remove(n);
    JsonNode ended = egress.awaitHook("egress.ended", id, 90);
    assertEquals("node_shutdown", ended.path("reason").asText(), ended.toString());
    assertEquals(4, ended.path("files").size(), ended.toString());
    List<String> probes = new ArrayList<>();
    for (JsonNode f : ended.path("files")) {
      probes.add(f.path("name").asText() + ": " + Probe.of("ffprobe", storage.resolve(f.path("name").asText())));
    }
    for (JsonNode f : ended.path("files")) {
      Probe probe = Probe.of("ffprobe", storage.resolve(f.path("name").asText()));
      assertTrue(probe.durationSeconds() > 2, "every file finalised and playable: " + probes + "; FFmpeg: "
          + ffmpegLog(storage.resolve(f.path("name").asText())));
    }
    assertTrue(ffmpegsOf(id).isEmpty(), "no FFmpeg outlives its node");

    // A node started on the same storage lists the finished recording and serves its files, nothing else.
    LchatNode again = egress.start();
    JsonNode all = JSON.readTree(egress.call("GET", "/api/v1/egress", null).body());
    JsonNode mine = null;
    for (JsonNode e : all.path("egress")) {
      if (e.path("egressId").asText().equals(id)) {
        mine = e;
      }
    }
    assertTrue(mine != null, "listed after the restart: " + all);
    assertEquals("ended", mine.path("status").asText());
    JsonNode file = mine.path("files").get(0);
    HttpResponse<byte[]> download = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + again.httpPort() + file.path("url").asText())).header("Authorization", EgressNodes.AUTH).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, download.statusCode());
    assertEquals(file.path("size").asLong(), download.body().length, "the whole file");
    assertEquals("video/webm", download.headers().firstValue("Content-Type").orElse(""));
    assertEquals(404, egress.call("GET", "/api/v1/egress/" + id + "/files/egress.json", null).statusCode(),
        "only recorded files are served");
    assertEquals(401, egress.fetch(file.path("url").asText()).statusCode(), "downloads need the API's credentials");
  }
}
