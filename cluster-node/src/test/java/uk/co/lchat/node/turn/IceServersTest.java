package uk.co.lchat.node.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;

import uk.co.lchat.node.signaling.SignalingCodec;
import uk.co.lchat.room.RoomProtocol;

class IceServersTest {
  private static final List<String> TURN = List.of("turn:turn.example.com:3478?transport=udp",
      "turn:turn.example.com:3478?transport=tcp", "turns:turn.example.com:443?transport=tcp");
  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1_700_000_000L), ZoneOffset.UTC);

  private static IceServers servers(List<String> turn, List<String> stun) {
    return new IceServers(new TurnSettings(turn, turn.isEmpty() ? "" : "north-wind", Duration.ofDays(1), stun),
        CLOCK);
  }

  @Test
  void noneByDefault() {
    TurnSettings defaults = TurnSettings.fromConfig(ConfigFactory.load());
    assertTrue(new IceServers(defaults, CLOCK).forUser("k3m9x2p7qa").isEmpty());
    assertEquals(Duration.ofHours(24), defaults.credentialTtl());
  }

  @Test
  void linkHeadersAreOnePerUrlAsRfc9725Shows() {
    List<String> links = IceServers.linkHeaders(servers(TURN, List.of("stun:turn.example.com:3478"))
        .forUser("k3m9x2p7qa"));
    String credentials = "; username=\"1700086400:k3m9x2p7qa\"; credential=\"sF0WujebKh2p/+XOvR3vIkpY8O0=\";"
        + " credential-type=\"password\"";
    assertEquals(List.of(
        "<stun:turn.example.com:3478>; rel=\"ice-server\"",
        "<turn:turn.example.com:3478?transport=udp>; rel=\"ice-server\"" + credentials,
        "<turn:turn.example.com:3478?transport=tcp>; rel=\"ice-server\"" + credentials,
        "<turns:turn.example.com:443?transport=tcp>; rel=\"ice-server\"" + credentials), links);
  }

  @Test
  void joinedAndResumedCarryThemAsRtcIceServers() throws Exception {
    List<IceServers.IceServer> servers = servers(TURN, List.of()).forUser("k3m9x2p7qa");
    RoomProtocol.RoomSnapshot room = new RoomProtocol.RoomSnapshot("moon", List.of(), null, List.of(), null, null,
        List.of());
    JsonNode joined = new ObjectMapper().readTree(SignalingCodec.encode(
        new RoomProtocol.Joined("k3m9x2p7qa", RoomProtocol.Role.MODERATOR, room, List.of()), servers));
    JsonNode entry = joined.get("iceServers").get(0);
    assertEquals(3, entry.get("urls").size());
    assertEquals("turns:turn.example.com:443?transport=tcp", entry.get("urls").get(2).asText());
    assertEquals("1700086400:k3m9x2p7qa", entry.get("username").asText());
    assertEquals("sF0WujebKh2p/+XOvR3vIkpY8O0=", entry.get("credential").asText());
    JsonNode plain = new ObjectMapper().readTree(SignalingCodec.encode(
        new RoomProtocol.Joined("k3m9x2p7qa", RoomProtocol.Role.MODERATOR, room, List.of())));
    assertTrue(plain.get("iceServers") == null, "no field without servers");
  }

  @Test
  void settingsAreCheckedAtStart() {
    assertThrows(IllegalArgumentException.class, () -> parse(Map.of("lchat.turn.urls", TURN)), "needs the secret");
    assertThrows(IllegalArgumentException.class, () -> parse(Map.of("lchat.turn.secret", "x")), "needs URLs");
    assertThrows(IllegalArgumentException.class,
        () -> parse(Map.of("lchat.turn.urls", List.of("http://turn.example.com"), "lchat.turn.secret", "x")));
    assertThrows(IllegalArgumentException.class,
        () -> parse(Map.of("lchat.turn.stun-urls", List.of("turn:turn.example.com"))));
    assertThrows(IllegalArgumentException.class, () -> parse(Map.of("lchat.turn.urls", TURN,
        "lchat.turn.secret", "x", "lchat.turn.credential-ttl", "10s")));
    TurnSettings ok = parse(Map.of("lchat.turn.urls", List.of("turn:[2001:db8::1]:3478?transport=udp",
        "turn:10.77.0.1:3478"), "lchat.turn.secret", "x", "lchat.turn.credential-ttl", "2h"));
    assertEquals(Duration.ofHours(2), ok.credentialTtl());
  }

  private static TurnSettings parse(Map<String, Object> settings) {
    return TurnSettings.fromConfig(ConfigFactory.parseMap(settings).withFallback(ConfigFactory.load()));
  }
}
