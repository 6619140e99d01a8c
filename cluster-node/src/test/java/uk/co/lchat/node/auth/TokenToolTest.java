package uk.co.lchat.node.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import uk.co.lchat.room.RoomProtocol.Identity;

/** {@code bin/lchat token}: its flags, and the token it prints verifying as what was asked for. */
class TokenToolTest {
  @TempDir
  Path dir;

  @Test
  void aMintedTokenVerifiesWithTheRoomNameRoleFeaturesAndExpiryAskedFor() throws Exception {
    TokenTool.Parsed p = TokenTool.parse(new String[] {"--room", "moon", "--name", "Ann Smith", "--moderator",
        "--ttl", "30m", "--subject", "ann@example.org", "--feature", "screenshare=false"});
    Instant now = Instant.now();
    String token = TokenTool.sign(TestTokens.SECRET.getBytes(StandardCharsets.UTF_8), p.request(), now);
    JoinTokens tokens = new JoinTokens(new TestTokens(dir).authSettings(m -> { }));
    Identity id = assertInstanceOf(JoinTokens.Valid.class, tokens.verify(token, "moon", now)).identity();
    assertEquals("Ann Smith", id.displayName());
    assertTrue(id.moderator());
    assertEquals("ann@example.org", id.subject());
    assertEquals(Map.of("screenshare", false), id.grants());
    assertEquals("token_expired", assertInstanceOf(JoinTokens.Refused.class,
        tokens.verify(token, "moon", now.plus(Duration.ofMinutes(31)))).code(), "--ttl 30m");
  }

  @Test
  void badFlagsAreRefusedWithAMessage() {
    assertThrows(IllegalArgumentException.class, () -> TokenTool.parse(new String[] {"--name", "Ann"}));
    assertThrows(IllegalArgumentException.class, () -> TokenTool.parse(new String[] {"--room", "moon", "--ttl",
        "soon"}));
    assertThrows(IllegalArgumentException.class, () -> TokenTool.parse(new String[] {"--room", "a room"}));
    assertThrows(IllegalArgumentException.class, () -> TokenTool.parse(new String[] {"--room", "moon", "--feature",
        "x"}));
    assertThrows(IllegalArgumentException.class, () -> TokenTool.parse(new String[] {"--room"}));
  }
}
