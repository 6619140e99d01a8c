package uk.co.lchat.node.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import uk.co.lchat.node.tls.TestPem.KeyForm;

class CertificateRenewalTest {
  @TempDir
  Path dir;
  private TestPem.Authority ca;
  private CertificateRenewal renewal;
  private long mtime = System.currentTimeMillis() - 3_600_000;

  @BeforeEach
  void setUp() throws Exception {
    ca = TestPem.Authority.create("renewal CA");
    HttpsSettings settings = new HttpsSettings(true, dir.resolve("cert.pem"), dir.resolve("key.pem"),
        Optional.empty(), Duration.ofSeconds(10), 0, Optional.empty(), StrictTransportSecurity.off());
    renewal = new CertificateRenewal(settings, Clock.systemUTC(), false);
  }

  /** Writes a new certificate and key, each file with a later modification time than the last. */
  private TestPem.Issued renew() throws Exception {
    TestPem.Issued issued = ca.issue(TestPem.ec());
    issued.write(dir.resolve("cert.pem"), dir.resolve("key.pem"), KeyForm.PKCS8);
    touch();
    return issued;
  }

  private void touch() throws Exception {
    mtime += 60_000;
    Files.setLastModifiedTime(dir.resolve("cert.pem"), FileTime.fromMillis(mtime));
    Files.setLastModifiedTime(dir.resolve("key.pem"), FileTime.fromMillis(mtime));
  }

  @Test
  void loadsTheFilesAndReadsThemAgainOnlyWhenTheyChange() throws Exception {
    TestPem.Issued first = renew();
    assertTrue(renewal.check());
    assertEquals(first.certificate(), renewal.current().orElseThrow().leaf());
    assertTrue(renewal.newEngine().isPresent());
    assertFalse(renewal.check(), "unchanged files are not read again");
    TestPem.Issued second = renew();
    assertTrue(renewal.check(), "a renewal is picked up");
    assertEquals(second.certificate(), renewal.current().orElseThrow().leaf());
  }

  @Test
  void brokenFilesKeepTheCertificateInUse() throws Exception {
    TestPem.Issued first = renew();
    renewal.check();
    Files.writeString(dir.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\ncut off by a full disk");
    touch();
    assertFalse(renewal.check());
    assertEquals(first.certificate(), renewal.current().orElseThrow().leaf());
    // A key renewed before its certificate (certbot swaps one link, then the other): the pair does not match yet.
    first.write(dir.resolve("cert.pem"), dir.resolve("key.pem"), KeyForm.PKCS8);
    TestPem.writeKey(dir.resolve("key.pem"), TestPem.ec(), KeyForm.PKCS8);
    touch();
    assertFalse(renewal.check());
    assertEquals(first.certificate(), renewal.current().orElseThrow().leaf());
    Files.delete(dir.resolve("key.pem"));
    assertFalse(renewal.check());
    assertEquals(first.certificate(), renewal.current().orElseThrow().leaf());
  }

  @Test
  void withoutUsableFilesAtStartThereIsNoEngineUntilTheyAppear() throws Exception {
    assertFalse(renewal.check());
    assertTrue(renewal.newEngine().isEmpty());
    assertFalse(renewal.check(), "tried again quietly while broken");
    TestPem.Issued issued = renew();
    assertTrue(renewal.check());
    assertEquals(issued.certificate(), renewal.current().orElseThrow().leaf());
  }

  @Test
  void aFileFixedWithoutANewModificationTimeIsPickedUpToo() throws Exception {
    renew();
    Path key = dir.resolve("key.pem");
    byte[] good = Files.readAllBytes(key);
    Files.write(key, new byte[good.length]); // same size, same time: only the read finds it broken
    Files.setLastModifiedTime(key, FileTime.fromMillis(mtime));
    assertFalse(renewal.check());
    Files.write(key, good);
    Files.setLastModifiedTime(key, FileTime.fromMillis(mtime));
    assertTrue(renewal.check(), "a failed read is tried again at the next check");
  }

  @Test
  void aCertificateNearItsExpiryIsStillUsed() throws Exception {
    ca.issue(TestPem.ec(), Instant.now().minus(Duration.ofDays(80)), Duration.ofDays(85))
        .write(dir.resolve("cert.pem"), dir.resolve("key.pem"), KeyForm.PKCS8);
    assertTrue(renewal.check(), "used, with a warning in the log");
  }
}
