package uk.co.lchat.node.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static uk.co.lchat.node.browser.MeetingPages.selectedPair;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import uk.co.lchat.node.netns.LanNodeProcess;
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
  private static TurnHosts turn;
  private static LanNodeProcess node;
  private static Chromium trusting;
  private static Chromium distrusting;

  @BeforeAll
  static void start() throws Exception {
    turn = TurnHosts.create("TurnTlsRelayIT", "turns", "lchat-turns-node", "10.77.0.41", "lchat-turns-client",
        "10.77.0.42");
    // From the participants' host only the web port and TURN over TLS get in.
    turn.blockFromClients(TurnHosts.MEDIA_PORT, 3478);
    TestPem.Authority turnCa = TestPem.Authority.create("TurnTlsRelayIT TURN CA");
    Path work = turn.work;
    turnCa.issueFor(turn.nodeAddress).write(work.resolve("turn-cert.pem"), work.resolve("turn-key.pem"),
        KeyForm.PKCS8);
    turnCa.writeCertificate(work.resolve("turn-ca.crt"));
    // coturn with TLS on 443 (tls-listening-port), as docs/README's cloud section sets it up.
    turn.startCoturn(List.of("tls-listening-port=443", "cert=" + work.resolve("turn-cert.pem"),
        "pkey=" + work.resolve("turn-key.pem")), "-Hlnt", 443);
    node = turn.startNode("[\"turns:" + turn.nodeAddress + ":443?transport=tcp\"]");
    trusting = Chromium.launch(Chromium.Options.defaults().inNamespace(turn.clientNamespace).trusting(turn.nodeCa())
        .trusting(work.resolve("turn-ca.crt")));
    distrusting = Chromium.launch(Chromium.Options.defaults().inNamespace(turn.clientNamespace)
        .trusting(turn.nodeCa()));
  }

  @AfterAll
  static void stop() throws Exception {
    for (Chromium c : new Chromium[] {trusting, distrusting}) {
      if (c != null) {
        c.close();
      }
    }
    if (turn != null) {
      turn.close(); // stops the node and coturn, and takes the nftables table with the namespace
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
      assertEquals("turns:" + turn.nodeAddress + ":443?transport=tcp", servers.get(0).get("urls").get(0).asText(), servers.toString());
      turn.waitForMedia(alice, WAIT);
      turn.waitForMedia(bob, WAIT);
      for (Chromium.Page page : new Chromium.Page[] {alice, bob}) {
        for (String pc : new String[] {"publisher", "subscriber"}) {
          JsonNode pair = page.eval(selectedPair("window.lchatMeeting.media." + pc));
          assertEquals("relay", pair.get("local").asText(), pc + " goes through coturn: " + pair);
          assertEquals("tls", pair.get("relayProtocol").asText(), pc + " reaches coturn over TLS: " + pair);
          assertEquals(turn.nodeAddress, pair.get("remoteAddress").asText(), "to the media router: " + pair);
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

}
