package uk.co.lchat.node.browser;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;


/** Real Chromium pages with fake camera and microphone meet through our media router. */
class BrowserCallIT extends SingleNodeBrowserTest {

  private Chromium.Page join(String room, String name) throws Exception {
    return join(room, name, "");
  }

  private Chromium.Page join(String room, String name, String options) throws Exception {
    Chromium.Page page = chromium.open("http://127.0.0.1:" + node.httpPort() + "/e2e/call.html?room=" + room
        + "&name=" + name + options);
    page.waitFor("window.lchatTest && (window.lchatTest.published === true || window.lchatTest.errors.length > 0)",
        Duration.ofSeconds(30));
    JsonNode errors = page.eval("window.lchatTest.errors");
    assertTrue(errors.isEmpty(), name + " could not publish: " + errors);
    return page;
  }

  @Test
  void twoPagesSeeAndHearEachOtherThroughTheRouter() throws Exception {
    try (Chromium.Page alice = join("call-two", "Alice"); Chromium.Page bob = join("call-two", "Bob")) {
      String decoding = "lchatStats().then(s => s.framesDecoded > 50 && s.audioPackets > 100)";
      try {
        alice.waitFor(decoding, Duration.ofSeconds(60));
        bob.waitFor(decoding, Duration.ofSeconds(60));
      } finally {
        System.out.println("alice: " + alice.eval("lchatStats()") + " bob: " + bob.eval("lchatStats()")
            + " router: packets in " + node.mediaRouter().counters().packetsReceived() + " out "
            + node.mediaRouter().counters().packetsSent() + " srtp failures "
            + node.mediaRouter().counters().srtpFailures() + " unknown ssrc "
            + node.mediaRouter().counters().unknownSsrc());
      }
      alice.screenshot(Path.of("target", "screenshots", "call-two-alice.png"));
      // transport-cc feedback from the router lets Chrome's bandwidth estimate climb above its 300 kbit/s start
      // (without feedback it stays there). How far it climbs depends on the load of the 2-core machine.
      try {
        String ramped = "lchatStats().then(s => s.availableOutgoingBitrate > 350000)";
        alice.waitFor(ramped, Duration.ofSeconds(30));
        bob.waitFor(ramped, Duration.ofSeconds(30));
      } finally {
        System.out.println("alice after ramp-up: " + alice.eval("lchatStats()") + " feedback sent "
            + node.mediaRouter().counters().transportFeedbackSent());
      }
      assertTrue(node.mediaRouter().counters().packetsSent() > 0);
    }
  }

  /**
   * A browser drops a connection whose consent checks go unanswered for 30 s (RFC 7675 §5.1); the router's ICE
   * agents must keep answering them, on whichever path the browser settled on, for as long as the call lasts.
   */
  @Test
  void aCallKeepsFlowingPastTheBrowsersConsentTimeout() throws Exception {
    try (Chromium.Page alice = join("call-long", "Alice"); Chromium.Page bob = join("call-long", "Bob")) {
      String decoding = "lchatStats().then(s => s.framesDecoded > 50 && s.audioPackets > 100)";
      alice.waitFor(decoding, Duration.ofSeconds(60));
      bob.waitFor(decoding, Duration.ofSeconds(60));
      Thread.sleep(Duration.ofSeconds(35));
      String ice = "['publisher', 'subscriber'].map(k => window.lchatTest.media[k].iceConnectionState).join()";
      for (Chromium.Page page : new Chromium.Page[] {alice, bob}) {
        String states = page.eval(ice).asText();
        assertTrue(states.matches("(connected|completed),(connected|completed)"), "ICE after 35 s: " + states);
        int frames = page.eval("lchatStats()").get("framesDecoded").asInt();
        page.waitFor("lchatStats().then(s => s.framesDecoded > " + (frames + 30) + ")", Duration.ofSeconds(20));
      }
    }
  }

  @Test
  void simulcastLayersFromA720pCameraReachTheOtherPageAsOneStream() throws Exception {
    try (Chromium.Page alice = join("call-simulcast", "Alice", "&width=1280&height=720");
         Chromium.Page bob = join("call-simulcast", "Bob", "&simulcast=0")) {
      try {
        // Chrome sends up to three rid layers for 720p (fewer while its bandwidth estimate is low).
        alice.waitFor("lchatStats().then(s => s.layersSent >= 2)", Duration.ofSeconds(60));
        bob.waitFor("lchatStats().then(s => s.framesDecoded > 50 && s.audioPackets > 100)", Duration.ofSeconds(60));
        alice.waitFor("lchatStats().then(s => s.framesDecoded > 50)", Duration.ofSeconds(60));
      } finally {
        System.out.println("simulcast alice: " + alice.eval("lchatStats()") + " bob: " + bob.eval("lchatStats()")
            + " unknown ssrc " + node.mediaRouter().counters().unknownSsrc());
      }
      JsonNode bobStats = bob.eval("lchatStats()");
      assertTrue(bobStats.get("tracks").asInt() >= 2, "one video and one audio track from Alice: " + bobStats);
    }
  }

  @Test
  void pagesThatMayNotUseUdpMeetOverIceTcp() throws Exception {
    long tcpBefore = node.mediaRouter().counters().iceSucceededTcp();
    try (Chromium.Page alice = join("call-tcp", "Alice", "&transport=tcp");
         Chromium.Page bob = join("call-tcp", "Bob", "&transport=tcp")) {
      String decoding = "lchatStats().then(s => s.framesDecoded > 50 && s.audioPackets > 100)";
      try {
        alice.waitFor(decoding, Duration.ofSeconds(60));
        bob.waitFor(decoding, Duration.ofSeconds(60));
      } finally {
        System.out.println("tcp alice: " + alice.eval("lchatStats()") + " bob: " + bob.eval("lchatStats()")
            + " ice-tcp successes " + node.mediaRouter().counters().iceSucceededTcp());
      }
      assertTrue(alice.eval("lchatStats()").get("transport").asText().equals("tcp"));
      // Two connections per page (sending and receiving), all over TCP.
      assertTrue(node.mediaRouter().counters().iceSucceededTcp() - tcpBefore >= 4);
    }
  }
}
