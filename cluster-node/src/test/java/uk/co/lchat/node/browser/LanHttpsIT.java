package uk.co.lchat.node.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static uk.co.lchat.node.browser.MeetingPages.MEDIA;
import static uk.co.lchat.node.browser.MeetingPages.q;
import static uk.co.lchat.node.browser.MeetingPages.selectedPair;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Comparator;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import uk.co.lchat.node.netns.LanNodeProcess;
import uk.co.lchat.node.netns.NetworkNamespaces;
import uk.co.lchat.node.tls.ServerCertificate;

/**
 * A LAN meeting as {@code bin/lchat run --lan} makes it, between two hosts: network namespaces joined by a veth
 * pair, the node (LAN mode, nothing else configured but the data directory and direct two-person calls off, so the
 * media crosses the node's router) on 10.77.0.1, one Chromium there and one on 10.77.0.2. Each Chromium trusts LAN
 * mode's CA as a person who imported it would (an NSS database), so the pages really are secure contexts: they get
 * their cameras, open the HTTPS URL the node printed and see and hear each other through the media address the node
 * advertised.
 */
class LanHttpsIT {
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final String NODE_NS = "lchat-lan-node";
  private static final String GUEST_NS = "lchat-lan-guest";
  private static NetworkNamespaces hosts;
  private static Path work;
  private static LanNodeProcess node;
  private static Chromium onNode;
  private static Chromium onGuest;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(NetworkNamespaces.root(), "LanHttpsIT builds network namespaces, which takes root: skipped");
    assertTrue(Chromium.available(), "Debian's chromium must be installed (bin/lchat test installs it)");
    hosts = NetworkNamespaces.pair(NODE_NS, "10.77.0.1", GUEST_NS, "10.77.0.2");
    work = Path.of("target", "netns", "lan").toAbsolutePath();
    deleteTree(work);
    node = LanNodeProcess.start(hosts, NODE_NS, "lchat.lan.data-dir = \"" + work.resolve("data") + "\"\n"
        + "lchat.room.features.p2p = false\n", work, 240);
    Path ca = work.resolve("data").resolve("ca.crt");
    onNode = Chromium.launch(Chromium.Options.defaults().inNamespace(NODE_NS).trusting(ca));
    onGuest = Chromium.launch(Chromium.Options.defaults().inNamespace(GUEST_NS).trusting(ca));
  }

  @AfterAll
  static void stop() throws Exception {
    for (Chromium c : new Chromium[] {onNode, onGuest}) {
      if (c != null) {
        c.close();
      }
    }
    if (hosts != null) {
      hosts.close(); // stops the node too
    }
  }

  @Test
  void theNodePrintsItsLanUrlAndTheFingerprintsOfItsCertificates() throws Exception {
    assertEquals("https://10.77.0.1:8443/", node.url(), "the namespace's one address, found by the node itself");
    assertEquals(ServerCertificate.fingerprint(firstCertificate(work.resolve("data/server.crt"))),
        node.serverFingerprint());
    assertEquals(ServerCertificate.fingerprint(firstCertificate(work.resolve("data/ca.crt"))), node.caFingerprint());
  }

  @Test
  void twoBrowsersOnTwoHostsJoinOverHttpsAndSeeAndHearEachOther() throws Exception {
    String base = node.url().substring(0, node.url().length() - 1);
    try (Chromium.Page alice = MeetingPages.join(onNode, base, "lan-meeting", "Alice", WAIT);
         Chromium.Page bob = MeetingPages.join(onGuest, base, "lan-meeting", "Bob", WAIT)) {
      for (Chromium.Page page : new Chromium.Page[] {alice, bob}) {
        assertTrue(page.eval("location.protocol === 'https:' && window.isSecureContext").asBoolean(),
            "a secure context: the certificate is trusted, so the page may use its camera");
      }
      waitForMedia(alice, bob);
      waitForMedia(bob, alice);
      for (String pc : new String[] {"publisher", "subscriber"}) {
        JsonNode pair = bob.eval(selectedPair("window.lchatMeeting.media." + pc));
        assertEquals("10.77.0.1", pair.get("remoteAddress").asText(),
            "the guest's " + pc + " connection reaches the media router on the node's LAN address: " + pair);
        assertEquals("host", pair.get("remote").asText(), pair.toString());
      }
    }
  }

  @Test
  void plainHttpOnTheLanAddressLeadsToTheHttpsMeeting() throws Exception {
    try (Chromium.Page page = onGuest.open("http://10.77.0.1:8080/lan-redirect")) {
      page.waitFor("location.href === 'https://10.77.0.1:8443/lan-redirect'", WAIT);
      page.waitFor(q("prejoin") + " !== null", WAIT);
    }
  }

  /** {@code page} decodes video and hears audio from {@code other}. */
  private static void waitForMedia(Chromium.Page page, Chromium.Page other) throws Exception {
    try {
      page.waitFor(MEDIA + ".then(m => m.videos >= 1 && m.audios >= 1)", WAIT);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; media " + page.eval(MEDIA) + "; pairs "
          + page.eval(selectedPair("window.lchatMeeting.media.publisher")) + " / "
          + page.eval(selectedPair("window.lchatMeeting.media.subscriber")) + "; other "
          + other.eval(selectedPair("window.lchatMeeting.media.publisher")) + "; node log " + node.log(), e);
    }
  }

  private static X509Certificate firstCertificate(Path file) throws Exception {
    try (InputStream in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  private static void deleteTree(Path dir) throws Exception {
    if (Files.exists(dir)) {
      try (var files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }
}
