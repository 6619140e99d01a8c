package uk.co.lchat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** One real node, real WebSocket clients: the signaling protocol end to end. */
class SignalingIT {
  static final Duration QUIET = Duration.ofMillis(500);
  static LchatNode node;
  static int port;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.single();
    port = node.httpPort();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void healthAnswersWithTheClusterSize() throws Exception {
    JsonNode health = TestNodes.getJson(port, "/health");
    assertEquals("ok", health.get("status").asText());
    assertEquals(1, health.get("members").asInt());
  }

  @Test
  void twoClientsMeetChatAndTheRoomVanishesWhenTheyLeave() throws Exception {
    try (WsClient ann = new WsClient(port); WsClient bob = new WsClient(port)) {
      JsonNode annJoined = ann.join("apollo", "Ann");
      assertEquals("moderator", annJoined.get("role").asText());
      JsonNode bobJoined = bob.join("apollo", "Bob");
      assertEquals("participant", bobJoined.get("role").asText());
      assertEquals(2, bobJoined.get("room").get("participants").size());
      assertEquals(2, ann.next("roster").get("participants").size());

      JsonNode info = TestNodes.getJson(port, "/api/rooms/apollo");
      assertTrue(info.get("exists").asBoolean());
      assertEquals(2, info.get("size").asInt());

      bob.send("{\"type\":\"chat\",\"text\":\"hello Ann\"}");
      JsonNode chat = ann.next("chat").get("message");
      assertEquals("hello Ann", chat.get("text").asText());
      assertEquals("Bob", chat.get("fromName").asText());

      bob.send("{\"type\":\"leave\"}");
      assertEquals(1, ann.next("roster").get("participants").size());
      // A socket that merely drops keeps its participant for lchat.http.ws.resume-grace; leaving is explicit.
      ann.send("{\"type\":\"leave\"}");
      ann.close();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      boolean exists = true;
      while (exists && System.nanoTime() < deadline) {
        Thread.sleep(200);
        exists = TestNodes.getJson(port, "/api/rooms/apollo").get("exists").asBoolean();
      }
      assertFalse(exists, "the room should be gone once everyone left");
    }
  }

  @Test
  void badInputGetsAnErrorAndTheConnectionAndRoomSurvive() throws Exception {
    try (WsClient ann = new WsClient(port); WsClient bob = new WsClient(port)) {
      ann.send("{\"type\":\"chat\",\"text\":\"too early\"}");
      assertEquals("not_joined", ann.next("error").get("code").asText());
      ann.join("gemini", "Ann");
      bob.join("gemini", "Bob");
      ann.drain();

      ann.send("this is not json");
      assertEquals("bad_json", ann.next("error").get("code").asText());
      ann.send("{\"type\":\"warp\"}");
      assertEquals("unknown_type", ann.next("error").get("code").asText());
      ann.send("{\"type\":\"chat\"}");
      assertEquals("invalid", ann.next("error").get("code").asText());
      ann.send("{\"type\":\"chat\",\"text\":\"" + "x".repeat(65 * 1024) + "\"}");
      assertEquals("too_large", ann.next("error").get("code").asText());
      ann.sendBinary(new byte[] {1, 2, 3});
      assertEquals("bad_json", ann.next("error").get("code").asText());
      ann.send("{\"type\":\"join\",\"room\":\"other\",\"name\":\"Ann\"}");
      assertEquals("already_joined", ann.next("error").get("code").asText());
      ann.send("{\"type\":\"remove\",\"target\":\"nobody\"}");
      assertEquals("not_found", ann.next("error").get("code").asText());

      ann.send("{\"type\":\"ping\"}");
      assertEquals("pong", ann.next().get("type").asText());
      ann.send("{\"type\":\"chat\",\"text\":\"still here\"}");
      assertEquals("still here", bob.next("chat").get("message").get("text").asText());
      assertFalse(ann.closedByServer());
    }
  }

  @Test
  void aClientRefusedAtThePasscodeLearnsNothingThenGetsInWithIt() throws Exception {
    try (WsClient ann = new WsClient(port); WsClient eve = new WsClient(port)) {
      ann.join("vault", "Ann");
      ann.send("{\"type\":\"setPasscode\",\"passcode\":\"moon-42\"}");
      assertTrue(ann.next("settings").get("settings").get("passcodeSet").asBoolean());
      assertTrue(TestNodes.getJson(port, "/api/rooms/vault").get("locked").asBoolean());

      eve.send("{\"type\":\"join\",\"room\":\"vault\",\"name\":\"Eve\"}");
      JsonNode refused = eve.next();
      assertEquals("refused", refused.get("type").asText());
      assertEquals("passcode_required", refused.get("code").asText());
      eve.send("{\"type\":\"join\",\"room\":\"vault\",\"name\":\"Eve\",\"passcode\":\"nope\"}");
      assertEquals("passcode_wrong", eve.next().get("code").asText());
      ann.send("{\"type\":\"chat\",\"text\":\"secret plans\"}");
      eve.expectSilence(QUIET);

      eve.send("{\"type\":\"join\",\"room\":\"vault\",\"name\":\"Eve\",\"passcode\":\"moon-42\"}");
      assertEquals("secret plans", eve.next("joined").get("room").get("chatHistory").get(0).get("text").asText());
    }
  }

  @Test
  void theLobbyHoldsAKnockerUntilAModeratorAdmitsThem() throws Exception {
    try (WsClient ann = new WsClient(port); WsClient cat = new WsClient(port); WsClient dan = new WsClient(port)) {
      ann.join("lobbyroom", "Ann");
      ann.send("{\"type\":\"setLobby\",\"enabled\":true}");
      ann.next("settings");
      cat.send("{\"type\":\"join\",\"room\":\"lobbyroom\",\"name\":\"Cat\"}");
      String lobbyId = cat.next("lobby").get("lobbyId").asText();
      assertEquals("Cat", ann.next("lobbyChanged").get("waiting").get(0).get("displayName").asText());
      ann.send("{\"type\":\"chat\",\"text\":\"not for the lobby\"}");
      cat.expectSilence(QUIET);
      cat.send("{\"type\":\"chat\",\"text\":\"let me in\"}");
      assertEquals("not_joined", cat.next("error").get("code").asText());

      ann.send("{\"type\":\"admit\",\"lobbyId\":\"" + lobbyId + "\"}");
      assertEquals(2, cat.next("joined").get("room").get("participants").size());

      dan.send("{\"type\":\"join\",\"room\":\"lobbyroom\",\"name\":\"Dan\"}");
      String danLobbyId = dan.next("lobby").get("lobbyId").asText();
      ann.send("{\"type\":\"deny\",\"lobbyId\":\"" + danLobbyId + "\"}");
      assertEquals("denied", dan.next("refused").get("code").asText());
      ann.send("{\"type\":\"chat\",\"text\":\"after the denial\"}");
      dan.expectSilence(QUIET);
    }
  }

  @Test
  void aRemovedParticipantIsDisconnectedAndCannotRejoinWithItsSession() throws Exception {
    try (WsClient ann = new WsClient(port); WsClient bob = new WsClient(port)) {
      ann.join("kickroom", "Ann");
      bob.join("kickroom", "Bob");
      ann.send("{\"type\":\"remove\",\"target\":\"" + bob.participantId + "\"}");
      assertEquals(ann.participantId, bob.next("removed").get("by").asText());
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (!bob.closedByServer() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertTrue(bob.closedByServer(), "the server closes a removed participant's socket");

      try (WsClient bobAgain = new WsClient(port)) {
        bobAgain.send("{\"type\":\"join\",\"room\":\"kickroom\",\"name\":\"Bob\",\"sessionToken\":\""
            + bob.sessionToken + "\"}");
        assertEquals("removed", bobAgain.next("refused").get("code").asText());
        ann.send("{\"type\":\"chat\",\"text\":\"bob is out\"}");
        bobAgain.expectSilence(QUIET);
      }
    }
  }

  @Test
  void roomLookupValidatesTheName() throws Exception {
    assertEquals(400, TestNodes.get(port, "/api/rooms/bad%20name").statusCode());
    assertFalse(TestNodes.getJson(port, "/api/rooms/nobody-here").get("exists").asBoolean());
  }
}
