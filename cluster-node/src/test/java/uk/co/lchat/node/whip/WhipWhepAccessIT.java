package uk.co.lchat.node.whip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;
import uk.co.lchat.node.WsClient;

/**
 * Who may publish with WHIP, watch with WHEP and end either: the room's own access check (passcode, lobby, removal)
 * and the session's unguessable resource URL with the credential of its POST. Real node, real HTTP and WebSocket;
 * the offers are well-formed SDP from no browser (the router answers them; no media needs to flow to prove who is
 * let in).
 */
class WhipWhepAccessIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static LchatNode node;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.single();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  // ---- HTTP ------------------------------------------------------------------------------------------------------

  private static HttpResponse<String> send(String method, String path, String token, String type, String body)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
        .timeout(WAIT);
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (type != null) {
      b.header("Content-Type", type);
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> whip(String room, String token) throws Exception {
    return send("POST", "/whip/" + room, token, "application/sdp", TestOffers.publish());
  }

  private static HttpResponse<String> whep(String path, String token) throws Exception {
    return send("POST", path, token, "application/sdp", TestOffers.watch());
  }

  private static String location(HttpResponse<String> created) {
    assertEquals(201, created.statusCode(), created.body());
    return created.headers().firstValue("Location").orElseThrow();
  }

  private static String participant(HttpResponse<String> created) {
    return created.headers().firstValue(WhipWhepRoutes.PARTICIPANT_HEADER).orElseThrow();
  }

  // ---- the room --------------------------------------------------------------------------------------------------

  private static WsClient host(String room) throws Exception {
    WsClient host = new WsClient(node.httpPort());
    host.join(room, "Host");
    return host;
  }

  private static void setPasscode(WsClient host, String passcode) throws Exception {
    host.send("{\"type\":\"setPasscode\",\"passcode\":\"" + passcode + "\"}");
    host.next("settings", s -> s.toString().contains("\"passcodeSet\":true"));
  }

  /** The next roster the host receives that satisfies {@code test}. */
  private static JsonNode rosterWhere(WsClient host, java.util.function.Predicate<JsonNode> test) throws Exception {
    return host.next("roster", r -> test.test(r.get("participants")));
  }

  private static JsonNode entry(JsonNode participants, String id) {
    for (JsonNode p : participants) {
      if (p.get("id").asText().equals(id)) {
        return p;
      }
    }
    return null;
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, what);
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  // ---- the tests -------------------------------------------------------------------------------------------------

  @Test
  void anOutsiderWithoutTheRightPasscodeCannotWatchEitherWhepForm() throws Exception {
    try (WsClient host = host("whep-locked")) {
      setPasscode(host, "moon-42");
      String speaker = "/whep/whep-locked";
      String person = "/whep/whep-locked/" + host.participantId;
      for (String path : new String[] {speaker, person}) {
        HttpResponse<String> none = whep(path, null);
        assertEquals(401, none.statusCode(), path + ": " + none.body());
        assertEquals("Bearer", none.headers().firstValue("WWW-Authenticate").orElse(""), path);
        assertTrue(none.body().contains("passcode_required"), none.body());
        HttpResponse<String> wrong = whep(path, "sun-17");
        assertEquals(401, wrong.statusCode(), path + ": " + wrong.body());
        assertTrue(wrong.body().contains("passcode_wrong"), wrong.body());
        assertFalse(wrong.headers().firstValue("Location").isPresent(), "no session for a refused viewer");
      }
      assertEquals(1, TestNodes.getJson(node.httpPort(), "/api/rooms/whep-locked").get("size").asInt(),
          "nobody refused got into the room");
      // With the passcode, both forms are let in.
      HttpResponse<String> a = whep(speaker, "moon-42");
      HttpResponse<String> b = whep(person, "moon-42");
      assertEquals(201, a.statusCode(), a.body());
      assertEquals(201, b.statusCode(), b.body());
      assertTrue(a.body().startsWith("v=0"), "an SDP answer");
      assertEquals(200, send("DELETE", location(a), "moon-42", null, null).statusCode());
      assertEquals(200, send("DELETE", location(b), "moon-42", null, null).statusCode());
    }
  }

  @Test
  void aWhepViewerAppearsInEveryMembersRosterAsAViewerUntilItEnds() throws Exception {
    try (WsClient host = host("whep-roster"); WsClient other = new WsClient(node.httpPort())) {
      other.join("whep-roster", "Other");
      host.drain();
      HttpResponse<String> watching = whep("/whep/whep-roster?name=Lobby%20screen", null);
      String location = location(watching);
      String viewer = participant(watching);
      for (WsClient member : new WsClient[] {host, other}) {
        JsonNode participants = rosterWhere(member, ps -> entry(ps, viewer) != null).get("participants");
        JsonNode entry = entry(participants, viewer);
        assertEquals("viewer", entry.get("role").asText(), entry.toString());
        assertEquals("Lobby screen", entry.get("displayName").asText(), entry.toString());
      }
      assertEquals(200, send("DELETE", location, null, null, null).statusCode());
      rosterWhere(host, ps -> entry(ps, viewer) == null);
      rosterWhere(other, ps -> entry(ps, viewer) == null);
      assertEquals(404, send("DELETE", location, null, null, null).statusCode(), "the session is gone");
    }
  }

  @Test
  void aWhepViewerCannotWaitInTheLobbyJustAsAWhipPublisherCannot() throws Exception {
    try (WsClient host = host("whep-lobby")) {
      host.send("{\"type\":\"setLobby\",\"enabled\":true}");
      host.next("settings", s -> s.toString().contains("\"lobbyEnabled\":true"));
      for (String path : new String[] {"/whep/whep-lobby", "/whep/whep-lobby/" + host.participantId}) {
        HttpResponse<String> refused = whep(path, null);
        assertEquals(403, refused.statusCode(), path + ": " + refused.body());
        assertTrue(refused.body().contains("lobby"), refused.body());
      }
      assertEquals(403, whip("whep-lobby", null).statusCode());
      // Each knock left the lobby again, and nobody entered.
      host.next("lobbyChanged", l -> l.get("waiting").isEmpty());
      assertEquals(1, TestNodes.getJson(node.httpPort(), "/api/rooms/whep-lobby").get("size").asInt());
    }
  }

  @Test
  void resourceUrlsAreUnguessableAndNeverTheRosterId() throws Exception {
    try (WsClient host = host("whip-urls")) {
      java.util.Set<String> ids = new java.util.HashSet<>();
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> published = whip("whip-urls", null);
        HttpResponse<String> watched = whep("/whep/whip-urls", null);
        String whipId = location(published).substring("/whip/whip-urls/".length());
        String whepId = location(watched).substring("/whep/whip-urls/viewers/".length());
        for (String id : new String[] {whipId, whepId}) {
          // 22 base64url characters carry 132 bits, of which SecureRandom fills 128 (RFC 9725 §4.1).
          assertTrue(id.matches("[A-Za-z0-9_-]{22,}"), id);
          assertTrue(ids.add(id), "every resource id is new");
        }
        assertNotEquals(participant(published), whipId);
        assertNotEquals(participant(watched), whepId);
        // The roster id names no resource.
        assertEquals(404, send("DELETE", "/whip/whip-urls/" + participant(published), null, null, null)
            .statusCode());
        assertEquals(404, send("DELETE", "/whep/whip-urls/viewers/" + participant(watched), null, null, null)
            .statusCode());
        assertEquals(200, send("DELETE", location(published), null, null, null).statusCode());
        assertEquals(200, send("DELETE", location(watched), null, null, null).statusCode());
      }
    }
  }

  @Test
  void endingOrPatchingASessionTakesTheCredentialOfItsPost() throws Exception {
    try (WsClient host = host("whip-creds")) {
      setPasscode(host, "moon-42");
      HttpResponse<String> published = whip("whip-creds", "moon-42");
      HttpResponse<String> watched = whep("/whep/whip-creds", "moon-42");
      String publisher = participant(published);
      for (String location : new String[] {location(published), location(watched)}) {
        for (String method : new String[] {"DELETE", "PATCH"}) {
          String type = method.equals("PATCH") ? "application/trickle-ice-sdpfrag" : null;
          String body = method.equals("PATCH") ? "a=ice-ufrag:abcd\r\na=ice-pwd:pwdpwdpwdpwdpwdpwdpwdpwd\r\n" : null;
          HttpResponse<String> none = send(method, location, null, type, body);
          assertEquals(401, none.statusCode(), method + " " + location + ": " + none.body());
          assertEquals("Bearer", none.headers().firstValue("WWW-Authenticate").orElse(""));
          assertEquals(403, send(method, location, "sun-17", type, body).statusCode(), method + " " + location);
        }
        // PATCH with the right credential reaches the session, which takes neither trickle ICE nor ICE restarts.
        HttpResponse<String> patched = send("PATCH", location, "moon-42", "application/trickle-ice-sdpfrag",
            "a=ice-ufrag:abcd\r\na=ice-pwd:pwdpwdpwdpwdpwdpwdpwdpwd\r\n");
        assertEquals(405, patched.statusCode(), patched.body());
      }
      JsonNode roster = rosterWhere(host, ps -> ps.size() == 3).get("participants");
      assertTrue(entry(roster, publisher) != null && entry(roster, participant(watched)) != null,
          "host, publisher and viewer are all still in: " + roster);
      // Nothing the refused requests did ended anything; the right credential does.
      assertEquals(200, send("DELETE", location(published), "moon-42", null, null).statusCode());
      assertEquals(200, send("DELETE", location(watched), "moon-42", null, null).statusCode());
      rosterWhere(host, ps -> ps.size() == 1);
    }
  }

  @Test
  void aNewPasscodeKeepsExistingSessionsButNewRequestsNeedIt() throws Exception {
    try (WsClient host = host("whep-rekey")) {
      setPasscode(host, "moon-42");
      HttpResponse<String> before = whep("/whep/whep-rekey", "moon-42");
      String location = location(before);
      host.send("{\"type\":\"setPasscode\",\"passcode\":\"sun-17\"}");
      host.next("settings");
      assertEquals(401, whep("/whep/whep-rekey", "moon-42").statusCode(), "the old passcode lets nobody new in");
      HttpResponse<String> after = whep("/whep/whep-rekey", "sun-17");
      assertEquals(201, after.statusCode(), after.body());
      JsonNode roster = rosterWhere(host, ps -> ps.size() == 3).get("participants");
      assertTrue(entry(roster, participant(before)) != null, "the earlier viewer still watches: " + roster);
      // Its session is still held by the credential it was created with.
      assertEquals(403, send("DELETE", location, "sun-17", null, null).statusCode());
      assertEquals(200, send("DELETE", location, "moon-42", null, null).statusCode());
      assertEquals(200, send("DELETE", location(after), "sun-17", null, null).statusCode());
    }
  }

  @Test
  void aRemovedWhepViewerLosesItsMediaAndItsSession() throws Exception {
    try (WsClient host = host("whep-kick")) {
      host.drain();
      HttpResponse<String> watching = whep("/whep/whep-kick/" + host.participantId, null);
      String location = location(watching);
      String viewer = participant(watching);
      assertTrue(node.mediaRouter().hasEndpoint(viewer + "/watch"), "the viewer's connection exists");
      rosterWhere(host, ps -> entry(ps, viewer) != null);
      host.send("{\"type\":\"remove\",\"target\":\"" + viewer + "\"}");
      rosterWhere(host, ps -> entry(ps, viewer) == null);
      await("the removed viewer's connection is closed", () -> !node.mediaRouter().hasEndpoint(viewer + "/watch"));
      await("the removed viewer's session is gone", () -> {
        try {
          return send("DELETE", location, null, null, null).statusCode() == 404;
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      });
    }
  }

  @Test
  void aRemovedWhipPublisherStopsPublishingAndItsUrlIsGone() throws Exception {
    try (WsClient host = host("whip-kick")) {
      host.drain();
      HttpResponse<String> published = whip("whip-kick", null);
      String publisher = participant(published);
      assertTrue(node.mediaRouter().hasEndpoint(publisher + "/pub"), "the publisher's connection exists");
      rosterWhere(host, ps -> entry(ps, publisher) != null);
      host.send("{\"type\":\"remove\",\"target\":\"" + publisher + "\"}");
      rosterWhere(host, ps -> entry(ps, publisher) == null);
      await("the removed publisher's connection is closed",
          () -> !node.mediaRouter().hasEndpoint(publisher + "/pub"));
      await("the removed publisher's session is gone", () -> {
        try {
          return send("DELETE", location(published), null, null, null).statusCode() == 404;
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      });
    }
  }
}
