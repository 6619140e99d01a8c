package uk.co.lchat.node.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLEngine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's HTTPS certificate, picked up again whenever its files change (certbot renewals, cert-manager's
 * Secrets): every {@code check-interval} it compares the files' modification times, sizes and link targets with
 * those it last read, and reads them again when they differ. New connections get the new certificate; open ones
 * keep theirs. Files that cannot be used (missing, not PEM, a key that is not the certificate's, expired) are
 * logged and the certificate already in use stays; with none yet, HTTPS connections are closed at once until the
 * files are fixed, while the rest of the node (and the redirect port, which serves certbot's challenges) runs.
 */
public final class CertificateRenewal implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CertificateRenewal.class);
  /** A certificate that expires sooner than this is logged as a warning each time it is read. */
  static final Duration EXPIRY_WARNING = Duration.ofDays(14);

  private final HttpsSettings settings;
  private final Clock clock;
  private final ScheduledExecutorService timer;
  private volatile ServerCertificate current;
  private List<Stamp> readStamps;
  private volatile String lastProblem;

  CertificateRenewal(HttpsSettings settings, Clock clock, boolean scheduled) {
    this.settings = settings;
    this.clock = clock;
    this.timer = scheduled ? Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "https-certificate-check");
      t.setDaemon(true);
      return t;
    }) : null;
  }

  /** Reads the files now (logging what it finds) and then checks them every {@code check-interval}. */
  public static CertificateRenewal start(HttpsSettings settings) {
    CertificateRenewal renewal = new CertificateRenewal(settings, Clock.systemUTC(), true);
    renewal.check();
    long every = settings.checkInterval().toMillis();
    renewal.timer.scheduleWithFixedDelay(renewal::checkQuietly, every, every, TimeUnit.MILLISECONDS);
    return renewal;
  }

  /** A TLS engine with the current certificate for a new connection; empty while there is no usable one. */
  public Optional<SSLEngine> newEngine() {
    ServerCertificate certificate = current;
    return certificate == null ? Optional.empty() : Optional.of(certificate.newEngine());
  }

  /** The certificate new connections get now, if any. */
  public Optional<ServerCertificate> current() {
    return Optional.ofNullable(current);
  }

  /** What was wrong with the files when they were last read, if anything (the certificate in use stays). */
  public Optional<String> problem() {
    return Optional.ofNullable(lastProblem);
  }

  private void checkQuietly() {
    try {
      check();
    } catch (RuntimeException e) {
      LOG.error("checking the HTTPS certificate files failed; trying again in {}", settings.checkInterval(), e);
    }
  }

  /**
   * Reads the files again if they changed since they were last read, or if that read failed (a permission fixed
   * leaves the modification time alone). Returns true when a new certificate took over.
   */
  synchronized boolean check() {
    List<Stamp> stamps = stamps();
    if (stamps.equals(readStamps) && lastProblem == null) {
      return false;
    }
    boolean changed = !stamps.equals(readStamps);
    // Stamped before reading: a file replaced while we read shows as changed next time and is read again.
    readStamps = stamps;
    ServerCertificate fresh;
    try {
      fresh = ServerCertificate.read(settings.certificate(), settings.privateKey(), settings.chain());
    } catch (ServerCertificate.Problem problem) {
      if (changed || !problem.getMessage().equals(lastProblem)) {
        ServerCertificate serving = current;
        if (serving == null) {
          LOG.error("HTTPS has no usable certificate: {}. Connections to the HTTPS port are closed until the files"
              + " are fixed; they are checked every {}.", problem.getMessage(), settings.checkInterval());
        } else {
          LOG.error("HTTPS certificate files changed but cannot be used: {}. Still serving the previous"
              + " certificate ({}).", problem.getMessage(), serving.describe());
        }
      }
      lastProblem = problem.getMessage();
      return false;
    }
    boolean renewed = current != null;
    current = fresh;
    lastProblem = null;
    LOG.info("HTTPS certificate {} from {}: {}", renewed ? "renewed" : "loaded", settings.certificate(),
        fresh.describe());
    Duration left = Duration.between(clock.instant(), fresh.notAfter());
    if (left.compareTo(EXPIRY_WARNING) < 0) {
      LOG.warn("HTTPS certificate from {} expires in {} h ({}): renew it", settings.certificate(), left.toHours(),
          fresh.notAfter());
    }
    return true;
  }

  /** What identifies each file's current content without reading it: where its links lead, mtime and size. */
  private List<Stamp> stamps() {
    List<Path> files = new ArrayList<>(List.of(settings.certificate(), settings.privateKey()));
    settings.chain().ifPresent(files::add);
    List<Stamp> stamps = new ArrayList<>();
    for (Path file : files) {
      stamps.add(Stamp.of(file));
    }
    return stamps;
  }

  /** A file as seen by stat(2), following links; a missing or unreadable file has a stamp of its own. */
  record Stamp(Path target, FileTime modified, long size) {
    static Stamp of(Path file) {
      try {
        return new Stamp(file.toRealPath(), Files.getLastModifiedTime(file), Files.size(file));
      } catch (IOException | SecurityException e) {
        return new Stamp(file, FileTime.fromMillis(0), -1);
      }
    }
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
