package uk.co.lchat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static uk.co.lchat.loadtest.EgressNodes.ffmpegsOf;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
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
 * A 3-person room streamed live while it is recorded, through the server API: its composite pushed to an RTMP
 * server (nginx's RTMP module, standing in for YouTube's or Twitch's ingest) and played back from there, as a
 * viewer would, as H.264 + AAC at 1280x720; and published as HLS that the node serves without authentication, a
 * playlist of 2-second MPEG-TS segments that ffprobe reads as H.264 + AAC. An RTMP server that goes away ends the
 * egress with {@code stream_failed} and leaves the MP4 recorded so far playable. Requests to stream anywhere but
 * to at most five plain RTMP/RTMPS URLs, or to stream a per-track recording, are refused.
 */
class StreamingIT extends InJvmNodes {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<FfmpegMedia> media = new CopyOnWriteArrayList<>();
  private static final List<RtmpServer> rtmpServers = new ArrayList<>();
  private static final int WIDTH = 1280;
  private static final int HEIGHT = 720;
  /** A player waits this long for an RTMP stream's data (ffprobe's -rw_timeout, in microseconds). */
  private static final String RW_TIMEOUT = "15000000";

  @TempDir
  static Path storage;
  /** The one node every test streams from. */
  private static EgressNodes egress;

  @BeforeAll
  static void startNode() throws Exception {
    egress = EgressNodes.on(storage);
    egress.start();
  }

  @AfterAll
  static void stopMediaServersAndHooks() throws InterruptedException {
    media.forEach(FfmpegMedia::close);
    for (RtmpServer s : rtmpServers) {
      s.close();
    }
    if (egress != null) {
      egress.close();
    }
  }

  private static RtmpServer rtmpServer(String name) throws Exception {
    RtmpServer s = RtmpServer.start(storage.resolve("rtmp-" + name));
    rtmpServers.add(s);
    return s;
  }

  /** egress.ended for {@code egressId}; if it does not come, fails with the encoder's log and FFmpegs still running. */
  private static JsonNode awaitEnded(String egressId, int seconds) throws InterruptedException {
    try {
      return egress.awaitHook("egress.ended", egressId, seconds);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; FFmpegs running: " + ffmpegsOf(egressId).stream()
          .map(p -> p.pid() + " " + p.info().commandLine().orElse("")).toList() + "; " + encoderLog(egressId), e);
    }
  }

  /** What the composite's encoder logged, for failure messages. */
  private static String encoderLog(String egressId) {
    try (Stream<Path> files = Files.walk(storage)) {
      Optional<Path> log = files.filter(f -> f.toString().contains(egressId) && f.endsWith("work/encoder.log"))
          .findFirst();
      return log.isPresent() ? log.get() + ":\n" + Files.readString(log.get())
          : "(no encoder.log for " + egressId + ")";
    } catch (IOException e) {
      return "(encoder.log unreadable: " + e + ")";
    }
  }

  /** Three people in a room and the FFmpegs they publish from; closing it has them leave and stops their media. */
  private record Meeting(List<SimParticipant> people, List<FfmpegMedia> sources) implements AutoCloseable {
    @Override
    public void close() {
      everyone.removeAll(people);
      media.removeAll(sources);
      people.forEach(SimParticipant::close);
      sources.forEach(FfmpegMedia::close);
    }
  }

  /** Three people, each publishing FFmpeg's real VP8 and Opus; returns once everyone receives the others' video. */
  private static Meeting meeting(LchatNode n, String room) throws Exception {
    List<SimParticipant> people = new ArrayList<>();
    List<FfmpegMedia> sources = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      FfmpegMedia source = new FfmpegMedia(media.size(), storage.resolve("source-" + room + "-" + i + ".log"));
      media.add(source);
      sources.add(source);
      people.add(joinPublishing(n, "Person " + i, room, source, null));
    }
    Talkers.await("everyone sees the two others' video in " + room, 60,
        () -> people.stream().allMatch(p -> p.videoSenders(700_000_000L).size() == 2));
    return new Meeting(people, sources);
  }

  /** Starts streaming {@code room} as {@code body} asks, once the node said egress.started; returns the answer. */
  private static JsonNode start(String room, String body) throws Exception {
    HttpResponse<String> started = egress.call("POST", "/api/v1/rooms/" + room + "/egress", body);
    assertEquals(201, started.statusCode(), started.body());
    JsonNode answer = JSON.readTree(started.body());
    egress.awaitHook("egress.started", answer.path("egressId").asText(), 30);
    return answer;
  }

  /**
   * What a player finds in an RTMP stream, as ffprobe reads it from the server ({@code duration} -1); ffprobe
   * waits for a stream not yet published, so this is asked again until it has both H.264 and AAC or the deadline.
   */
  private static Probe playRtmp(String url, String egressId, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    Probe last = null;
    String out = "";
    while (System.nanoTime() < deadline) {
      Process p = new ProcessBuilder("ffprobe", "-v", "error", "-rw_timeout", RW_TIMEOUT, "-show_entries",
          "stream=codec_name,codec_type,width,height", "-of", "json", url).start();
      byte[] json = p.getInputStream().readAllBytes();
      String errors = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "ffprobe " + url + " finished");
      out = new String(json, StandardCharsets.UTF_8) + errors;
      if (p.exitValue() == 0) {
        last = streams(JSON.readTree(json));
        if (last.codecs().containsAll(List.of("h264", "aac"))) {
          return last;
        }
      }
      Thread.sleep(500);
    }
    throw new AssertionError("not within " + seconds + " s: " + url + " plays as H.264 + AAC; last " + last
        + ", ffprobe said " + out + "; " + encoderLog(egressId));
  }

  private static Probe streams(JsonNode root) {
    List<String> codecs = new ArrayList<>();
    int width = 0;
    int height = 0;
    for (JsonNode s : root.path("streams")) {
      codecs.add(s.path("codec_name").asText());
      if (s.path("codec_type").asText().equals("video")) {
        width = s.path("width").asInt();
        height = s.path("height").asInt();
      }
    }
    return new Probe(-1, codecs, width, height);
  }

  /** An HLS playlist's media segments, in order: its URI lines (RFC 8216 §4.3.2.1 gives each its EXTINF). */
  private static List<String> segments(String playlist) {
    return playlist.lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
  }

  /** Each segment's duration in seconds, from its EXTINF tag (RFC 8216 §4.3.2.1). */
  private static List<Double> durations(String playlist) {
    return playlist.lines().filter(l -> l.startsWith("#EXTINF:"))
        .map(l -> Double.parseDouble(l.substring("#EXTINF:".length()).split(",")[0].trim())).toList();
  }

  /** The composite's MP4, the one file an egress that records lists. */
  private static Path fileOf(JsonNode ended) {
    assertEquals(1, ended.path("files").size(), ended.toString());
    JsonNode f = ended.path("files").get(0);
    assertEquals("composite", f.path("kind").asText(), f.toString());
    assertTrue(f.path("name").asText().endsWith(".mp4"), f.toString());
    return storage.resolve(f.path("name").asText());
  }

  /**
   * Where it streams as the API shows it: the URL given, or the URL with its stream key (the last path segment, a
   * secret that lets anyone stream to the channel) hidden as {@code ***}.
   */
  private static void assertStreamsTo(String url, JsonNode egress) {
    List<String> shown = new ArrayList<>();
    egress.path("rtmp").forEach(u -> shown.add(u.asText()));
    String redacted = url.substring(0, url.lastIndexOf('/') + 1) + "***";
    assertTrue(shown.equals(List.of(url)) || shown.equals(List.of(redacted)),
        "rtmp " + url + " in " + egress);
  }

  @Test
  void aCompositeIsStreamedToAnRtmpServerAndAsHlsWhileItIsRecorded() throws Exception {
    LchatNode n = egress.node();
    RtmpServer rtmp = rtmpServer("both");
    try (Meeting meeting = meeting(n, "streaming")) {
      String url = rtmp.url("stream-key-1");
      long posted = System.nanoTime();
      JsonNode answer = start("streaming", "{\"type\":\"composite\",\"rtmp\":[\"" + url + "\"],\"hls\":true}");
      String id = answer.path("egressId").asText();
      String hls = "/hls/" + id + "/index.m3u8";
      assertEquals(hls, answer.path("hls").asText(), answer.toString());
      assertStreamsTo(url, answer);
      JsonNode got = JSON.readTree(egress.call("GET", "/api/v1/egress/" + id, null).body());
      assertEquals(hls, got.path("hls").asText(), got.toString());
      assertStreamsTo(url, got);
      System.out.printf("streaming: the API shows rtmp %s for %s%n", got.path("rtmp"), url);

      // A viewer plays the stream from the RTMP server.
      Probe played = playRtmp(url, id, 90);
      double plays = (System.nanoTime() - posted) / 1e9;
      System.out.printf("streaming: RTMP plays %.1f s after the POST: %s%n", plays, played);
      assertEquals(WIDTH, played.width(), played.toString());
      assertEquals(HEIGHT, played.height(), played.toString());

      // A CDN fetches the playlist and its segments from the node, with no credentials.
      Talkers.await("the playlist " + hls + " lists 2 segments", 90, () -> {
        try {
          HttpResponse<String> r = egress.fetch(hls);
          return r.statusCode() == 200 && segments(r.body()).size() >= 2;
        } catch (Exception e) {
          return false;
        }
      });
      double listed = (System.nanoTime() - posted) / 1e9;
      HttpResponse<String> list = egress.fetch(hls);
      assertEquals(200, list.statusCode(), list.body());
      assertTrue(list.headers().firstValue("Content-Type").orElse("").startsWith("application/vnd.apple.mpegurl"),
          list.headers().map().toString());
      assertTrue(list.body().startsWith("#EXTM3U"), list.body());
      List<String> segments = segments(list.body());
      List<Double> durations = durations(list.body());
      System.out.printf("streaming: HLS lists %d segments %.1f s after the POST, of %s s%n", segments.size(), listed,
          durations);
      assertTrue(segments.size() >= 2, list.body());
      double mean = durations.stream().mapToDouble(Double::doubleValue).average().orElse(0);
      assertTrue(mean >= 1.5 && mean <= 3, "2-second segments: " + list.body());
      URI base = URI.create("http://127.0.0.1:" + n.httpPort() + hls);
      for (int i = 0; i < 2; i++) {
        URI segment = base.resolve(segments.get(i));
        assertTrue(segment.getPath().matches("/hls/" + id + "/seg[0-9]{5}\\.ts"), segment.toString());
        Path local = storage.resolve("segment-" + i + ".ts");
        HttpResponse<Path> r = HTTP.send(HttpRequest.newBuilder(segment).GET().build(),
            HttpResponse.BodyHandlers.ofFile(local));
        assertEquals(200, r.statusCode(), segment.toString());
        assertEquals("video/mp2t", r.headers().firstValue("Content-Type").orElse(""), segment.toString());
        Probe probe = Probe.of("ffprobe", local);
        System.out.printf("streaming: HLS segment %s: %d bytes, %s%n", segments.get(i), Files.size(local), probe);
        assertTrue(probe.codecs().containsAll(List.of("h264", "aac")), segment + ": " + probe);
        assertEquals(WIDTH, probe.width(), probe.toString());
        assertEquals(HEIGHT, probe.height(), probe.toString());
      }

      // Only the stream's playlist and segments are served, and only for an egress that publishes HLS.
      for (String path : List.of("/hls/EG_unknown/index.m3u8", "/hls/EG_unknown/seg00000.ts",
          "/hls/" + id + "/seg99999.ts", "/hls/" + id + "/../egress.json", "/hls/" + id + "/..%2Fegress.json",
          "/hls/" + id + "/%2e%2e%2fwork%2fencoder.log", "/hls/" + id + "/../composite.mp4",
          "/hls/" + id + "/index.m3u8.tmp", "/hls/" + id + "/")) {
        HttpResponse<String> r = egress.fetch(path);
        assertEquals(404, r.statusCode(), path + ": " + r.body());
      }

      assertEquals(204, egress.call("DELETE", "/api/v1/rooms/streaming/egress/" + id, null).statusCode());
      JsonNode ended = awaitEnded(id, 90);
      assertEquals("stopped", ended.path("reason").asText(), ended + "; " + encoderLog(id));
      Path file = fileOf(ended);
      Probe mp4 = Probe.of("ffprobe", file);
      System.out.printf("streaming: the MP4 recorded alongside: %s%n", mp4);
      assertEquals(List.of("h264", "aac"), mp4.codecs(), file + ": " + mp4);
      assertEquals(WIDTH, mp4.width());
      assertEquals(HEIGHT, mp4.height());

      // The stream stays available after it ended, for viewers who play it from the start.
      HttpResponse<String> after = egress.fetch(hls);
      assertEquals(200, after.statusCode(), after.body());
      System.out.printf("streaming: after the stop the playlist lists %d segments, %s%n",
          segments(after.body()).size(), after.body().contains("#EXT-X-ENDLIST") ? "with EXT-X-ENDLIST"
              : "without EXT-X-ENDLIST");
      assertEquals(200, egress.fetch("/hls/" + id + "/" + segments(after.body()).getFirst()).statusCode());
      Talkers.await("every FFmpeg of the egress exits", 60, () -> ffmpegsOf(id).isEmpty());

      // The webhooks say where it streams, as the API does.
      for (JsonNode hook : List.of(egress.find("egress.started", id).orElseThrow(), ended)) {
        assertEquals(hls, hook.path("hls").asText(), hook.toString());
        assertStreamsTo(url, hook);
      }
    }
  }

  @Test
  void anRtmpServerThatGoesAwayEndsTheEgressWithStreamFailedAndAPlayableFile() throws Exception {
    LchatNode n = egress.node();
    RtmpServer rtmp = rtmpServer("killed");
    try (Meeting meeting = meeting(n, "dropped")) {
      String url = rtmp.url("stream-key-2");
      String id = start("dropped", "{\"type\":\"composite\",\"rtmp\":[\"" + url + "\"]}").path("egressId")
          .asText();
      playRtmp(url, id, 90);
      // Long enough for a file worth playing (the test asks for more than 2 s of it).
      Thread.sleep(3_000);
      rtmp.kill();
      long killed = System.nanoTime();
      JsonNode ended = awaitEnded(id, 60);
      double noticed = (System.nanoTime() - killed) / 1e9;
      System.out.printf("streaming: egress.ended (%s) %.1f s after the RTMP server was killed%n",
          ended.path("reason").asText(), noticed);
      assertEquals("stream_failed", ended.path("reason").asText(), ended + "; " + encoderLog(id));
      Path file = fileOf(ended);
      Probe mp4 = Probe.of("ffprobe", file);
      System.out.printf("streaming: the MP4 left by the failed stream: %s%n", mp4);
      assertEquals(List.of("h264", "aac"), mp4.codecs(), "playable after its stream failed: " + mp4);
      assertTrue(mp4.durationSeconds() > 2, mp4.toString());
      Talkers.await("every FFmpeg of the failed egress exits", 60, () -> ffmpegsOf(id).isEmpty());
    }
  }

  @Test
  void requestsToStreamAnywhereButToAFewRtmpUrlsAreRefused() throws Exception {
    LchatNode n = egress.node();
    join(n, "Guest", "refused", false, false, new Measurements());
    String six = String.join(",", Stream.of(1, 2, 3, 4, 5, 6)
        .map(i -> "\"rtmp://127.0.0.1:1935/live/key" + i + "\"").toList());
    String tooLong = "rtmp://127.0.0.1:1935/live/" + "k".repeat(2000);
    List<String> bodies = List.of(
        "{\"type\":\"composite\",\"rtmp\":[\"ftp://127.0.0.1/live/key\"]}",
        "{\"type\":\"composite\",\"rtmp\":[\"http://127.0.0.1/live/key\"]}",
        "{\"type\":\"composite\",\"rtmp\":[" + six + "]}",
        "{\"type\":\"composite\",\"rtmp\":[\"rtmp://127.0.0.1:1935/live/key|/tmp/out.flv\"]}",
        "{\"type\":\"composite\",\"rtmp\":[\"[f=flv]rtmp://127.0.0.1:1935/live/key\"]}",
        "{\"type\":\"composite\",\"rtmp\":[\"rtmp://127.0.0.1:1935/live/a key\"]}",
        "{\"type\":\"composite\",\"rtmp\":[\"" + tooLong + "\"]}",
        "{\"type\":\"track\",\"rtmp\":[\"rtmp://127.0.0.1:1935/live/key\"]}",
        "{\"type\":\"track\",\"hls\":true}");
    for (String body : bodies) {
      HttpResponse<String> r = egress.call("POST", "/api/v1/rooms/refused/egress", body);
      assertEquals(400, r.statusCode(), body + ": " + r.body());
      assertEquals("invalid", JSON.readTree(r.body()).path("error").asText(), r.body());
    }
    JsonNode list = JSON.readTree(egress.call("GET", "/api/v1/rooms/refused/egress", null).body());
    assertEquals(0, list.path("egress").size(), "nothing was started: " + list);
  }
}
