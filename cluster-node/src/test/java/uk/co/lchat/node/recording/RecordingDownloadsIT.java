package uk.co.lchat.node.recording;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;
import uk.co.lchat.node.WsClient;

/**
 * Over a real socket and HTTP: a moderator's {@code listRecordings} lists the room's finished recordings (as the
 * storage holds them) with a link per file, the link downloads that file without an API key (ranges too), and
 * nobody else gets a list. The recordings are written into the storage by the test, as a recording leaves them;
 * RecordingBrowserIT records a real one.
 */
class RecordingDownloadsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  /** A WebM's first bytes (the EBML header's id), then anything: the route serves bytes, it does not parse them. */
  private static final byte[] AUDIO = new byte[64];

  static {
    byte[] ebml = {0x1A, 0x45, (byte) 0xDF, (byte) 0xA3};
    System.arraycopy(ebml, 0, AUDIO, 0, ebml.length);
    for (int i = ebml.length; i < AUDIO.length; i++) {
      AUDIO[i] = (byte) i;
    }
  }

  private static LchatNode node;

  @BeforeAll
  static void start() throws Exception {
    Path storage = Files.createTempDirectory("lchat-recording-downloads");
    finishedRecording(storage, "dl-room", "EG_00000000000000d1");
    finishedRecording(storage, "dl-elsewhere", "EG_00000000000000d2");
    node = TestNodes.single(Map.of("lchat.egress.enabled", true, "lchat.egress.storage", storage.toString(),
        "lchat.room.features.recording", true));
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  /**
   * A per-track recording of {@code room} as the storage holds it once it ended: its index and one audio file. It
   * ended a minute ago: the node deletes older recordings than its retention period when it starts.
   */
  private static void finishedRecording(Path storage, String room, String egressId) throws Exception {
    long ended = System.currentTimeMillis() - 60_000;
    Path dir = Files.createDirectories(storage.resolve(room).resolve(egressId));
    String name = "Ann-k3m9x2p7qa-audio-a1.webm";
    Files.write(dir.resolve(name), AUDIO);
    Files.writeString(dir.resolve("egress.json"), "{\"egressId\":\"" + egressId + "\",\"roomId\":\"" + room + "\","
        + "\"type\":\"track\",\"status\":\"ended\",\"reason\":\"stopped\",\"startedAtMillis\":" + (ended - 13_000)
        + ",\"endedAtMillis\":" + ended + ",\"files\":[{\"name\":\"" + room + "/" + egressId + "/" + name + "\","
        + "\"participantId\":\"k3m9x2p7qa\",\"displayName\":\"Ann\",\"kind\":\"audio\",\"codec\":\"opus\","
        + "\"bytes\":" + AUDIO.length + ",\"durationSeconds\":12.94,\"startedAtMillis\":"
        + (ended - 12_600) + ",\"stoppedAtMillis\":" + (ended - 50) + "}],\"rtmp\":[],\"hls\":false}");
  }

  private static HttpResponse<byte[]> get(String path, String range) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path));
    if (range != null) {
      request.header("Range", range);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static JsonNode listed(WsClient client) throws Exception {
    client.send("{\"type\":\"listRecordings\"}");
    return client.next("recordings").get("recordings");
  }

  @Test
  void aModeratorsListLinksEachFileOfTheRoomAndTheLinkDownloadsItWithoutAKey() throws Exception {
    try (WsClient ann = new WsClient(node.httpPort())) {
      assertEquals("moderator", ann.join("dl-room", "Ann").get("role").asText());
      JsonNode recordings = listed(ann);
      assertEquals(1, recordings.size(), "this room's recording only: " + recordings);
      JsonNode recording = recordings.get(0);
      assertEquals("EG_00000000000000d1", recording.get("egressId").asText());
      assertEquals("ended", recording.get("status").asText());
      assertEquals("stopped", recording.get("reason").asText());
      JsonNode file = recording.get("files").get(0);
      assertEquals("Ann-k3m9x2p7qa-audio-a1.webm", file.get("name").asText());
      assertEquals(AUDIO.length, file.get("sizeBytes").asLong());
      String url = file.get("downloadUrl").asText();
      assertTrue(url.matches("/recordings/[A-Za-z0-9_-]{22}"), url);

      HttpResponse<byte[]> download = get(url, null);
      assertEquals(200, download.statusCode());
      assertArrayEquals(AUDIO, download.body());
      assertEquals("audio/webm", download.headers().firstValue("Content-Type").orElse(""));
      String disposition = download.headers().firstValue("Content-Disposition").orElse("");
      assertTrue(disposition.startsWith("attachment") && disposition.contains("Ann-k3m9x2p7qa-audio-a1.webm"),
          disposition);
      assertTrue(download.headers().firstValue("Cache-Control").orElse("").contains("no-store"));

      HttpResponse<byte[]> range = get(url, "bytes=4-11");
      assertEquals(206, range.statusCode(), "a player that seeks gets the part it asks for");
      assertArrayEquals(Arrays.copyOfRange(AUDIO, 4, 12), range.body());
      assertEquals("bytes 4-11/" + AUDIO.length, range.headers().firstValue("Content-Range").orElse(""));
      assertEquals(200, get(url, null).statusCode(), "the link works until it expires, not once");

      String again = listed(ann).get(0).get("files").get(0).get("downloadUrl").asText();
      assertTrue(!again.equals(url), "each listing its own link");
      assertEquals(200, get(again, null).statusCode());
    }
  }

  @Test
  void aParticipantWhoIsNotAModeratorGetsNoListUntilMadeOne() throws Exception {
    try (WsClient ann = new WsClient(node.httpPort()); WsClient bob = new WsClient(node.httpPort())) {
      ann.join("dl-roles", "Ann");
      assertEquals("participant", bob.join("dl-roles", "Bob").get("role").asText());
      bob.send("{\"type\":\"listRecordings\"}");
      JsonNode refused = bob.next("error");
      assertEquals("forbidden", refused.get("code").asText());
      assertTrue(refused.get("message").asText().contains("moderator"), refused.toString());

      ann.send("{\"type\":\"grantModerator\",\"target\":\"" + bob.participantId + "\"}");
      assertEquals("moderator", bob.next("role").get("role").asText());
      assertEquals(0, listed(bob).size(), "a moderator now; the room has no recordings");
    }
  }

  @Test
  void listingBeforeJoiningOrWithJunkIsAnsweredAndTheSessionGoesOn() throws Exception {
    try (WsClient eve = new WsClient(node.httpPort())) {
      eve.send("{\"type\":\"listRecordings\"}");
      assertEquals("not_joined", eve.next("error").get("code").asText());
      eve.send("{\"type\":\"listRecordings\",\"room\":\"dl-room\",\"all\":true}");
      assertEquals("not_joined", eve.next("error").get("code").asText(), "no field names another room");
      eve.send("{\"type\":\"ping\"}");
      eve.next("pong");
    }
  }

  @Test
  void aLinkThatWasNeverIssuedHereFindsNothing() throws Exception {
    for (String path : new String[] {"/recordings/AAAAAAAAAAAAAAAAAAAAAA", "/recordings/EG_00000000000000d1",
        "/recordings/..%2Fdl-room%2FEG_00000000000000d1%2Fegress.json", "/recordings/egress.json"}) {
      HttpResponse<byte[]> r = get(path, null);
      assertEquals(404, r.statusCode(), path);
      assertEquals("not_found", JSON.readTree(r.body()).get("error").asText(), path);
    }
    HttpResponse<byte[]> room = get("/recordings", null);
    assertEquals(200, room.statusCode(), "a meeting named 'recordings' still opens its share link");
    assertTrue(new String(room.body(), java.nio.charset.StandardCharsets.UTF_8).contains("<"), "the web client");
  }
}
