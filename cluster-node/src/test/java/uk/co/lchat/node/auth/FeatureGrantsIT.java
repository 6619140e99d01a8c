package uk.co.lchat.node.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;
import uk.co.lchat.node.WsClient;
import uk.co.lchat.node.whip.TestOffers;

/**
 * A token's features claim enforced by the node, not only by the web client: on a {@code token-to-create} node, a
 * participant whose token sets screenshare to false has an offer that sends a screen refused over signaling
 * ({@code error} {@code not_granted}, {@code "feature":"screenshare"}) and over WHIP (403, the same code), while its
 * camera publishes; a guest without a token shares a screen as the room allows, until a moderator turns the
 * room's flag off ({@code forbidden}); other features its token denies (chat) are refused the same way.
 */
class FeatureGrantsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  static Path dir;
  static LchatNode node;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.single(new TestTokens(dir).settings("token-to-create"));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  private static String token(String room, String name, boolean moderator, Map<String, Boolean> features) {
    return TestTokens.hs256(TestTokens.claims(room, name, moderator).claim("features", features));
  }

  /** Joins {@code room} with {@code token} (null: a guest typing a name); returns {@code joined}. */
  private static JsonNode join(WsClient c, String room, String token) throws Exception {
    c.send(JSON.createObjectNode().put("type", "join").put("room", room)
        .put(token == null ? "name" : "token", token == null ? "Guest" : token).toString());
    JsonNode joined = c.next("joined");
    c.participantId = joined.get("participantId").asText();
    return joined;
  }

  /** Publishes {@code sdp}: the node's answer, {@code publishAnswer} or {@code error}. */
  private static JsonNode publish(WsClient c, String sdp) throws Exception {
    c.send(JSON.createObjectNode().put("type", "publish").put("sdp", sdp).toString());
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode m = c.poll(Duration.ofMillis(200));
      if (m != null && (m.get("type").asText().equals("publishAnswer") || m.get("type").asText().equals("error"))) {
        return m;
      }
    }
    throw new AssertionError("no answer to the publish within " + WAIT);
  }

  private static void assertRefused(JsonNode reply, String code) {
    assertEquals("error", reply.get("type").asText(), reply.toString());
    assertEquals(code, reply.get("code").asText(), reply.toString());
    assertEquals("screenshare", reply.get("feature").asText(), reply.toString());
    assertFalse(reply.get("message").asText().isEmpty());
  }

  @Test
  void aTokenWithoutScreenshareHasItsScreenRefusedButItsCameraPublished() throws Exception {
    String room = "fg-signal";
    try (WsClient host = new WsClient(node.httpPort()); WsClient ann = new WsClient(node.httpPort())) {
      join(host, room, token(room, "Host", true, Map.of()));
      JsonNode joined = join(ann, room, token(room, "Ann", false, Map.of("screenshare", false, "chat", false)));
      assertFalse(joined.get("grants").get("screenshare").asBoolean());
      assertRefused(publish(ann, TestOffers.publishWithScreen()), "not_granted");
      assertEquals("publishAnswer", publish(ann, TestOffers.publish()).get("type").asText(),
          "the refusal was for the screen: the same offer without it publishes");
      assertRefused(publish(ann, TestOffers.publishWithScreen()), "not_granted");
      ann.send("{\"type\":\"chat\",\"text\":\"hello\"}");
      JsonNode chat = ann.next("error");
      assertEquals("not_granted", chat.get("code").asText(), chat.toString());
      assertEquals("chat", chat.get("feature").asText());
      assertEquals("publishAnswer", publish(host, TestOffers.publishWithScreen()).get("type").asText(),
          "the host's token says nothing of screenshare: the room's flag decides");
    }
  }

  @Test
  void aGuestWithoutATokenSharesAScreenAsTheRoomAllowsUntilAModeratorTurnsItOff() throws Exception {
    String room = "fg-guest";
    try (WsClient host = new WsClient(node.httpPort()); WsClient guest = new WsClient(node.httpPort())) {
      join(host, room, token(room, "Host", true, Map.of()));
      join(guest, room, null);
      assertEquals("publishAnswer", publish(guest, TestOffers.publishWithScreen()).get("type").asText());
      host.send("{\"type\":\"setFeature\",\"flag\":\"screenshare\",\"enabled\":false}");
      guest.next("settings", m -> !m.get("settings").get("features").get("screenshare").asBoolean());
      assertRefused(publish(guest, TestOffers.publishWithScreen()), "forbidden");
      assertEquals("publishAnswer", publish(guest, TestOffers.publish()).get("type").asText());
    }
  }

  @Test
  void aWhipPublisherWhoseTokenDeniesScreenshareIsRefusedAScreenWith403() throws Exception {
    String room = "fg-whip";
    try (WsClient host = new WsClient(node.httpPort())) {
      join(host, room, token(room, "Host", true, Map.of()));
      String denied = token(room, "Encoder", false, Map.of("screenshare", false));
      HttpResponse<String> screen = whip(room, denied, TestOffers.publishWithScreen());
      assertEquals(403, screen.statusCode(), screen.body());
      JsonNode error = JSON.readTree(screen.body());
      assertEquals("not_granted", error.get("error").asText(), screen.body());
      HttpResponse<String> camera = whip(room, denied, TestOffers.publish());
      assertEquals(201, camera.statusCode(), camera.body());
      assertEquals(201, whip(room, token(room, "Studio", false, Map.of()), TestOffers.publishWithScreen())
          .statusCode(), "a token that does not deny it");
    }
  }

  private static HttpResponse<String> whip(String room, String token, String sdp) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + "/whip/" + room))
        .timeout(WAIT).header("Content-Type", "application/sdp").header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofString(sdp)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
