package uk.co.lchat.node.tls;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import com.typesafe.config.Config;

/**
 * HTTPS on the node's HTTP port ({@code lchat.http.tls}), read once at boot: the PEM files of the certificate (with
 * its chain) and key, how often they are checked for renewal, and the plain-HTTP port that redirects to HTTPS (and
 * serves ACME challenges for certbot's webroot).
 *
 * @param chain intermediate certificates in a file of their own, when {@code certificate} holds only the server's
 * @param redirectPort a plain-HTTP port redirecting to HTTPS; 0 = none
 * @param acmeWebroot the directory certbot's {@code --webroot -w} writes challenges under, served on the redirect port
 * @param hsts the Strict-Transport-Security header the HTTPS port sends ({@code lchat.http.tls.hsts})
 */
public record HttpsSettings(boolean enabled, Path certificate, Path privateKey, Optional<Path> chain,
                            Duration checkInterval, int redirectPort, Optional<Path> acmeWebroot,
                            StrictTransportSecurity hsts) {

  public HttpsSettings {
    if (checkInterval.isNegative() || checkInterval.isZero()) {
      throw new IllegalArgumentException("lchat.http.tls.check-interval must be positive, got " + checkInterval);
    }
    if (redirectPort < 0 || redirectPort > 65535) {
      throw new IllegalArgumentException("lchat.http.tls.redirect-port takes a port number (0 = none), got "
          + redirectPort);
    }
  }

  /** Plain HTTP: no certificate, no redirect. */
  public static HttpsSettings off() {
    return new HttpsSettings(false, Path.of(""), Path.of(""), Optional.empty(), Duration.ofSeconds(10), 0,
        Optional.empty(), StrictTransportSecurity.off());
  }

  /**
   * Reads {@code lchat.http.tls}. With TLS on, certificate and private-key must be named (IllegalArgumentException
   * otherwise); whether the files are there and usable is for {@link CertificateRenewal} to find out and log, since
   * a missing file must not keep the node from starting (certbot may be about to write it).
   */
  public static HttpsSettings fromConfig(Config root) {
    Config t = root.getConfig("lchat.http.tls");
    boolean enabled = t.getBoolean("enabled");
    String certificate = t.getString("certificate").trim();
    String key = t.getString("private-key").trim();
    if (enabled && (certificate.isEmpty() || key.isEmpty())) {
      throw new IllegalArgumentException("lchat.http.tls.enabled = on needs lchat.http.tls.certificate and"
          + " lchat.http.tls.private-key (PEM files, e.g. certbot's fullchain.pem and privkey.pem)");
    }
    int redirect = t.getInt("redirect-port");
    if (!enabled && redirect != 0) {
      throw new IllegalArgumentException("lchat.http.tls.redirect-port redirects to HTTPS: it needs"
          + " lchat.http.tls.enabled = on");
    }
    return new HttpsSettings(enabled, Path.of(certificate), Path.of(key), optionalPath(t.getString("chain")),
        t.getDuration("check-interval"), redirect, optionalPath(t.getString("acme-webroot")),
        new StrictTransportSecurity(t.getDuration("hsts.max-age"), t.getBoolean("hsts.include-subdomains")));
  }

  private static Optional<Path> optionalPath(String value) {
    return value.isBlank() ? Optional.empty() : Optional.of(Path.of(value.trim()));
  }
}
