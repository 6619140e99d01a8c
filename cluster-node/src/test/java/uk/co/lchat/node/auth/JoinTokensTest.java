package uk.co.lchat.node.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;

import uk.co.lchat.room.RoomProtocol.Identity;

/** Every claim and every way a join token can be wrong, against HS256 and the RS256/ES256 keys of a JWKS file. */
class JoinTokensTest {
  @TempDir
  static Path dir;
  static TestTokens keys;
  static JoinTokens tokens;

  @BeforeAll
  static void keys() throws Exception {
    keys = new TestTokens(dir);
    tokens = new JoinTokens(keys.authSettings(m -> { }));
  }

  private static JoinTokens.Verdict verify(String token, String room) {
    return tokens.verify(token, room, Instant.now());
  }

  private static Identity valid(String token, String room) {
    return assertInstanceOf(JoinTokens.Valid.class, verify(token, room)).identity();
  }

  private static String refused(String token, String room) {
    return assertInstanceOf(JoinTokens.Refused.class, verify(token, room)).code();
  }

  @Test
  void aGoodHs256TokenGivesItsNameRoleSubjectAndFeatures() {
    Identity id = valid(TestTokens.hs256(TestTokens.claims("moon", "Ann", true).subject("user-17")
        .claim("features", Map.of("recording", true, "screenshare", false))), "moon");
    assertEquals("Ann", id.displayName());
    assertTrue(id.moderator());
    assertEquals("user-17", id.subject());
    assertEquals(Map.of("recording", true, "screenshare", false), id.grants());
  }

  @Test
  void aTokenWithoutOptionalClaimsIsAPlainParticipantWithoutRestrictions() {
    Identity id = valid(TestTokens.hs256(TestTokens.claims("moon")), "moon");
    assertNull(id.displayName());
    assertFalse(id.moderator());
    assertNull(id.subject());
    assertNull(id.grants());
  }

  @Test
  void rs256AndEs256TokensAreCheckedWithTheKeysOfTheJwksFile() {
    assertEquals("Bob", valid(keys.rs256(TestTokens.claims("moon", "Bob", false)), "moon").displayName());
    assertEquals("Cat", valid(keys.es256(TestTokens.claims("moon", "Cat", false)), "moon").displayName());
  }

  @Test
  void anExpiredTokenIsRefusedTokenExpiredButTheClockSkewIsForgiven() {
    Instant now = Instant.now();
    assertEquals("token_expired", refused(TestTokens.hs256(TestTokens.claims("moon")
        .expirationTime(Date.from(now.minusSeconds(120)))), "moon"));
    valid(TestTokens.hs256(TestTokens.claims("moon").expirationTime(Date.from(now.minusSeconds(10)))), "moon");
  }

  @Test
  void aTokenNotYetValidIsRefusedTokenExpired() {
    Instant now = Instant.now();
    assertEquals("token_expired", refused(TestTokens.hs256(TestTokens.claims("moon")
        .notBeforeTime(Date.from(now.plus(Duration.ofMinutes(5))))), "moon"));
  }

  @Test
  void aTokenWithoutAnExpiryIsInvalid() {
    assertEquals("token_invalid", refused(TestTokens.hs256(TestTokens.claims("moon").expirationTime(null)),
        "moon"));
  }

  @Test
  void aTokenForAnotherRoomIsRefusedTokenWrongRoomAndPatternsMatch() {
    assertEquals("token_wrong_room", refused(TestTokens.hs256(TestTokens.claims("moon")), "sun"));
    valid(TestTokens.hs256(TestTokens.claims("*")), "anything");
    valid(TestTokens.hs256(TestTokens.claims("team-*")), "team-blue");
    assertEquals("token_wrong_room", refused(TestTokens.hs256(TestTokens.claims("team-*")), "teams"));
    assertEquals("token_invalid", refused(TestTokens.hs256(TestTokens.claims("moon").claim("room", null)), "moon"),
        "a token must name its room");
  }

  @Test
  void aTokenSignedWithAnotherSecretOrAStrangersKeyIsInvalid() throws JOSEException {
    assertEquals("token_invalid", refused(TestTokens.hs256(TestTokens.OTHER_SECRET, null,
        TestTokens.claims("moon")), "moon"));
    assertEquals("token_invalid", refused(keys.rs256WithAStrangersKey(TestTokens.claims("moon")), "moon"));
  }

  @Test
  void anUnsignedTokenOrAnotherAlgorithmIsInvalid() {
    String header = b64("{\"alg\":\"none\"}");
    String body = b64("{\"room\":\"moon\",\"exp\":" + (Instant.now().getEpochSecond() + 3600) + "}");
    assertEquals("token_invalid", refused(header + "." + body + ".", "moon"));
    String hs512 = b64("{\"alg\":\"HS512\"}");
    assertEquals("token_invalid", refused(hs512 + "." + body + "." + b64("sig"), "moon"));
  }

  @Test
  void malformedAndHugeTokensAreRefusedNeverThrown() {
    for (String bad : new String[] {"", "x", "a.b.c", "....", "eyJ.eyJ.eyJ", b64("{}") + ".x.y",
        b64("{\"alg\":\"HS256\"}") + "." + b64("[1,2]") + ".c2ln", "x".repeat(20_000)}) {
      assertEquals("token_invalid", refused(bad, "moon"), bad.length() > 40 ? bad.substring(0, 40) : bad);
    }
  }

  @Test
  void claimsOfTheWrongTypeAreInvalid() {
    assertEquals("token_invalid", refused(TestTokens.hs256(TestTokens.claims("moon").claim("role", "king")), "moon"));
    assertEquals("token_invalid", refused(TestTokens.hs256(TestTokens.claims("moon").claim("name", 42)), "moon"));
    assertEquals("token_invalid", refused(TestTokens.hs256(TestTokens.claims("moon").claim("features", "all")),
        "moon"));
    assertEquals("token_invalid", refused(TestTokens.hs256(TestTokens.claims("moon")
        .claim("features", Map.of("recording", "yes"))), "moon"));
  }

  @Test
  void issuerAndAudienceAreCheckedWhenConfigured() {
    JoinTokens strict = new JoinTokens(keys.authSettings(m -> {
      m.put("lchat.auth.issuer", "https://idp.example");
      m.put("lchat.auth.audience", "lchat");
    }));
    String good = TestTokens.hs256(TestTokens.claims("moon").issuer("https://idp.example").audience("lchat"));
    assertInstanceOf(JoinTokens.Valid.class, strict.verify(good, "moon", Instant.now()));
    String other = TestTokens.hs256(TestTokens.claims("moon").issuer("https://evil.example").audience("lchat"));
    assertEquals("token_invalid", ((JoinTokens.Refused) strict.verify(other, "moon", Instant.now())).code());
  }

  @Test
  void aNodeWithoutKeysRefusesEveryToken() {
    JoinTokens none = new JoinTokens(keys.authSettings(m -> {
      m.put("lchat.auth.hs256-secret", "");
      m.put("lchat.auth.jwks-file", "");
    }));
    assertEquals("token_invalid", ((JoinTokens.Refused) none.verify(TestTokens.hs256(TestTokens.claims("moon")),
        "moon", Instant.now())).code());
  }

  @Test
  void aShortSecretOrABrokenJwksFileStopsTheNodeAtStart() throws Exception {
    assertThrows(IllegalArgumentException.class, () -> keys.authSettings(m -> m.put("lchat.auth.hs256-secret",
        "short")));
    Path broken = dir.resolve("broken.json");
    Files.writeString(broken, "{not json");
    assertThrows(IllegalArgumentException.class, () -> new JoinTokens(keys.authSettings(m ->
        m.put("lchat.auth.jwks-file", broken.toString()))));
  }

  @Test
  void aRotatedJwksFileIsReadAgain() throws Exception {
    Path file = dir.resolve("rotating.json");
    Files.writeString(file, new JWKSet(keys.rsa.toPublicJWK()).toString());
    JoinTokens rotating = new JoinTokens(keys.authSettings(m -> {
      m.put("lchat.auth.jwks-file", file.toString());
      m.put("lchat.auth.jwks-reload-interval", "0s");
    }));
    String ecToken = keys.es256(TestTokens.claims("moon"));
    assertInstanceOf(JoinTokens.Refused.class, rotating.verify(ecToken, "moon", Instant.now()));
    Files.writeString(file, new JWKSet(List.of(keys.rsa.toPublicJWK(), keys.ec.toPublicJWK(),
        new RSAKeyGenerator(2048).keyID("rsa-2").generate().toPublicJWK())).toString());
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
    assertInstanceOf(JoinTokens.Valid.class, rotating.verify(ecToken, "moon", Instant.now()));
  }

  @Test
  void onlyCompactJwsCredentialsReadAsTokensForWhipAndWhep() {
    assertTrue(JoinTokens.looksLikeToken(TestTokens.hs256(TestTokens.claims("moon"))));
    assertFalse(JoinTokens.looksLikeToken("moon-42"));
    assertFalse(JoinTokens.looksLikeToken("a.b.c"), "a passcode with dots is still a passcode");
    assertFalse(JoinTokens.looksLikeToken(null));
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
