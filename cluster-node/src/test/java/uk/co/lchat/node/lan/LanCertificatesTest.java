package uk.co.lchat.node.lan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import uk.co.lchat.node.tls.ServerCertificate;

class LanCertificatesTest {
  @TempDir
  Path dir;

  private static List<InetAddress> addresses(String... a) throws Exception {
    List<InetAddress> list = new ArrayList<>();
    for (String s : a) {
      list.add(InetAddress.getByName(s));
    }
    return list;
  }

  private LanCertificates.Kept ensure(Clock clock, String... a) throws Exception {
    return LanCertificates.ensure(dir, addresses(a), "lunar-box", clock);
  }

  @Test
  void makesACaAndAServerCertificateForTheMachinesAddresses() throws Exception {
    LanCertificates.Kept kept = ensure(Clock.systemUTC(), "10.77.0.1", "192.168.1.5");
    assertTrue(kept.newCa() && kept.newServer());
    X509Certificate server = kept.server();
    assertEquals(Set.of("10.77.0.1", "192.168.1.5"), LanCertificates.names(server));
    assertTrue(server.getSubjectAlternativeNames().stream().anyMatch(n -> n.get(1).equals("lunar-box.local")));
    server.verify(kept.ca().getPublicKey());
    assertEquals(0, kept.ca().getBasicConstraints(), "a CA for server certificates only (path length 0)");
    assertEquals(-1, server.getBasicConstraints(), "not a CA");
    assertEquals(List.of("1.3.6.1.5.5.7.3.1"), server.getExtendedKeyUsage(), "serverAuth");
    assertTrue(Duration.between(server.getNotBefore().toInstant(), server.getNotAfter().toInstant())
        .compareTo(Duration.ofDays(398)) <= 0, "within what browsers accept");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(kept.serverKey())));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(kept.caKey())));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    // What the node serves: the server certificate with the CA after it, and its key.
    ServerCertificate served = ServerCertificate.read(kept.serverCertificate(), kept.serverKey(), Optional.empty());
    assertEquals(List.of(server, kept.ca()), served.chain());
  }

  @Test
  void theSameAddressesNextTimeReuseBoth() throws Exception {
    LanCertificates.Kept first = ensure(Clock.systemUTC(), "10.77.0.1");
    LanCertificates.Kept again = ensure(Clock.systemUTC(), "10.77.0.1");
    assertFalse(again.newCa() || again.newServer());
    assertEquals(first.server(), again.server());
    assertEquals(first.ca(), again.ca());
  }

  @Test
  void newAddressesGetANewServerCertificateFromTheSameCa() throws Exception {
    LanCertificates.Kept first = ensure(Clock.systemUTC(), "10.77.0.1");
    LanCertificates.Kept moved = ensure(Clock.systemUTC(), "10.77.0.7");
    assertFalse(moved.newCa(), "devices that trust the CA keep trusting the node");
    assertTrue(moved.newServer());
    assertEquals(first.ca(), moved.ca());
    assertEquals(Set.of("10.77.0.7"), LanCertificates.names(moved.server()));
    moved.server().verify(first.ca().getPublicKey());
  }

  @Test
  void aServerCertificateNearItsExpiryIsMadeAgain() throws Exception {
    LanCertificates.Kept first = ensure(Clock.systemUTC(), "10.77.0.1");
    Clock later = Clock.offset(Clock.systemUTC(), Duration.ofDays(370));
    LanCertificates.Kept renewed = ensure(later, "10.77.0.1");
    assertTrue(renewed.newServer());
    assertFalse(renewed.newCa());
    assertNotEquals(first.server(), renewed.server());
  }

  @Test
  void anUnusableCaIsMadeAgainWithANewServerCertificate() throws Exception {
    LanCertificates.Kept first = ensure(Clock.systemUTC(), "10.77.0.1");
    Files.writeString(first.caKey(), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    LanCertificates.Kept made = ensure(Clock.systemUTC(), "10.77.0.1");
    assertTrue(made.newCa() && made.newServer());
    made.server().verify(made.ca().getPublicKey());
    assertFalse(Arrays.equals(first.ca().getEncoded(), made.ca().getEncoded()));
  }

  @Test
  void theKeyFileIsNeverLeftHalfWritten() throws Exception {
    LanCertificates.Kept kept = ensure(Clock.systemUTC(), "10.77.0.1");
    try (var files = Files.list(dir)) {
      assertArrayEquals(new String[] {"ca.crt", "ca.key", "server.crt", "server.key"},
          files.map(f -> f.getFileName().toString()).sorted().toArray(), "no temporary file stays behind");
    }
    assertTrue(Files.size(kept.serverKey()) > 100);
  }
}
