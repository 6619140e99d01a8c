package uk.co.lchat.node.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.text.ParseException;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.nimbusds.jose.jwk.JWKSet;

/**
 * The public keys (RS256, ES256) in a JWKS file (RFC 7517 §5). Read at boot (a node whose file is missing or
 * malformed does not start) and again, at most once per {@code reloadInterval}, when the file has changed, so keys
 * rotate without a restart; a file that breaks later leaves the last good keys in force.
 */
final class JwksFile {
  private static final Logger log = LoggerFactory.getLogger(JwksFile.class);

  private final Path path;
  private final long reloadNanos;
  private volatile JWKSet keys;
  private volatile FileTime modified;
  private volatile long checkedAt;

  JwksFile(Path path, Duration reloadInterval) {
    this.path = path;
    this.reloadNanos = reloadInterval.toNanos();
    try {
      this.modified = Files.getLastModifiedTime(path);
      this.keys = JWKSet.load(path.toFile());
    } catch (IOException | ParseException e) {
      throw new IllegalArgumentException("lchat.auth.jwks-file " + path + " cannot be read as a JWK set: "
          + e.getMessage(), e);
    }
    this.checkedAt = System.nanoTime();
    if (keys.getKeys().isEmpty()) {
      throw new IllegalArgumentException("lchat.auth.jwks-file " + path + " holds no keys");
    }
  }

  JWKSet keys() {
    long now = System.nanoTime();
    if (now - checkedAt > reloadNanos) {
      checkedAt = now;
      reloadIfChanged();
    }
    return keys;
  }

  private void reloadIfChanged() {
    try {
      FileTime m = Files.getLastModifiedTime(path);
      if (!m.equals(modified)) {
        JWKSet next = JWKSet.load(path.toFile());
        keys = next;
        modified = m;
        log.info("lchat.auth.jwks-file {} reloaded: {} keys", path, next.getKeys().size());
      }
    } catch (IOException | ParseException e) {
      log.warn("lchat.auth.jwks-file {} could not be reloaded, keeping the previous keys: {}", path, e.toString());
    }
  }
}
