package uk.co.lchat.node.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.typesafe.config.ConfigFactory;

class HttpsSettingsTest {
  private static HttpsSettings parse(Map<String, Object> settings) {
    return HttpsSettings.fromConfig(ConfigFactory.parseMap(settings).withFallback(ConfigFactory.load()).resolve());
  }

  @Test
  void plainHttpByDefault() {
    HttpsSettings s = parse(Map.of());
    assertFalse(s.enabled());
    assertEquals(0, s.redirectPort());
    assertEquals(Duration.ofSeconds(10), s.checkInterval());
    assertTrue(s.chain().isEmpty() && s.acmeWebroot().isEmpty());
    assertEquals(Optional.of("max-age=31536000"), s.hsts().value(), "HSTS for a year once HTTPS is on");
  }

  @Test
  void strictTransportSecurityIsSetOrTurnedOff() {
    assertEquals(Optional.of("max-age=86400; includeSubDomains"), parse(Map.of("lchat.http.tls.hsts.max-age", "1d",
        "lchat.http.tls.hsts.include-subdomains", true)).hsts().value());
    assertEquals(Optional.empty(), parse(Map.of("lchat.http.tls.hsts.max-age", "0s")).hsts().value());
    assertThrows(IllegalArgumentException.class, () -> parse(Map.of("lchat.http.tls.hsts.max-age", "-1s")));
  }

  @Test
  void readsEveryKey() {
    HttpsSettings s = parse(Map.of("lchat.http.tls.enabled", true,
        "lchat.http.tls.certificate", "/etc/letsencrypt/live/meet.example.com/cert.pem",
        "lchat.http.tls.private-key", "/etc/letsencrypt/live/meet.example.com/privkey.pem",
        "lchat.http.tls.chain", "/etc/letsencrypt/live/meet.example.com/chain.pem",
        "lchat.http.tls.check-interval", "1m", "lchat.http.tls.redirect-port", 80,
        "lchat.http.tls.acme-webroot", "/var/lib/lchat/acme"));
    assertTrue(s.enabled());
    assertEquals(Path.of("/etc/letsencrypt/live/meet.example.com/cert.pem"), s.certificate());
    assertEquals(Path.of("/etc/letsencrypt/live/meet.example.com/privkey.pem"), s.privateKey());
    assertEquals(Optional.of(Path.of("/etc/letsencrypt/live/meet.example.com/chain.pem")), s.chain());
    assertEquals(Duration.ofMinutes(1), s.checkInterval());
    assertEquals(80, s.redirectPort());
    assertEquals(Optional.of(Path.of("/var/lib/lchat/acme")), s.acmeWebroot());
  }

  @Test
  void tlsNeedsBothFilesNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> parse(Map.of("lchat.http.tls.enabled", true, "lchat.http.tls.certificate", "/x/fullchain.pem")));
    assertTrue(e.getMessage().contains("lchat.http.tls.private-key"), e.getMessage());
  }

  @Test
  void aRedirectPortNeedsTls() {
    assertThrows(IllegalArgumentException.class, () -> parse(Map.of("lchat.http.tls.redirect-port", 80)));
    assertThrows(IllegalArgumentException.class, () -> parse(Map.of("lchat.http.tls.enabled", true,
        "lchat.http.tls.certificate", "a", "lchat.http.tls.private-key", "b", "lchat.http.tls.redirect-port", 70000)));
  }

  @Test
  void missingFilesDoNotStopTheSettingsFromBeingRead() {
    // certbot may write them after the node starts (its webroot challenge is served by this very node).
    assertTrue(parse(Map.of("lchat.http.tls.enabled", true, "lchat.http.tls.certificate", "/nonexistent/cert.pem",
        "lchat.http.tls.private-key", "/nonexistent/key.pem")).enabled());
  }
}
