package uk.co.lchat.node.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.nimbusds.jwt.JWTClaimsSet;
import com.typesafe.config.ConfigFactory;

/** Server API authentication: a short-lived HS256 JWT naming its key, or Basic id:secret; anything else is 401. */
class ApiKeysTest {
  static final String SECRET = "backend-secret-of-at-least-32-bytes!!";

  private static AuthSettings settings(List<Map<String, String>> keys) {
    return AuthSettings.fromConfig(ConfigFactory.parseMap(Map.of("lchat.api.keys", keys))
        .withFallback(ConfigFactory.load()).resolve());
  }

  private static final ApiKeys KEYS = new ApiKeys(settings(List.of(Map.of("id", "backend", "secret", SECRET))));

  private static ApiKeys.Verdict auth(String header) {
    return KEYS.authenticate(Optional.ofNullable(header), Instant.now());
  }

  private static String jwt(String secret, String kid, Duration ttl) {
    return TestTokens.hs256(secret, kid, new JWTClaimsSet.Builder()
        .expirationTime(Date.from(Instant.now().plus(ttl))));
  }

  @Test
  void aShortLivedJwtSignedWithTheKeysSecretAndNamingItIsLetIn() {
    assertEquals("backend", assertInstanceOf(ApiKeys.Authenticated.class,
        auth("Bearer " + jwt(SECRET, "backend", Duration.ofMinutes(1)))).keyId());
  }

  @Test
  void basicCredentialsWithTheRightSecretAreLetIn() {
    String basic = Base64.getEncoder().encodeToString(("backend:" + SECRET).getBytes(StandardCharsets.UTF_8));
    assertInstanceOf(ApiKeys.Authenticated.class, auth("Basic " + basic));
  }

  @Test
  void missingWrongExpiredTooLongLivedOrMalformedCredentialsAreRejected() {
    String wrongBasic = Base64.getEncoder().encodeToString("backend:guess".getBytes(StandardCharsets.UTF_8));
    for (String header : new String[] {null, "", "Bearer", "Bearer x.y.z", "Token abc", "Basic !!!", "Basic " + wrongBasic,
        "Bearer " + jwt(SECRET, "other", Duration.ofMinutes(1)),
        "Bearer " + jwt(SECRET, null, Duration.ofMinutes(1)),
        "Bearer " + jwt("a-different-secret-of-32-bytes-or-more", "backend", Duration.ofMinutes(1)),
        "Bearer " + jwt(SECRET, "backend", Duration.ofMinutes(-5)),
        "Bearer " + jwt(SECRET, "backend", Duration.ofDays(30)),
        "Bearer " + TestTokens.hs256(SECRET, "backend", new JWTClaimsSet.Builder()),
        "Bearer " + "x".repeat(10_000)}) {
      assertInstanceOf(ApiKeys.Rejected.class, auth(header), String.valueOf(header));
    }
  }

  @Test
  void aNodeWithoutKeysRejectsEverything() {
    ApiKeys none = new ApiKeys(settings(List.of()));
    assertInstanceOf(ApiKeys.Rejected.class, none.authenticate(Optional.of("Bearer "
        + jwt(SECRET, "backend", Duration.ofMinutes(1))), Instant.now()));
  }

  @Test
  void shortSecretsAndDuplicateIdsStopTheNodeAtStart() {
    assertThrows(IllegalArgumentException.class, () -> settings(List.of(Map.of("id", "a", "secret", "short"))));
    assertThrows(IllegalArgumentException.class, () -> settings(List.of(Map.of("id", "a", "secret", SECRET),
        Map.of("id", "a", "secret", SECRET))));
  }
}
