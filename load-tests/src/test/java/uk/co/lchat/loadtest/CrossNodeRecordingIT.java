package uk.co.lchat.loadtest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static uk.co.lchat.loadtest.EgressNodes.ffmpegsOf;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import uk.co.lchat.egress.Probe;
import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;

/**
 * Recording across nodes. The people of the room meet on a node that does not record (its egress is off); a
 * recording asked of that node runs on one that does, which takes the room's tracks over the relays between the
 * routers, and its status, listing and files are served through the node the client asked, whichever node has
 * them. And a node that leaves the cluster while it records hands the recording to another node that records: the
 * room goes on being recorded without a gap, into a new file there, and both files are listed.
 */
class CrossNodeRecordingIT extends InJvmNodes {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "cross-key";
  private static final String SECRET = "cross-secret-0123456789abcdef012345678";
  private static final String AUTH = "Basic " + Base64.getEncoder().encodeToString((KEY + ":" + SECRET).getBytes());

  @TempDir
  static Path dir;

  /** A node's settings: recording on (to {@code storage}) or off ({@code storage} null). */
  private static Config node(List<String> seeds, Path storage) {
    Map<String, Object> settings = new java.util.HashMap<>(Map.of(
        "lchat.api.keys", List.of(Map.of("id", KEY, "secret", SECRET)),
        "lchat.room.features.recording", true,
        "lchat.egress.enabled", storage != null));
    if (storage != null) {
      settings.put("lchat.egress.storage", storage.toString());
    }
    return ConfigFactory.parseMap(settings).withFallback(TestNodes.config(0, seeds));
  }

  /** A cluster whose first node does not record and whose others record to {@code storages}, in that order. */
  private static List<LchatNode> cluster(Path... storages) throws Exception {
    AtomicInteger index = new AtomicInteger();
    List<LchatNode> started = TestNodes.cluster(storages.length + 1, seeds -> {
      int i = index.getAndIncrement();
      return node(seeds, i == 0 ? null : storages[i - 1]);
    });
    nodes.addAll(started);
    return started;
  }

  private static HttpResponse<byte[]> call(LchatNode n, String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.httpPort() + path))
        .header("Authorization", AUTH).header("Content-Type", "application/json");
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static JsonNode json(HttpResponse<byte[]> r) throws Exception {
    return JSON.readTree(r.body());
  }

  /** The egress's status through {@code n}, as the server API answers it. */
  private static JsonNode status(LchatNode n, String egressId) throws Exception {
    HttpResponse<byte[]> r = call(n, "GET", "/api/v1/egress/" + egressId, null);
    return r.statusCode() == 200 ? json(r) : JSON.createObjectNode().put("httpStatus", r.statusCode());
  }

  /** People on {@code n} in {@code room}, each sending audio and video until the test ends. */
  private static List<SimParticipant> meeting(LchatNode n, String room, int people) throws Exception {
    List<SimParticipant> ps = new ArrayList<>();
    for (int i = 0; i < people; i++) {
      ps.add(join(n, room + "-" + i, room, true, true, new Measurements()));
    }
    keepSending(ps, i -> true);
    Talkers.await("everyone in " + room + " sees the others' video", 60,
        () -> ps.stream().allMatch(p -> p.videoSenders(700_000_000L).size() == people - 1));
    return ps;
  }

  /** Starts a per-track recording of {@code room} through {@code n}; returns its id once it is active. */
  private static String record(LchatNode n, String room) throws Exception {
    HttpResponse<byte[]> started = call(n, "POST", "/api/v1/rooms/" + room + "/egress", "{\"type\":\"track\"}");
    assertEquals(201, started.statusCode(), new String(started.body()));
    String id = json(started).path("egressId").asText();
    Talkers.await(id + " active", 30, () -> {
      try {
        return status(n, id).path("status").asText().equals("active");
      } catch (Exception e) {
        return false;
      }
    });
    return id;
  }

  private static JsonNode awaitEnded(LchatNode n, String egressId) throws Exception {
    Talkers.await(egressId + " ended and indexed", 90, () -> {
      try {
        JsonNode s = status(n, egressId);
        return s.path("status").asText().equals("ended") && s.path("files").size() > 0;
      } catch (Exception e) {
        return false;
      }
    });
    return status(n, egressId);
  }

  /** Whether {@code storage} holds a directory of {@code egressId} (the node recording to it runs it). */
  private static boolean holds(Path storage, String room, String egressId) {
    return Files.isDirectory(storage.resolve(room).resolve(egressId));
  }

  @Test
  void aRecordingAskedOfANodeThatDoesNotRecordRunsOnOneThatDoesAndIsServedThroughTheFirst() throws Exception {
    Path storage = dir.resolve("b");
    List<LchatNode> cluster = cluster(storage);
    LchatNode front = cluster.get(0);
    meeting(front, "across", 2);

    String id = record(front, "across");
    assertTrue(holds(storage, "across", id), "the node that records runs it");
    Talkers.await("four FFmpeg processes, one per track, fed over the relay", 60, () -> ffmpegsOf(id).size() == 4);
    // /stats counts it where it runs, and in the cluster's totals wherever it is asked.
    Talkers.await("/stats?scope=cluster through the front node counts one egress", 30, () -> {
      try {
        return json(call(front, "GET", "/stats?scope=cluster", null)).path("egresses").asInt() == 1
            && json(call(cluster.get(1), "GET", "/stats", null)).path("egresses").asInt() == 1
            && json(call(front, "GET", "/stats", null)).path("egresses").asInt() == 0;
      } catch (Exception e) {
        return false;
      }
    });
    // The tracks' length is what is under test: let the recording run a while.
    Thread.sleep(6_000);
    assertTrue(json(call(front, "GET", "/api/v1/rooms/across/egress", null)).path("egress").toString()
        .contains(id), "listed through the node that does not record");
    assertEquals(204, call(front, "DELETE", "/api/v1/rooms/across/egress/" + id, null).statusCode());

    JsonNode ended = awaitEnded(front, id);
    assertEquals("stopped", ended.path("reason").asText(), ended.toString());
    assertEquals(4, ended.path("files").size(), ended.toString());
    for (JsonNode f : ended.path("files")) {
      Path file = storage.resolve(f.path("name").asText());
      Probe probe = Probe.of("ffprobe", file);
      String kind = f.path("kind").asText();
      assertEquals(List.of(kind.equals("audio") ? "opus" : "vp8"), probe.codecs(), file + ": " + probe);
      assertTrue(probe.durationSeconds() > 4, file + " lasts " + probe.durationSeconds() + " s");
      // Downloaded through the node that has no file: it comes over the cluster, every byte of it.
      HttpResponse<byte[]> download = call(front, "GET", f.path("url").asText(), null);
      assertEquals(200, download.statusCode(), f.path("url").asText());
      assertArrayEquals(Files.readAllBytes(file), download.body(), file + " as served by the other node");
      assertEquals("video/webm", download.headers().firstValue("Content-Type").orElse(""), f.toString());
    }
    assertEquals(404, call(front, "GET", "/api/v1/egress/" + id + "/files/no-such.webm", null).statusCode());
    assertEquals(404, call(front, "GET", "/api/v1/egress/EG_nothing", null).statusCode());
  }

  @Test
  void aRecordingOnANodeThatLeavesContinuesOnAnotherWithoutAGapAndBothFilesAreListed() throws Exception {
    // Both recording nodes write to one volume, as a deployment that scales in must: the files of a node that has
    // gone are still listed and served.
    Path shared = dir.resolve("shared");
    List<LchatNode> cluster = cluster(shared, shared);
    LchatNode front = cluster.get(0);
    meeting(front, "moving", 2);

    String first = record(front, "moving");
    Talkers.await("four FFmpeg processes for " + first, 60, () -> ffmpegsOf(first).size() == 4);
    Thread.sleep(4_000);
    // Which of the two recording nodes took it is the placement's choice: that one leaves.
    LchatNode leaving = null;
    for (LchatNode n : cluster.subList(1, 3)) {
      if (n.egressRunning() > 0) {
        leaving = n;
      }
    }
    assertTrue(leaving != null, "one of the recording nodes runs " + first);
    LchatNode staying = cluster.get(1) == leaving ? cluster.get(2) : cluster.get(1);
    leaving.shutdownGracefully().toCompletableFuture().get(120, java.util.concurrent.TimeUnit.SECONDS);
    nodes.remove(leaving);

    JsonNode moved = awaitEnded(front, first);
    assertEquals("moved", moved.path("reason").asText(), moved.toString());
    List<JsonNode> listed = new ArrayList<>();
    json(call(front, "GET", "/api/v1/rooms/moving/egress", null)).path("egress").forEach(listed::add);
    assertEquals(2, listed.size(), "the first recording and its continuation: " + listed);
    JsonNode next = listed.stream().filter(e -> !e.path("egressId").asText().equals(first)).findFirst().orElseThrow();
    String second = next.path("egressId").asText();
    assertEquals("active", next.path("status").asText(), next.toString());
    assertEquals(1, staying.egressRunning(), "the continuation runs on the node that stays");
    // No gap: the continuation's files start before the first's stop.
    long firstStopped = moved.path("files").findValues("stoppedAt").stream()
        .mapToLong(t -> java.time.Instant.parse(t.asText()).toEpochMilli()).min().orElseThrow();
    Thread.sleep(3_000);
    assertEquals(204, call(front, "DELETE", "/api/v1/rooms/moving/egress/" + second, null).statusCode());
    JsonNode secondEnded = awaitEnded(front, second);
    assertEquals("stopped", secondEnded.path("reason").asText(), secondEnded.toString());
    long secondStarted = secondEnded.path("files").findValues("startedAt").stream()
        .mapToLong(t -> java.time.Instant.parse(t.asText()).toEpochMilli()).max().orElseThrow();
    assertTrue(secondStarted <= firstStopped, "the continuation's tracks started " + (secondStarted - firstStopped)
        + " ms after the first recording's stopped");
    for (JsonNode egress : List.of(moved, secondEnded)) {
      assertEquals(4, egress.path("files").size(), egress.toString());
      for (JsonNode f : egress.path("files")) {
        Path file = shared.resolve(f.path("name").asText());
        Probe probe = Probe.of("ffprobe", file);
        assertEquals(List.of(f.path("kind").asText().equals("audio") ? "opus" : "vp8"), probe.codecs(),
            file + ": " + probe);
        assertTrue(probe.durationSeconds() > 1.5, file + " lasts " + probe.durationSeconds() + " s");
        assertEquals(200, call(front, "GET", f.path("url").asText(), null).statusCode(), f.path("url").asText());
      }
    }
  }
}
