package uk.co.lchat.node.tls;

import java.time.Duration;
import java.util.Optional;

import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * HTTP Strict Transport Security (RFC 6797): once a browser has seen this header over HTTPS it goes to the node's
 * name over HTTPS only, for {@code maxAge}, so nobody on the path can strip TLS by answering a typed
 * {@code http://} address first. Sent on every response of the HTTPS port, never on plain HTTP (§7.2: a header
 * over an insecure transport must not be sent, and browsers ignore it there).
 *
 * @param maxAge how long browsers keep the node's name HTTPS-only; zero sends no header at all
 * @param includeSubdomains whether every name under the node's is HTTPS-only too (§6.1.2)
 */
public record StrictTransportSecurity(Duration maxAge, boolean includeSubdomains) {
  public static final String HEADER = "Strict-Transport-Security";

  public StrictTransportSecurity {
    if (maxAge.isNegative()) {
      throw new IllegalArgumentException("lchat.http.tls.hsts.max-age must not be negative, got " + maxAge);
    }
  }

  /** No header: plain HTTP, LAN mode, or an operator who turned it off. */
  public static StrictTransportSecurity off() {
    return new StrictTransportSecurity(Duration.ZERO, false);
  }

  /** The header's value, e.g. {@code max-age=31536000; includeSubDomains} (§6.1), or empty when it is off. */
  public Optional<String> value() {
    if (maxAge.isZero()) {
      return Optional.empty();
    }
    return Optional.of("max-age=" + maxAge.toSeconds() + (includeSubdomains ? "; includeSubDomains" : ""));
  }

  /** The header to add to every HTTPS response, or empty. */
  public Optional<HttpHeader> header() {
    return value().map(v -> RawHeader.create(HEADER, v));
  }
}
