package uk.co.lchat.node.auth;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.typesafe.config.Config;

/**
 * {@code lchat.auth} (how join tokens are verified; the mode itself is the room's, {@code lchat.auth.mode}) and
 * {@code lchat.api} (the server API's keys), read once at boot and checked: a node with a secret too short for
 * HS256 or an unreadable JWKS file does not start.
 */
public record AuthSettings(byte[] hs256Secret, Path jwksFile, Duration jwksReloadInterval, Duration clockSkew,
                           String issuer, String audience, List<ApiKey> apiKeys, Duration apiTokenMaxLifetime) {
  /** RFC 7518 §3.2: an HS256 key must be at least as long as the hash, 256 bits. */
  public static final int MIN_SECRET_BYTES = 32;

  /** One server API key: the id a back end names it by and the shared secret. */
  public record ApiKey(String id, String secret) {}

  public AuthSettings {
    if (hs256Secret != null && hs256Secret.length == 0) {
      hs256Secret = null;
    }
    if (hs256Secret != null && hs256Secret.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException("lchat.auth.hs256-secret must have at least " + MIN_SECRET_BYTES
          + " bytes (256 bits, RFC 7518 §3.2), e.g. openssl rand -base64 32");
    }
    if (clockSkew.isNegative() || clockSkew.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new IllegalArgumentException("lchat.auth.clock-skew must be 0 to 10 minutes");
    }
    Set<String> ids = new HashSet<>();
    for (ApiKey k : apiKeys) {
      if (k.id() == null || !k.id().matches("[A-Za-z0-9._-]{1,64}") || !ids.add(k.id())) {
        throw new IllegalArgumentException("lchat.api.keys: each id is 1-64 of A-Za-z0-9._- and unique, got "
            + k.id());
      }
      if (k.secret() == null || k.secret().getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
        throw new IllegalArgumentException("lchat.api.keys: the secret of " + k.id() + " must have at least "
            + MIN_SECRET_BYTES + " bytes");
      }
    }
    apiKeys = List.copyOf(apiKeys);
  }

  public static AuthSettings fromConfig(Config root) {
    Config a = root.getConfig("lchat.auth");
    String secret = a.getString("hs256-secret");
    String jwks = a.getString("jwks-file");
    Config api = root.getConfig("lchat.api");
    List<ApiKey> keys = new ArrayList<>();
    for (Config k : api.getConfigList("keys")) {
      keys.add(new ApiKey(k.hasPath("id") ? k.getString("id") : null, k.hasPath("secret") ? k.getString("secret")
          : null));
    }
    return new AuthSettings(secret.getBytes(StandardCharsets.UTF_8), jwks.isEmpty() ? null : Path.of(jwks),
        a.getDuration("jwks-reload-interval"), a.getDuration("clock-skew"), a.getString("issuer"),
        a.getString("audience"), keys, api.getDuration("max-token-lifetime"));
  }

  /** No verification keys at all: every token is refused as not signed by this service. */
  public boolean acceptsNoTokens() {
    return hs256Secret == null && jwksFile == null;
  }
}
