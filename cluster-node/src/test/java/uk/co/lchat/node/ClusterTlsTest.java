package uk.co.lchat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/** Reading {@code lchat.cluster.tls}: when plaintext remoting is refused, which PEM files pass, what Pekko gets. */
class ClusterTlsTest {
  @TempDir
  static Path dir;
  private static TestCertificates.Authority ca;
  private static TestCertificates.NodeFiles node;

  @BeforeAll
  static void issue() throws Exception {
    ca = TestCertificates.Authority.create("lchat test CA");
    node = ca.issue(dir.resolve("node"), "lchat-cluster");
  }

  private static Config config(Map<String, Object> overrides) {
    return ConfigFactory.parseMap(overrides).withFallback(ConfigFactory.defaultReference()).resolve();
  }

  private static String refusal(Config config) {
    return assertThrows(IllegalArgumentException.class, () -> ClusterTls.fromConfig(config)).getMessage();
  }

  @Test
  void defaultsAreOffWithTheSecretMountPathsAndAFiveMinuteReload() {
    ClusterTls tls = ClusterTls.fromConfig(config(Map.of()));
    assertFalse(tls.enabled());
    assertFalse(tls.allowPlaintext());
    assertEquals(Path.of("/var/run/secrets/lchat-remoting-tls/tls.key"), tls.keyFile());
    assertEquals(Path.of("/var/run/secrets/lchat-remoting-tls/tls.crt"), tls.certFile());
    assertEquals(Path.of("/var/run/secrets/lchat-remoting-tls/ca.crt"), tls.caFile());
    assertEquals(Duration.ofMinutes(5), tls.reloadInterval());
  }

  @Test
  void plaintextRemotingOnLoopbackIsAllowed() {
    assertFalse(ClusterTls.fromConfig(config(Map.of("lchat.node.host", "127.0.0.1"))).enabled());
    assertFalse(ClusterTls.fromConfig(config(Map.of("lchat.node.host", "localhost"))).enabled());
    assertFalse(ClusterTls.fromConfig(config(Map.of("lchat.node.host", "::1"))).enabled());
  }

  @Test
  void plaintextRemotingOffLoopbackIsRefusedWithWhatToSet() {
    String message = refusal(config(Map.of("lchat.node.host", "10.1.2.3")));
    assertTrue(message.contains("10.1.2.3"), message);
    assertTrue(message.contains("lchat.cluster.tls.enabled = on"), message);
    assertTrue(message.contains("lchat.cluster.tls.allow-plaintext = on"), message);
  }

  @Test
  void aNodeAskedForPlaintextRemotingOffLoopbackRefusesToStart() {
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never a local address, so the node would fail to bind if it tried.
    Config off = ConfigFactory.parseMap(Map.of("lchat.node.host", "192.0.2.10"))
        .withFallback(TestNodes.config(0, List.of()));
    String message = assertThrows(IllegalArgumentException.class, () -> LchatNode.start(off)).getMessage();
    assertTrue(message.contains("without TLS"), message);
  }

  @Test
  void bindingEveryInterfaceWithoutTlsIsRefusedEvenWhenTheAdvertisedAddressIsLoopback() {
    refusal(config(Map.of("lchat.node.host", "127.0.0.1", "pekko.remote.artery.bind.hostname", "0.0.0.0")));
  }

  @Test
  void aHostThatDoesNotResolveCountsAsOffLoopback() {
    refusal(config(Map.of("lchat.node.host", "no-such-host.invalid")));
  }

  @Test
  void allowPlaintextLetsANodeBindOffLoopbackWithoutTls() {
    ClusterTls tls = ClusterTls.fromConfig(config(Map.of("lchat.node.host", "10.1.2.3",
        "lchat.cluster.tls.allow-plaintext", true)));
    assertFalse(tls.enabled());
    assertEquals("tcp", tls.applyTo(ConfigFactory.empty()).getString("pekko.remote.artery.transport"));
  }

  @Test
  void withTlsANodeMayBindOffLoopbackAndPekkoGetsTlsTcpWithTheFiles() {
    ClusterTls tls = ClusterTls.fromConfig(node.config().withFallback(config(Map.of("lchat.node.host", "10.1.2.3",
        "lchat.cluster.tls.reload-interval", "90s"))));
    Config pekko = tls.applyTo(ConfigFactory.empty()).getConfig("pekko.remote.artery");
    assertEquals("tls-tcp", pekko.getString("transport"));
    assertEquals(ClusterTls.ENGINE, pekko.getString("ssl.ssl-engine-provider"));
    assertEquals(node.key().toString(), pekko.getString("ssl.rotating-keys-engine.key-file"));
    assertEquals(node.cert().toString(), pekko.getString("ssl.rotating-keys-engine.cert-file"));
    assertEquals(node.ca().toString(), pekko.getString("ssl.rotating-keys-engine.ca-cert-file"));
    assertEquals(Duration.ofSeconds(90), pekko.getDuration("ssl.rotating-keys-engine.ssl-context-cache-ttl"));
  }

  @Test
  void nodesThisNodeStartsGetTheSameSettingsAsJvmOptions() {
    ClusterTls tls = ClusterTls.fromConfig(node.config().withFallback(config(Map.of(
        "lchat.cluster.tls.reload-interval", "90s"))));
    Map<String, Object> properties = new HashMap<>();
    for (String option : tls.jvmOptions()) {
      assertTrue(option.startsWith("-D"), option);
      int eq = option.indexOf('=');
      properties.put(option.substring(2, eq), option.substring(eq + 1));
    }
    assertEquals(tls, ClusterTls.fromConfig(config(properties)));
  }

  @Test
  void theReferenceConfigurationNamesPekkosPemEngine() {
    assertEquals(ClusterTls.ENGINE,
        ConfigFactory.defaultReference().getString("pekko.remote.artery.ssl.ssl-engine-provider"));
  }

  @Test
  void aMissingKeyFileIsNamedAtStartUp() {
    Config c = ConfigFactory.parseMap(Map.of("lchat.cluster.tls.key-file", dir.resolve("absent.key").toString()))
        .withFallback(node.config()).withFallback(config(Map.of()));
    String message = refusal(c);
    assertTrue(message.contains("absent.key"), message);
  }

  @Test
  void aCertificateFromAnotherAuthorityIsRefused() throws Exception {
    TestCertificates.NodeFiles other = TestCertificates.Authority.create("another CA").issue(dir.resolve("other"),
        "lchat-cluster");
    Config mixed = ConfigFactory.parseMap(Map.of("lchat.cluster.tls.cert-file", other.cert().toString()))
        .withFallback(node.config()).withFallback(config(Map.of()));
    String message = refusal(mixed);
    assertTrue(message.contains("not signed by the CA"), message);
  }

  @Test
  void anExpiredCertificateIsRefused() throws Exception {
    TestCertificates.NodeFiles expired = ca.issue(dir.resolve("expired"), "lchat-cluster", Duration.ofHours(-1));
    String message = refusal(expired.config().withFallback(config(Map.of())));
    assertTrue(message.contains("not valid now"), message);
  }

  @Test
  void aKeyThatIsNotTheCertificatesIsRefused() throws Exception {
    TestCertificates.NodeFiles second = ca.issue(dir.resolve("second"), "lchat-cluster");
    Config swapped = ConfigFactory.parseMap(Map.of("lchat.cluster.tls.key-file", second.key().toString()))
        .withFallback(node.config()).withFallback(config(Map.of()));
    String message = refusal(swapped);
    assertTrue(message.contains("is not the key of"), message);
  }

  @Test
  void anEllipticCurveKeyIsRefusedBecausePekkoReadsRsaOnly() throws Exception {
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(256);
    Path key = dir.resolve("ec.key");
    TestCertificates.pem(key, "PRIVATE KEY", ec.generateKeyPair().getPrivate().getEncoded());
    Config c = ConfigFactory.parseMap(Map.of("lchat.cluster.tls.key-file", key.toString()))
        .withFallback(node.config()).withFallback(config(Map.of()));
    String message = refusal(c);
    assertTrue(message.contains("RSA"), message);
  }

  @Test
  void anEncryptedKeyIsRefusedWithTheFormsPekkoReads() throws Exception {
    Path key = dir.resolve("encrypted.key");
    Files.writeString(key, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
    Config c = ConfigFactory.parseMap(Map.of("lchat.cluster.tls.key-file", key.toString()))
        .withFallback(node.config()).withFallback(config(Map.of()));
    String message = refusal(c);
    assertTrue(message.contains("ENCRYPTED PRIVATE KEY") && message.contains("PKCS#8"), message);
  }
}
