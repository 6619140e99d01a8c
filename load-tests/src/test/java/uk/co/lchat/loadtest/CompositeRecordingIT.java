package uk.co.lchat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.ConfigFactory;

import uk.co.lchat.egress.Probe;
import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;

/**
 * A composite recording of a 3-person room whose publishers send real media (FFmpeg's moving test pictures, each
 * in its own colours, and a tone each, encoded as VP8 and Opus), through the server API: one MP4 that ffprobe reads
 * as H.264 + AAC at 1280x720 lasting as long as it was recorded, whose sound is well above silence and whose
 * pictures move. Then the two ways a recording ends without a stop: its encoder killed (encoder_failed) and the
 * room ended (room_ended); each leaves a playable file.
 */
class CompositeRecordingIT extends InJvmNodes {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<JsonNode> hooks = new CopyOnWriteArrayList<>();
  private static HttpServer hookServer;
  private static final List<FfmpegMedia> media = new ArrayList<>();
  private static final String AUTH = "Basic " + Base64.getEncoder()
      .encodeToString("rec-key:rec-secret-0123456789abcdef0123456789".getBytes(StandardCharsets.UTF_8));

  @TempDir
  static Path storage;

  @AfterAll
  static void stopMediaAndHooks() {
    media.forEach(FfmpegMedia::close);
    if (hookServer != null) {
      hookServer.stop(0);
    }
  }

  private static LchatNode node;

  /** The one node both tests record on (started by the first). */
  private static LchatNode node() throws Exception {
    if (node == null) {
      node = startNode();
      nodes.add(node);
    }
    return node;
  }

  private static LchatNode startNode() throws Exception {
    hookServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    hookServer.createContext("/hook", ex -> {
      hooks.add(JSON.readTree(ex.getRequestBody().readAllBytes()));
      ex.sendResponseHeaders(204, -1);
      ex.close();
    });
    hookServer.start();
    Map<String, Object> settings = Map.of(
        "lchat.api.keys", List.of(Map.of("id", "rec-key", "secret", "rec-secret-0123456789abcdef0123456789")),
        "lchat.egress.enabled", true,
        "lchat.egress.storage", storage.toString(),
        "lchat.room.features.recording", true,
        "lchat.room.webhooks.urls", List.of("http://127.0.0.1:" + hookServer.getAddress().getPort() + "/hook"));
    return LchatNode.start(ConfigFactory.parseMap(settings).withFallback(TestNodes.config(0, List.of())));
  }

  private static HttpResponse<String> call(LchatNode n, String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.httpPort() + path))
        .header("Authorization", AUTH).header("Content-Type", "application/json");
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode awaitHook(String event, String egressId, int seconds) throws InterruptedException {
    Talkers.await(event + " for " + egressId + "; got " + hooks, seconds, () -> find(event, egressId).isPresent());
    return find(event, egressId).orElseThrow();
  }

  private static Optional<JsonNode> find(String event, String egressId) {
    return hooks.stream().filter(h -> h.path("event").asText().equals(event)
        && h.path("egressId").asText().equals(egressId)).findFirst();
  }

  /** The FFmpeg processes this JVM runs for {@code egressId}: one decoder per track and the encoder. */
  private static List<ProcessHandle> ffmpegsOf(String egressId) {
    return ProcessHandle.current().descendants()
        .filter(p -> p.info().commandLine().orElse("").contains(egressId)).toList();
  }

  /** Three people, each publishing FFmpeg's real VP8 and Opus. */
  private static List<SimParticipant> meeting(LchatNode n, String room) throws Exception {
    List<SimParticipant> people = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      FfmpegMedia source = new FfmpegMedia(media.size(), storage.resolve("source-" + room + "-" + i + ".log"));
      media.add(source);
      SimParticipant p = new SimParticipant(HTTP, URI.create("http://127.0.0.1:" + n.httpPort()), "Person " + i,
          true, true, new Measurements());
      everyone.add(p);
      p.publishFrom(source);
      p.join(room);
      people.add(p);
    }
    Talkers.await("everyone sees the two others' video in " + room, 60,
        () -> people.stream().allMatch(p -> p.videoSenders(700_000_000L).size() == 2));
    return people;
  }

  private static String start(LchatNode n, String room, String body) throws Exception {
    HttpResponse<String> started = call(n, "POST", "/api/v1/rooms/" + room + "/egress", body);
    assertEquals(201, started.statusCode(), started.body());
    String id = JSON.readTree(started.body()).path("egressId").asText();
    awaitHook("egress.started", id, 30);
    // One decoder per track (three cameras, three microphones) and the encoder.
    Talkers.await("seven FFmpeg processes for " + id, 60, () -> ffmpegsOf(id).size() == 7);
    return id;
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
    LchatNode n = node();
    meeting(n, "composite");

    assertEquals(400, call(n, "POST", "/api/v1/rooms/composite/egress", "{\"layout\":\"mosaic\"}").statusCode());
    assertEquals(400, call(n, "POST", "/api/v1/rooms/composite/egress", "{\"resolution\":\"4k\"}").statusCode());
    String id = start(n, "composite", "{\"type\":\"composite\",\"layout\":\"grid\"}");

    // The recording's length is what is under test: let it run, then stop it.
    Thread.sleep(20_000);
    assertEquals(204, call(n, "DELETE", "/api/v1/rooms/composite/egress/" + id, null).statusCode());
    JsonNode ended = awaitHook("egress.ended", id, 90);
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
    assertTrue(recorded >= 19.5, "recorded " + recorded + " s");
    assertTrue(Math.abs(probe.durationSeconds() - recorded) < 1.0,
        file + " lasts " + probe.durationSeconds() + " s, recorded " + recorded + " s");
    double volume = meanVolume(file);
    System.out.printf("composite recording: mean volume %.1f dBFS%n", volume);
    assertTrue(volume > -40, "the three tones are heard: mean volume " + volume + " dBFS");
    int pictures = distinctPictures(file);
    assertTrue(pictures >= 15, "the pictures move: " + pictures + " different ones in 20 s at one a second");
    assertTrue(ffmpegsOf(id).isEmpty(), "every FFmpeg of the recording has exited");
  }

  @Test
  void aKilledEncoderOrAnEndedRoomEndsTheRecordingWithItsReasonAndAPlayableFile() throws Exception {
    LchatNode n = node();
    meeting(n, "faults");
    String id = start(n, "faults", "{\"type\":\"composite\",\"layout\":\"speaker\"}");
    Thread.sleep(5_000);
    ProcessHandle encoder = ffmpegsOf(id).stream()
        .filter(p -> p.info().commandLine().orElse("").contains("composite.mp4")).findFirst().orElseThrow();
    encoder.destroyForcibly();
    JsonNode failed = awaitHook("egress.ended", id, 90);
    assertEquals("encoder_failed", failed.path("reason").asText(), failed.toString());
    Probe killed = Probe.of("ffprobe", fileOf(failed));
    assertEquals(List.of("h264", "aac"), killed.codecs(), "playable after its encoder was killed: " + killed);
    assertTrue(killed.durationSeconds() >= 2, killed.toString());
    Talkers.await("the decoders of the failed recording exit", 60, () -> ffmpegsOf(id).isEmpty());

    String id2 = start(n, "faults", "{\"type\":\"composite\"}");
    Thread.sleep(5_000);
    assertEquals(204, call(n, "DELETE", "/api/v1/rooms/faults", null).statusCode());
    JsonNode roomEnded = awaitHook("egress.ended", id2, 90);
    assertEquals("room_ended", roomEnded.path("reason").asText(), roomEnded.toString());
    Probe ended = Probe.of("ffprobe", fileOf(roomEnded));
    assertEquals(List.of("h264", "aac"), ended.codecs(), "finalised when the room ended: " + ended);
    assertTrue(ended.durationSeconds() >= 4, ended.toString());
    Talkers.await("every FFmpeg of the recording exits", 60, () -> ffmpegsOf(id2).isEmpty());
  }
}
