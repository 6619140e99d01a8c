package uk.co.lchat.node.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static uk.co.lchat.node.browser.MeetingPages.MEDIA;
import static uk.co.lchat.node.browser.MeetingPages.selectedPair;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import uk.co.lchat.node.netns.LanNodeProcess;
import uk.co.lchat.node.netns.NetworkNamespaces;
import uk.co.lchat.node.tls.TestPem;
import uk.co.lchat.node.tls.TestPem.KeyForm;

/**
 * TURN over TLS on port 443, the case for networks that let nothing out but HTTPS: the node (LAN mode, for HTTPS)
 * hands out only a {@code turns:} URL, and coturn (Debian's turnserver, started here) serves TLS on 443 with a
 * certificate the test issues for its address from a CA of its own. The participants' host reaches the node's web
 * port and coturn's 443, but neither the media port nor coturn's plain 3478 (nftables drops both, UDP and TCP).
 * A Chromium that trusts the test's CA (NSS, as a person importing it would) relays through coturn over TLS and
 * the call works; a Chromium that does not trust it gets no relay at all: it checks the TURN server's certificate.
 */
class TurnTlsRelayIT {
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final String NODE_NS = "lchat-turns-node";
  private static final String CLIENT_NS = "lchat-turns-client";
  private static final String NODE = "10.77.0.41";
  private static final String CLIENT = "10.77.0.42";
  private static final int MEDIA_PORT = 10000;
  private static NetworkNamespaces hosts;
  private static Path work;
  private static LanNodeProcess node;
  private static Chromium trusting;
  private static Chromium distrusting;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(NetworkNamespaces.root(), "TurnTlsRelayIT builds network namespaces, which takes root: skipped");
    assertTrue(Chromium.available(), "Debian's chromium must be installed (bin/lchat test installs it)");
    assertTrue(Files.isExecutable(Path.of("/usr/bin/turnserver")), "Debian's coturn must be installed"
        + " (bin/lchat test installs it)");
    hosts = NetworkNamespaces.pair(NODE_NS, NODE, CLIENT_NS, CLIENT);
    work = Path.of("target", "netns", "turns").toAbsolutePath();
    deleteTree(work);
    Files.createDirectories(work);
    blockAllButTlsFromClients();
    TestPem.Authority turnCa = TestPem.Authority.create("TurnTlsRelayIT TURN CA");
    turnCa.issueFor(NODE).write(work.resolve("turn-cert.pem"), work.resolve("turn-key.pem"), KeyForm.PKCS8);
    turnCa.writeCertificate(work.resolve("turn-ca.crt"));
    String secret = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    startCoturn(secret);
    node = LanNodeProcess.start(hosts, NODE_NS, "lchat.lan.data-dir = \"" + work.resolve("data") + "\"\n"
        + "lchat.media.port = " + MEDIA_PORT + "\n"
        + "lchat.room.features.p2p = false\n"
        + "lchat.turn.urls = [\"turns:" + NODE + ":443?transport=tcp\"]\n"
        + "lchat.turn.secret = \"" + secret + "\"\n", work, 240);
    Path lanCa = work.resolve("data").resolve("ca.crt");
    trusting = Chromium.launch(Chromium.Options.defaults().inNamespace(CLIENT_NS).trusting(lanCa)
        .trusting(work.resolve("turn-ca.crt")));
    distrusting = Chromium.launch(Chromium.Options.defaults().inNamespace(CLIENT_NS).trusting(lanCa));
  }

  /** nftables on the node's host: from the participants' host, only the web port and TURN over TLS get in. */
  private static void blockAllButTlsFromClients() throws Exception {
    Path rules = work.resolve("block.nft");
    Files.writeString(rules, "table inet lchat_block {\n"
        + "  chain input {\n"
        + "    type filter hook input priority 0; policy accept;\n"
        + "    ip saddr " + CLIENT + " udp dport " + MEDIA_PORT + " counter drop\n"
        + "    ip saddr " + CLIENT + " tcp dport " + MEDIA_PORT + " counter drop\n"
        + "    ip saddr " + CLIENT + " udp dport 3478 counter drop\n"
        + "    ip saddr " + CLIENT + " tcp dport 3478 counter drop\n"
        + "  }\n"
        + "}\n");
    hosts.exec(NODE_NS, "nft", "-f", rules.toString());
  }

  /** coturn with TLS on 443 (tls-listening-port), as docs/README's cloud section sets it up. */
  private static void startCoturn(String secret) throws Exception {
    Path config = work.resolve("turnserver.conf");
    Files.writeString(config, String.join("\n", List.of(
        "listening-ip=" + NODE, "relay-ip=" + NODE, "listening-port=3478", "tls-listening-port=443",
        "min-port=49152", "max-port=49252",
        "cert=" + work.resolve("turn-cert.pem"), "pkey=" + work.resolve("turn-key.pem"),
        "use-auth-secret", "static-auth-secret=" + secret, "realm=lchat.test", "fingerprint",
        "no-dtls", "no-cli", "no-multicast-peers",
        // coturn relays only to the node (its relay address and the node's are on the same host here).
        "allowed-peer-ip=" + NODE, "denied-peer-ip=0.0.0.0-255.255.255.255",
        "userdb=" + work.resolve("turndb"), "pidfile=" + work.resolve("turnserver.pid"),
        "log-file=stdout", "simple-log", "verbose")) + "\n");
    hosts.start(NODE_NS, List.of("turnserver", "-c", config.toString()), work.resolve("turnserver.log"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!hosts.exec(NODE_NS, "ss", "-Hlnt").contains(NODE + ":443")) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("coturn did not listen on 443: " + Files.readString(work.resolve("turnserver.log")));
      }
      Thread.sleep(200);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    for (Chromium c : new Chromium[] {trusting, distrusting}) {
      if (c != null) {
        c.close();
      }
    }
    if (hosts != null) {
      hosts.close(); // stops the node and coturn, and takes the nftables table with the namespace
    }
  }

  /**
   * The relay candidates a page gathers with the ICE servers it got in {@code joined}, relays only: each as
   * "protocol type" from the candidate line, e.g. "udp relay" (the relay's own transport towards the peer).
   */
  private static final String RELAY_CANDIDATES = "(async servers => {"
      + " const pc = new RTCPeerConnection({ iceServers: servers, iceTransportPolicy: 'relay' });"
      + " pc.createDataChannel('probe'); const found = [];"
      + " pc.onicecandidate = (e) => { if (e.candidate && e.candidate.candidate) found.push(e.candidate.candidate); };"
      + " await pc.setLocalDescription(await pc.createOffer());"
      + " await new Promise((done) => { const check = () => { if (pc.iceGatheringState === 'complete') done(); };"
      + " pc.onicegatheringstatechange = check; check(); setTimeout(done, 30000); });"
      + " pc.close(); return found; })(window.lchatMeeting.iceServers)";

  @Test
  void participantsWhoReachOnlyTlsTalkThroughTurnOverTlsOn443() throws Exception {
    String base = node.url().substring(0, node.url().length() - 1);
    try (Chromium.Page alice = MeetingPages.join(trusting, base, "turns-meeting", "Alice", WAIT);
         Chromium.Page bob = MeetingPages.join(trusting, base, "turns-meeting", "Bob", WAIT)) {
      JsonNode servers = alice.eval("window.lchatMeeting.iceServers");
      assertEquals("turns:" + NODE + ":443?transport=tcp", servers.get(0).get("urls").get(0).asText(), servers.toString());
      waitForMedia(alice);
      waitForMedia(bob);
      for (Chromium.Page page : new Chromium.Page[] {alice, bob}) {
        for (String pc : new String[] {"publisher", "subscriber"}) {
          JsonNode pair = page.eval(selectedPair("window.lchatMeeting.media." + pc));
          assertEquals("relay", pair.get("local").asText(), pc + " goes through coturn: " + pair);
          assertEquals("tls", pair.get("relayProtocol").asText(), pc + " reaches coturn over TLS: " + pair);
          assertEquals(NODE, pair.get("remoteAddress").asText(), "to the media router: " + pair);
        }
      }
    }
  }

  @Test
  void aBrowserThatDoesNotTrustTheTurnServersCertificateGetsNoRelay() throws Exception {
    String base = node.url().substring(0, node.url().length() - 1);
    try (Chromium.Page trusted = MeetingPages.join(trusting, base, "turns-trust", "Ann", WAIT);
         Chromium.Page untrusted = MeetingPages.join(distrusting, base, "turns-trust", "Eve", WAIT)) {
      JsonNode good = trusted.eval(RELAY_CANDIDATES);
      assertTrue(good.size() > 0 && good.get(0).asText().contains(" typ relay"),
          "with the CA: a relay candidate allocated over TLS: " + good);
      JsonNode none = untrusted.eval(RELAY_CANDIDATES);
      assertEquals(0, none.size(), "without it the TLS handshake with coturn fails, so no allocation: " + none);
    }
  }

  /** {@code page} decodes the other's video and hears its audio. */
  private static void waitForMedia(Chromium.Page page) throws Exception {
    try {
      page.waitFor(MEDIA + ".then(m => m.videos >= 1 && m.audios >= 1)", WAIT);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; media " + page.eval(MEDIA) + "; pairs "
          + page.eval(selectedPair("window.lchatMeeting.media.publisher")) + " / "
          + page.eval(selectedPair("window.lchatMeeting.media.subscriber")) + "; coturn "
          + Files.readString(work.resolve("turnserver.log")), e);
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
