package uk.co.lchat.node.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;
import uk.co.lchat.node.WsClient;
import uk.co.lchat.node.whip.TestOffers;

/**
 * Join tokens end to end: real nodes ({@code lchat.auth.mode = token}, and one in {@code token-to-create}), real
 * WebSocket clients and WHIP/WHEP requests, tokens signed HS256 and with the RS256/ES256 keys of a JWKS file.
 */
class TokenJoinIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  static Path dir;
  static TestTokens keys;
  static LchatNode tokenNode;
  static LchatNode createNode;

  @BeforeAll
  static void start() throws Exception {
    keys = new TestTokens(dir);
    tokenNode = TestNodes.single(keys.settings("token"));
    createNode = TestNodes.single(new HashMap<>(keys.settings("token-to-create")));
  }

  @AfterAll
  static void stop() {
    if (tokenNode != null) {
      tokenNode.close();
    }
    if (createNode != null) {
      createNode.close();
    }
  }

  private static String joinJson(String room, String token) {
    return "{\"type\":\"join\",\"room\":\"" + room + "\"" + (token == null ? ",\"name\":\"Typed\"" : ",\"token\":\""
        + token + "\"") + "}";
  }

  /** Joins {@code node}'s room with {@code token} (null: none); returns joined, lobby or refused. */
  private static JsonNode knock(WsClient c, String room, String token) throws Exception {
    c.send(joinJson(room, token));
    while (true) {
      JsonNode m = c.next();
      String type = m.get("type").asText();
      if (type.equals("joined") || type.equals("refused") || type.equals("lobby")) {
        if (type.equals("joined")) {
          c.participantId = m.get("participantId").asText();
        }
        return m;
      }
    }
  }

  private static String refusal(WsClient c, String room, String token) throws Exception {
    JsonNode m = knock(c, room, token);
    assertEquals("refused", m.get("type").asText(), m.toString());
    assertFalse(m.get("message").asText().isEmpty(), "a refusal says why");
    return m.get("code").asText();
  }

  private static HttpResponse<String> post(LchatNode node, String path, String bearer, String sdp)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
        .timeout(WAIT).header("Content-Type", "application/sdp").POST(HttpRequest.BodyPublishers.ofString(sdp));
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> delete(LchatNode node, String location, String bearer) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + location))
        .header("Authorization", "Bearer " + bearer).DELETE().build(), HttpResponse.BodyHandlers.ofString());
  }

  // ---- signaling --------------------------------------------------------------------------------------------------

  @Test
  void aGoodTokenJoinsUnderItsOwnNameAndRole() throws Exception {
    try (WsClient ann = new WsClient(tokenNode.httpPort())) {
      JsonNode joined = knock(ann, "tj-good", TestTokens.hs256(TestTokens.claims("tj-good", "Ann Smith", true)));
      assertEquals("joined", joined.get("type").asText(), joined.toString());
      assertEquals("moderator", joined.get("role").asText());
      assertEquals("Ann Smith", joined.get("room").get("participants").get(0).get("displayName").asText());
    }
  }

  @Test
  void tokensSignedWithTheJwksFilesRsaAndEcKeysJoinToo() throws Exception {
    try (WsClient bob = new WsClient(tokenNode.httpPort()); WsClient cat = new WsClient(tokenNode.httpPort())) {
      assertEquals("joined", knock(bob, "tj-keys", keys.rs256(TestTokens.claims("tj-keys", "Bob", true)))
          .get("type").asText());
      JsonNode joined = knock(cat, "tj-keys", keys.es256(TestTokens.claims("tj-keys", "Cat", false)
          .claim("features", Map.of("screenshare", false))));
      assertEquals("participant", joined.get("role").asText());
      assertFalse(joined.get("grants").get("screenshare").asBoolean(), "the token's features reach its holder");
    }
  }

  @Test
  void missingExpiredEarlyWrongRoomAndWrongSignatureTokensAreEachRefusedWithTheirCode() throws Exception {
    Instant now = Instant.now();
    try (WsClient eve = new WsClient(tokenNode.httpPort())) {
      assertEquals("token_required", refusal(eve, "tj-refusals", null));
      assertEquals("token_expired", refusal(eve, "tj-refusals", TestTokens.hs256(TestTokens.claims("tj-refusals")
          .expirationTime(Date.from(now.minusSeconds(600))))));
      assertEquals("token_expired", refusal(eve, "tj-refusals", TestTokens.hs256(TestTokens.claims("tj-refusals")
          .notBeforeTime(Date.from(now.plusSeconds(600))))));
      assertEquals("token_wrong_room", refusal(eve, "tj-refusals", TestTokens.hs256(TestTokens.claims("elsewhere"))));
      assertEquals("token_invalid", refusal(eve, "tj-refusals", TestTokens.hs256(TestTokens.OTHER_SECRET, null,
          TestTokens.claims("tj-refusals"))));
      assertEquals("token_invalid", refusal(eve, "tj-refusals", keys.rs256WithAStrangersKey(
          TestTokens.claims("tj-refusals"))));
      assertEquals("token_invalid", refusal(eve, "tj-refusals", "not.a.jwt"));
      // The same socket, refused seven times, still joins with a good token.
      assertEquals("joined", knock(eve, "tj-refusals", TestTokens.hs256(TestTokens.claims("tj-refusals", "Eve",
          false))).get("type").asText());
    }
  }

  @Test
  void aRemovedSubjectIsRefusedBannedWhenItComesBackOnANewSocket() throws Exception {
    String room = "tj-ban";
    try (WsClient mod = new WsClient(tokenNode.httpPort()); WsClient ann = new WsClient(tokenNode.httpPort())) {
      knock(mod, room, TestTokens.hs256(TestTokens.claims(room, "Mod", true).subject("u-mod")));
      knock(ann, room, TestTokens.hs256(TestTokens.claims(room, "Ann", false).subject("u-ann")));
      mod.send("{\"type\":\"remove\",\"target\":\"" + ann.participantId + "\"}");
      ann.next("removed");
      try (WsClient again = new WsClient(tokenNode.httpPort())) {
        assertEquals("banned", refusal(again, room, TestTokens.hs256(TestTokens.claims(room, "Ann again", false)
            .subject("u-ann"))));
      }
    }
  }

  // ---- WHIP and WHEP ----------------------------------------------------------------------------------------------

  @Test
  void whipAndWhepNeedAValidTokenAndAreNamedByIt() throws Exception {
    String room = "tj-whip";
    String good = TestTokens.hs256(TestTokens.claims(room, "OBS studio", false));
    try (WsClient host = new WsClient(tokenNode.httpPort())) {
      knock(host, room, TestTokens.hs256(TestTokens.claims(room, "Host", true)));
      HttpResponse<String> none = post(tokenNode, "/whip/" + room, null, TestOffers.publish());
      assertEquals(401, none.statusCode(), none.body());
      assertTrue(none.body().contains("token_required"), none.body());
      HttpResponse<String> passcode = post(tokenNode, "/whip/" + room, "moon-42", TestOffers.publish());
      assertEquals(401, passcode.statusCode(), "a passcode is no token: " + passcode.body());
      HttpResponse<String> expired = post(tokenNode, "/whip/" + room, TestTokens.hs256(TestTokens.claims(room)
          .expirationTime(Date.from(Instant.now().minusSeconds(600)))), TestOffers.publish());
      assertEquals(401, expired.statusCode(), expired.body());
      assertTrue(expired.body().contains("token_expired"), expired.body());
      assertEquals("Bearer error=\"invalid_token\"", expired.headers().firstValue("WWW-Authenticate").orElse(""));
      HttpResponse<String> wrongRoom = post(tokenNode, "/whip/" + room, TestTokens.hs256(
          TestTokens.claims("elsewhere")), TestOffers.publish());
      assertEquals(403, wrongRoom.statusCode(), wrongRoom.body());

      HttpResponse<String> published = post(tokenNode, "/whip/" + room, good, TestOffers.publish());
      assertEquals(201, published.statusCode(), published.body());
      String publisher = published.headers().firstValue("Lchat-Participant").orElseThrow();
      JsonNode roster = host.next("roster", r -> r.get("participants").toString().contains(publisher));
      assertTrue(roster.toString().contains("OBS studio"), "the token's name, not ?name=: " + roster);

      HttpResponse<String> noViewerToken = post(tokenNode, "/whep/" + room, null, TestOffers.watch());
      assertEquals(401, noViewerToken.statusCode(), noViewerToken.body());
      String viewerToken = keys.es256(TestTokens.claims(room, "Lobby screen", false));
      HttpResponse<String> watching = post(tokenNode, "/whep/" + room + "/" + publisher, viewerToken,
          TestOffers.watch());
      assertEquals(201, watching.statusCode(), watching.body());
      String location = watching.headers().firstValue("Location").orElseThrow();
      assertEquals(403, delete(tokenNode, location, good).statusCode(), "another token cannot end the viewer");
      assertEquals(200, delete(tokenNode, location, viewerToken).statusCode());
      assertEquals(200, delete(tokenNode, published.headers().firstValue("Location").orElseThrow(), good)
          .statusCode());
    }
  }

  // ---- token-to-create --------------------------------------------------------------------------------------------

  @Test
  void aGuestWaitsForTheHostInTokenToCreateAndComesInWhenATokenHolderOpensTheRoom() throws Exception {
    String room = "tj-create";
    try (WsClient guest = new WsClient(createNode.httpPort()); WsClient host = new WsClient(createNode.httpPort())) {
      JsonNode waiting = knock(guest, room, null);
      assertEquals("lobby", waiting.get("type").asText(), waiting.toString());
      assertEquals("host", waiting.get("waitingFor").asText());
      assertEquals(403, post(createNode, "/whip/" + room, null, TestOffers.publish()).statusCode(),
          "a WHIP publisher without a token cannot wait for the host");
      assertEquals("joined", knock(host, room, TestTokens.hs256(TestTokens.claims(room, "Host", true)))
          .get("type").asText());
      JsonNode in = guest.next("joined");
      assertEquals("participant", in.get("role").asText());
      // The room is open now: a guest by link comes straight in, WHIP included.
      try (WsClient late = new WsClient(createNode.httpPort())) {
        assertEquals("joined", knock(late, room, null).get("type").asText());
      }
      HttpResponse<String> whip = post(createNode, "/whip/" + room, null, TestOffers.publish());
      assertEquals(201, whip.statusCode(), whip.body());
    }
  }
}
