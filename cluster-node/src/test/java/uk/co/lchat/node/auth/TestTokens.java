package uk.co.lchat.node.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.typesafe.config.ConfigFactory;

/**
 * Keys and tokens for tests: an HS256 secret, an RSA and an EC P-256 key pair whose public halves are written to a
 * JWKS file, and tokens signed with any of them (or with keys nobody trusts).
 */
public final class TestTokens {
  public static final String SECRET = "test-secret-of-at-least-thirty-two-bytes!";
  public static final String OTHER_SECRET = "another-secret-of-at-least-thirty-two-bytes";

  public final RSAKey rsa;
  public final ECKey ec;
  public final Path jwksFile;

  public TestTokens(Path dir) throws JOSEException, IOException {
    rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
    jwksFile = dir.resolve("jwks.json");
    Files.writeString(jwksFile, new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK())).toString(),
        StandardCharsets.UTF_8);
  }

  /** Claims for {@code room}, valid for an hour from now, as a builder to change. */
  public static JWTClaimsSet.Builder claims(String room) {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder().claim("room", room).notBeforeTime(Date.from(now.minusSeconds(5)))
        .expirationTime(Date.from(now.plus(Duration.ofHours(1))));
  }

  public static JWTClaimsSet.Builder claims(String room, String name, boolean moderator) {
    return claims(room).claim("name", name).claim("role", moderator ? "moderator" : "participant");
  }

  public static String hs256(JWTClaimsSet.Builder claims) {
    return sign(claims, JWSAlgorithm.HS256, null, signer(() -> new MACSigner(SECRET)));
  }

  public static String hs256(String secret, String kid, JWTClaimsSet.Builder claims) {
    return sign(claims, JWSAlgorithm.HS256, kid, signer(() -> new MACSigner(secret)));
  }

  public String rs256(JWTClaimsSet.Builder claims) {
    return sign(claims, JWSAlgorithm.RS256, rsa.getKeyID(), signer(() -> new RSASSASigner(rsa)));
  }

  public String es256(JWTClaimsSet.Builder claims) {
    return sign(claims, JWSAlgorithm.ES256, ec.getKeyID(), signer(() -> new ECDSASigner(ec)));
  }

  /** RS256 with a fresh key that claims to be the trusted one (same kid). */
  public String rs256WithAStrangersKey(JWTClaimsSet.Builder claims) throws JOSEException {
    RSAKey stranger = new RSAKeyGenerator(2048).keyID(rsa.getKeyID()).generate();
    return sign(claims, JWSAlgorithm.RS256, stranger.getKeyID(), signer(() -> new RSASSASigner(stranger)));
  }

  /** The node settings that trust these keys, with {@code extra} over them. */
  public Map<String, Object> settings(String mode) {
    return Map.of("lchat.auth.mode", mode, "lchat.auth.hs256-secret", SECRET,
        "lchat.auth.jwks-file", jwksFile.toString());
  }

  public AuthSettings authSettings(Consumer<Map<String, Object>> change) {
    Map<String, Object> m = new HashMap<>(settings("open"));
    change.accept(m);
    return AuthSettings.fromConfig(ConfigFactory.parseMap(m)
        .withFallback(ConfigFactory.load()).resolve());
  }

  private interface SignerMaker {
    JWSSigner make() throws JOSEException;
  }

  private static SignerMaker signer(SignerMaker m) {
    return m;
  }

  private static String sign(JWTClaimsSet.Builder claims, JWSAlgorithm alg, String kid, SignerMaker signer) {
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).build(), claims.build());
      jwt.sign(signer.make());
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }
}
