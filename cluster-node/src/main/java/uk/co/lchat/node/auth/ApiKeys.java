package uk.co.lchat.node.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * Authenticates server API requests by {@code lchat.api.keys}: {@code Authorization: Bearer <JWT>} signed HS256
 * with a key's secret, its header's {@code kid} naming the key, with an {@code exp} at most
 * {@code lchat.api.max-token-lifetime} ahead (a stolen token is soon worthless); or HTTP Basic (RFC 7617) with the
 * key id and secret, for back ends that cannot sign. Never throws: anything malformed is a rejection.
 */
public final class ApiKeys {
  /** Who made the request, or why it is not let in. */
  public sealed interface Verdict {}

  public record Authenticated(String keyId) implements Verdict {}

  public record Rejected(String message) implements Verdict {}

  private static final int MAX_CREDENTIAL_CHARS = 8192;

  private final Map<String, byte[]> secrets = new LinkedHashMap<>();
  private final AuthSettings settings;

  public ApiKeys(AuthSettings settings) {
    this.settings = settings;
    for (AuthSettings.ApiKey k : settings.apiKeys()) {
      secrets.put(k.id(), k.secret().getBytes(StandardCharsets.UTF_8));
    }
  }

  public boolean none() {
    return secrets.isEmpty();
  }

  public Verdict authenticate(Optional<String> authorization, Instant now) {
    if (secrets.isEmpty()) {
      return new Rejected("This node has no server API keys (lchat.api.keys).");
    }
    String value = authorization.orElse("").strip();
    if (value.isEmpty()) {
      return new Rejected("The server API needs Authorization: Bearer <JWT signed with an API key> or Basic.");
    }
    if (value.length() > MAX_CREDENTIAL_CHARS) {
      return new Rejected("The Authorization header is too long.");
    }
    if (value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return bearer(value.substring(7).strip(), now);
    }
    if (value.regionMatches(true, 0, "Basic ", 0, 6)) {
      return basic(value.substring(6).strip());
    }
    return new Rejected("Use the Bearer or Basic scheme.");
  }

  private Verdict bearer(String token, Instant now) {
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(token);
    } catch (ParseException | RuntimeException e) {
      return new Rejected("The bearer token is not a signed JWT.");
    }
    if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
      return new Rejected("API tokens are signed HS256 with the key's secret.");
    }
    String kid = jwt.getHeader().getKeyID();
    byte[] secret = kid == null ? null : secrets.get(kid);
    if (secret == null) {
      return new Rejected("The token's kid names no API key.");
    }
    try {
      if (!jwt.verify(new MACVerifier(secret))) {
        return new Rejected("The token's signature is wrong.");
      }
      JWTClaimsSet c = jwt.getJWTClaimsSet();
      Date exp = c.getExpirationTime();
      if (exp == null) {
        return new Rejected("API tokens need an expiry (exp).");
      }
      if (now.isAfter(exp.toInstant().plus(settings.clockSkew()))) {
        return new Rejected("The token has expired.");
      }
      if (exp.toInstant().isAfter(now.plus(settings.apiTokenMaxLifetime()).plus(settings.clockSkew()))) {
        return new Rejected("API tokens may live at most " + settings.apiTokenMaxLifetime().toSeconds() + " s.");
      }
      Date nbf = c.getNotBeforeTime();
      if (nbf != null && now.plus(settings.clockSkew()).isBefore(nbf.toInstant())) {
        return new Rejected("The token is not valid yet.");
      }
    } catch (JOSEException | ParseException | RuntimeException e) {
      return new Rejected("The bearer token cannot be checked: " + e.getMessage());
    }
    return new Authenticated(kid);
  }

  private Verdict basic(String encoded) {
    String pair;
    try {
      pair = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return new Rejected("Basic credentials are base64 of id:secret.");
    }
    int colon = pair.indexOf(':');
    byte[] secret = colon <= 0 ? null : secrets.get(pair.substring(0, colon));
    // Compare digests, in constant time: neither the length nor the bytes of a guess leak through timing.
    if (secret == null || !MessageDigest.isEqual(sha256(secret),
        sha256(pair.substring(colon + 1).getBytes(StandardCharsets.UTF_8)))) {
      return new Rejected("Unknown API key or wrong secret.");
    }
    return new Authenticated(pair.substring(0, colon));
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
