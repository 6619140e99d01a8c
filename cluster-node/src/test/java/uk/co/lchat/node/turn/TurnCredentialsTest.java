package uk.co.lchat.node.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;

class TurnCredentialsTest {
  private static final Instant NOW = Instant.ofEpochSecond(1_700_000_000L);
  private final TurnCredentials credentials = new TurnCredentials("north-wind", Duration.ofDays(1));

  @Test
  void theUsernameIsTheExpiryInUnixSecondsAndWhoItIsFor() {
    TurnCredentials.Credential c = credentials.issue(NOW, "k3m9x2p7qa");
    assertEquals("1700086400:k3m9x2p7qa", c.username());
    assertEquals(Instant.ofEpochSecond(1_700_086_400L), c.expires());
    assertEquals("1700086400", credentials.issue(NOW, null).username(), "no user: the timestamp alone");
  }

  @Test
  void thePasswordIsTheBase64HmacSha1OfTheUsernameAsCoturnChecksIt() throws Exception {
    // Computed apart from the code under test:
    //   printf 1700086400:k3m9x2p7qa | openssl dgst -sha1 -hmac north-wind -binary | base64
    assertEquals("sF0WujebKh2p/+XOvR3vIkpY8O0=", credentials.issue(NOW, "k3m9x2p7qa").password());
    assertEquals("u+ptJxKxWPxDmYVnWt+XRANGbJI=", credentials.issue(NOW, "").password());
    // and with javax.crypto directly, for another secret and time.
    TurnCredentials other = new TurnCredentials("s3cr3t with spaces", Duration.ofMinutes(10));
    TurnCredentials.Credential c = other.issue(Instant.ofEpochSecond(42), "whip");
    Mac mac = Mac.getInstance("HmacSHA1");
    mac.init(new SecretKeySpec("s3cr3t with spaces".getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
    assertEquals("642:whip", c.username());
    assertEquals(Base64.getEncoder().encodeToString(mac.doFinal("642:whip".getBytes(StandardCharsets.UTF_8))),
        c.password());
  }

  @Test
  void credentialsIssuedLaterExpireLater() {
    TurnCredentials.Credential first = credentials.issue(NOW, "a");
    TurnCredentials.Credential later = credentials.issue(NOW.plusSeconds(3600), "a");
    assertEquals(Duration.ofHours(1), Duration.between(first.expires(), later.expires()));
    assertNotEquals(first.password(), later.password());
  }
}
