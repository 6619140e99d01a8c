package uk.co.lchat.node.lan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import uk.co.lchat.node.MainFlags;
import uk.co.lchat.node.tls.HttpsSettings;
import uk.co.lchat.node.tls.ServerCertificate;

class LanModeTest {
  @TempDir
  Path dir;

  private Config config(Map<String, Object> settings) {
    return ConfigFactory.parseMap(settings).withFallback(ConfigFactory.parseMap(Map.of(
        "lchat.lan.enabled", true, "lchat.lan.data-dir", dir.toString()))).withFallback(ConfigFactory.load())
        .resolve();
  }

  @Test
  void offByDefault() {
    assertNull(LanMode.prepare(ConfigFactory.load()));
  }

  @Test
  void servesHttpsOnTheAddressWithItsOwnCertificateAndAdvertisesItForMedia() {
    Config root = config(Map.of("lchat.lan.addresses", List.of("10.77.0.1")));
    LanMode lan = LanMode.prepare(root);
    Config applied = lan.applyTo(root);
    assertEquals("10.77.0.1", applied.getString("lchat.http.bind-host"));
    assertEquals("10.77.0.1", applied.getString("lchat.media.bind-host"));
    assertEquals(List.of("10.77.0.1"), applied.getStringList("lchat.media.advertised-addresses"));
    assertEquals("127.0.0.1", applied.getString("lchat.node.host"), "remoting stays on loopback");
    HttpsSettings https = HttpsSettings.fromConfig(applied);
    assertTrue(https.enabled());
    assertEquals(dir.resolve("server.crt"), https.certificate());
    String banner = lan.banner(8443, 8080);
    assertTrue(banner.contains("https://10.77.0.1:8443/"), banner);
    assertTrue(banner.contains("http://10.77.0.1:8080/"), banner);
    assertTrue(banner.contains(ServerCertificate.fingerprint(lan.certificates().server())), banner);
    assertTrue(banner.contains(ServerCertificate.fingerprint(lan.certificates().ca())), banner);
    assertTrue(banner.contains(dir.resolve("ca.crt").toString()), banner);
  }

  @Test
  void severalAddressesBindEveryInterfaceAndAdvertiseEachAddress() {
    Config root = config(Map.of("lchat.lan.addresses", List.of("10.77.0.1", "10.77.0.5")));
    LanMode lan = LanMode.prepare(root);
    assertEquals("0.0.0.0", lan.bindHost());
    assertEquals(List.of("10.77.0.1", "10.77.0.5"),
        lan.applyTo(root).getStringList("lchat.media.advertised-addresses"));
  }

  @Test
  void advertisedAddressesSetByHandAreKept() {
    Config root = config(Map.of("lchat.lan.addresses", List.of("10.77.0.1"),
        "lchat.media.advertised-addresses", List.of("10.77.0.99")));
    assertEquals(List.of("10.77.0.99"),
        LanMode.prepare(root).applyTo(root).getStringList("lchat.media.advertised-addresses"));
  }

  @Test
  void detectedAddressesAreNeitherLoopbackNorLinkLocal() {
    for (var a : LanMode.detect()) {
      assertFalse(a.isLoopbackAddress() || a.isLinkLocalAddress(), a.toString());
    }
  }

  @Test
  void aBadAddressIsRefusedWithTheSetting() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LanMode.prepare(config(Map.of("lchat.lan.addresses", List.of("not an address!")))));
    assertTrue(e.getMessage().contains("lchat.lan.addresses"), e.getMessage());
  }

  @Test
  void theLanFlagMeansHttpsOn8443AndARedirectFrom8080UnlessPortsAreGiven() {
    Config lan = MainFlags.parse("--lan").withFallback(ConfigFactory.load()).resolve();
    assertTrue(lan.getBoolean("lchat.lan.enabled"));
    assertEquals(8443, lan.getInt("lchat.http.port"));
    assertEquals(8080, lan.getInt("lchat.http.tls.redirect-port"));
    Config own = MainFlags.parse("--lan", "--http", "9443").withFallback(ConfigFactory.load()).resolve();
    assertEquals(9443, own.getInt("lchat.http.port"));
    assertEquals(0, own.getInt("lchat.http.tls.redirect-port"), "no redirect onto a port the user did not choose");
    Config plain = MainFlags.parse().withFallback(ConfigFactory.load()).resolve();
    assertFalse(plain.getBoolean("lchat.lan.enabled"), "loopback-only stays the default");
    assertEquals("127.0.0.1", plain.getString("lchat.http.bind-host"));
  }
}
