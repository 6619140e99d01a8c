package uk.co.lchat.node.turn;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-limited TURN credentials by the TURN REST API scheme (draft-uberti-behave-turn-rest-00 §2.2), which coturn
 * checks with {@code use-auth-secret}: the username is the credentials' expiry as Unix seconds, a colon and who they
 * are for; the password is base64(HMAC-SHA1(shared secret, username)). The TURN server needs no list of users and
 * refuses the credentials after their expiry, every request it authenticates (allocation refreshes included).
 */
public final class TurnCredentials {
  private final byte[] secret;
  private final Duration ttl;

  public TurnCredentials(String secret, Duration ttl) {
    this.secret = secret.getBytes(StandardCharsets.UTF_8);
    this.ttl = ttl;
  }

  /** Credentials issued at {@code now} for {@code user} (null or empty: none named). */
  public Credential issue(Instant now, String user) {
    long expiry = now.plus(ttl).getEpochSecond();
    String username = user == null || user.isEmpty() ? Long.toString(expiry) : expiry + ":" + user;
    return new Credential(username, password(username), Instant.ofEpochSecond(expiry));
  }

  /** A TURN username and password, and when the TURN server stops taking them. */
  public record Credential(String username, String password, Instant expires) {}

  private String password(String username) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(secret, "HmacSHA1"));
      return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 is in every JDK", e);
    }
  }
}
