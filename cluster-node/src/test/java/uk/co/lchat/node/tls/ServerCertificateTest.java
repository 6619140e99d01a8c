package uk.co.lchat.node.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import uk.co.lchat.node.tls.TestPem.KeyForm;

class ServerCertificateTest {
  private static TestPem.Authority ca;

  @TempDir
  Path dir;

  @BeforeAll
  static void authority() throws Exception {
    ca = TestPem.Authority.create("test CA");
  }

  private ServerCertificate read() throws Exception {
    return ServerCertificate.read(dir.resolve("cert.pem"), dir.resolve("key.pem"), Optional.empty());
  }

  @ParameterizedTest
  @EnumSource(KeyForm.class)
  void readsAnEcKeyAsCertbotAndOpenSslWriteIt(KeyForm form) throws Exception {
    TestPem.Issued issued = ca.issue(TestPem.ec());
    issued.write(dir.resolve("cert.pem"), dir.resolve("key.pem"), form);
    ServerCertificate certificate = read();
    assertEquals(issued.certificate(), certificate.leaf());
    assertEquals(2, certificate.chain().size(), "the CA after it, as fullchain.pem has it");
    assertTrue(certificate.describe().contains("127.0.0.1"), certificate.describe());
  }

  @ParameterizedTest
  @EnumSource(KeyForm.class)
  void readsAnRsaKeyInPkcs1OrPkcs8(KeyForm form) throws Exception {
    TestPem.Issued issued = ca.issue(TestPem.rsa());
    issued.write(dir.resolve("cert.pem"), dir.resolve("key.pem"), form);
    assertEquals(issued.certificate(), read().leaf());
  }

  @Test
  void skipsTextAndParameterBlocksAroundTheKey() throws Exception {
    TestPem.Issued issued = ca.issue(TestPem.ec());
    issued.write(dir.resolve("cert.pem"), dir.resolve("key.pem"), KeyForm.PKCS1_OR_SEC1);
    // `openssl ecparam -genkey` writes the curve first; tools write "Bag Attributes" text before blocks.
    String key = Files.readString(dir.resolve("key.pem"));
    Files.writeString(dir.resolve("key.pem"), "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n"
        + "-----END EC PARAMETERS-----\nBag Attributes\n    friendlyName: server\n" + key);
    assertEquals(issued.certificate(), read().leaf());
  }

  @Test
  void appendsASeparateChainFile() throws Exception {
    TestPem.Issued issued = ca.issue(TestPem.ec());
    Files.writeString(dir.resolve("cert.pem"), TestPem.pem(issued.certificate()));
    Files.writeString(dir.resolve("chain.pem"), TestPem.pem(ca.certificate()));
    TestPem.writeKey(dir.resolve("key.pem"), issued.keys(), KeyForm.PKCS8);
    ServerCertificate certificate = ServerCertificate.read(dir.resolve("cert.pem"), dir.resolve("key.pem"),
        Optional.of(dir.resolve("chain.pem")));
    assertEquals(ca.certificate(), certificate.chain().get(1));
  }

  @Test
  void aMissingFileIsNamed() throws Exception {
    ServerCertificate.Problem p = assertThrows(ServerCertificate.Problem.class, this::read);
    assertEquals("lchat.http.tls.certificate " + dir.resolve("cert.pem") + " does not exist", p.getMessage());
  }

  @Test
  void aFileThatIsNotPemIsRefused() throws Exception {
    ca.issue(TestPem.ec()).write(dir.resolve("cert.pem"), dir.resolve("key.pem"), KeyForm.PKCS8);
    Files.writeString(dir.resolve("cert.pem"), "this is not a certificate\n");
    assertTrue(assertThrows(ServerCertificate.Problem.class, this::read).getMessage().contains("is not PEM"));
    Files.writeString(dir.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\nAAAA!!\n-----END CERTIFICATE-----\n");
    assertTrue(assertThrows(ServerCertificate.Problem.class, this::read).getMessage()
        .contains("has a broken CERTIFICATE block"), "characters outside base64");
    Files.writeString(dir.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    assertTrue(assertThrows(ServerCertificate.Problem.class, this::read).getMessage()
        .contains("not an X.509 certificate"));
  }

  @Test
  void aKeyOfAnotherCertificateIsRefused() throws Exception {
    TestPem.Issued issued = ca.issue(TestPem.ec());
    issued.write(dir.resolve("cert.pem"), dir.resolve("key.pem"), KeyForm.PKCS8);
    TestPem.writeKey(dir.resolve("key.pem"), TestPem.ec(), KeyForm.PKCS8);
    assertTrue(assertThrows(ServerCertificate.Problem.class, this::read).getMessage()
        .contains("is not the key of the certificate"));
    TestPem.writeKey(dir.resolve("key.pem"), TestPem.rsa(), KeyForm.PKCS8);
    assertTrue(assertThrows(ServerCertificate.Problem.class, this::read).getMessage()
        .contains("is not the key of the certificate"), "an RSA key for an EC certificate");
  }

  @Test
  void anExpiredOrNotYetValidCertificateIsRefused() throws Exception {
    KeyPair keys = TestPem.ec();
    ca.issue(keys, Instant.now().minus(Duration.ofDays(20)), Duration.ofDays(10))
        .write(dir.resolve("cert.pem"), dir.resolve("key.pem"), KeyForm.PKCS8);
    assertTrue(assertThrows(ServerCertificate.Problem.class, this::read).getMessage().contains("expired on"));
    ca.issue(keys, Instant.now().plus(Duration.ofDays(1)), Duration.ofDays(10))
        .write(dir.resolve("cert.pem"), dir.resolve("key.pem"), KeyForm.PKCS8);
    assertTrue(assertThrows(ServerCertificate.Problem.class, this::read).getMessage().contains("is not valid before"));
  }

  @Test
  void anEncryptedKeyIsRefusedWithWhatToDo() throws Exception {
    ca.issue(TestPem.ec()).write(dir.resolve("cert.pem"), dir.resolve("key.pem"), KeyForm.PKCS8);
    Files.writeString(dir.resolve("key.pem"), "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n"
        + "-----END ENCRYPTED PRIVATE KEY-----\n", StandardCharsets.US_ASCII);
    assertTrue(assertThrows(ServerCertificate.Problem.class, this::read).getMessage().contains("openssl pkcs8"));
  }

  @Test
  void theFingerprintIsTheSha256OfTheCertificateAsBrowsersShowIt() throws Exception {
    TestPem.Issued issued = ca.issue(TestPem.ec());
    String expected = HexFormat.ofDelimiter(":").withUpperCase().formatHex(
        MessageDigest.getInstance("SHA-256").digest(issued.certificate().getEncoded()));
    assertEquals(expected, ServerCertificate.fingerprint(issued.certificate()));
    assertTrue(expected.matches("([0-9A-F]{2}:){31}[0-9A-F]{2}"));
  }
}
