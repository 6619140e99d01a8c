package uk.co.lchat.node.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static uk.co.lchat.node.browser.MeetingPages.q;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;

/**
 * Firefox (Debian's ESR) meets Chromium through the media router. Firefox runs in a {@link NetworkNamespace}: it
 * gathers host candidates only on its default route's interface, never on loopback, so it needs a real one. The
 * router listens and advertises on our end of the namespace's veth pair, which the Chromium pages here reach too;
 * Firefox loads the pages through a {@link PortForward} to the node's HTTP port, at an address its prefs count as a
 * secure context. The web client's core cases (a meeting peer to peer then through the bridge, screen share,
 * reconnecting) run in both engines in {@link BrowserEnginesIT}; these are the rest of what Firefox must do.
 */
class FirefoxCallIT {
  private static final Duration WAIT = Duration.ofSeconds(90);

  private static NetworkNamespace ns;
  private static LchatNode node;
  private static PortForward http;
  private static Firefox firefox;
  private static Chromium chromium;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(NetworkNamespace.permitted(),
        "FirefoxCallIT skipped: it runs Firefox in a network namespace (ip netns), which needs root");
    assertTrue(Firefox.available(), "Debian's firefox-esr must be installed (bin/lchat test installs it)");
    assertTrue(Chromium.available(), "Debian's chromium must be installed (bin/lchat test installs it)");
    ns = NetworkNamespace.create();
    node = TestNodes.single(Map.of("lchat.media.bind-host", ns.hostAddress(),
        "lchat.media.advertised-addresses", List.of(ns.hostAddress())));
    http = PortForward.toAddress(new InetSocketAddress(ns.hostAddress(), 0),
        new InetSocketAddress("127.0.0.1", node.httpPort()));
    firefox = Firefox.launch(ns, List.of(ns.hostAddress()));
    chromium = Chromium.launch();
  }

  @AfterAll
  static void stop() throws Exception {
    if (firefox != null) {
      firefox.close();
    }
    if (chromium != null) {
      chromium.close();
    }
    if (http != null) {
      http.close();
    }
    if (node != null) {
      node.close();
    }
    if (ns != null) {
      ns.close();
    }
  }

  /** {@code path} on the node, as Firefox in the namespace reaches it. */
  private static String firefoxUrl(String path) {
    return "http://" + ns.hostAddress() + ":" + http.port() + path;
  }

  private static String chromiumUrl(String path) {
    return "http://127.0.0.1:" + node.httpPort() + path;
  }

  /** A page of the e2e harness that has joined and published (a viewer only receives), or fails saying why. */
  private static <P extends BrowserPage> P published(P page, String name) throws Exception {
    page.waitFor("window.lchatTest && (window.lchatTest.published === true || window.lchatTest.errors.length > 0)",
        WAIT);
    JsonNode errors = page.eval("window.lchatTest.errors");
    assertTrue(errors.isEmpty(), name + " could not join: " + errors);
    return page;
  }

  private static BrowserPage firefoxCall(String room, String name, String options) throws Exception {
    return published(firefox.open(firefoxUrl("/e2e/call.html?room=" + room + "&name=" + name + options)), name);
  }

  private static Chromium.Page chromiumCall(String room, String name, String options) throws Exception {
    return published(chromium.open(chromiumUrl("/e2e/call.html?room=" + room + "&name=" + name + options)), name);
  }

  /** What a meeting page decodes: remote videos with frames, remote audio tracks with sound. */
  private static final String MEDIA = "window.lchatMeeting.mediaStats().then(s => ({"
      + "mode: window.lchatMeeting.mode,"
      + "videos: s.inbound.filter(r => r.kind === 'video' && r.framesDecoded > 20).length,"
      + "audios: s.inbound.filter(r => r.kind === 'audio' && r.totalAudioEnergy > 0).length}))";

  /** On a pre-join page: turns end-to-end encryption on with this passphrase and joins. */
  private static void enterEncrypted(BrowserPage page, String name, String passphrase) throws Exception {
    page.waitFor(q("prejoin") + " !== null", WAIT);
    MeetingPages.type(page, "display-name", name);
    MeetingPages.click(page, "e2ee");
    MeetingPages.type(page, "e2ee-passphrase", passphrase);
    MeetingPages.click(page, "join");
    page.waitFor(q("meeting") + " !== null", WAIT);
    page.waitFor(q("e2ee-indicator") + " !== null", WAIT);
  }

  /**
   * Firefox encrypts and decrypts frames with RTCRtpScriptTransform as Chromium does, and the router still finds the
   * keyframes of what it cannot read.
   */
  @Test
  void firefoxAndChromiumWithOnePassphraseDecodeEachOthersEncryptedVideoThroughTheBridgeAndAnotherCannot()
      throws Exception {
    String room = "firefox-e2ee";
    try (BrowserPage fox = firefox.open(firefoxUrl("/" + room));
         Chromium.Page ann = MeetingPages.open(chromium, node, room);
         Chromium.Page cat = MeetingPages.open(chromium, node, room)) {
      enterEncrypted(fox, "Fox", "correct horse battery");
      enterEncrypted(ann, "Ann", "correct horse battery");
      enterEncrypted(cat, "Cat", "a different passphrase");
      for (BrowserPage p : List.of(fox, ann, cat)) {
        p.waitFor("window.lchatMeeting.mode === 'bridge'", WAIT);
      }
      // Each of Fox and Ann decodes the other's video; Cat's, under another key, nobody else can.
      String oneVideo = MEDIA + ".then(m => m.videos >= 1)";
      try {
        fox.waitFor(oneVideo, WAIT);
        ann.waitFor(oneVideo, WAIT);
        cat.waitFor("window.lchatMeeting.e2ee.failures > 50", WAIT);
      } finally {
        System.out.println("e2ee: fox " + fox.eval(MEDIA) + " failures " + fox.eval("window.lchatMeeting.e2ee.failures")
            + ", ann " + ann.eval(MEDIA) + ", cat " + cat.eval(MEDIA) + " failures "
            + cat.eval("window.lchatMeeting.e2ee.failures"));
      }
      assertEquals(0, cat.eval(MEDIA).get("videos").asInt(), "no video decodes with the wrong passphrase");
      fox.waitFor("window.lchatMeeting.e2ee.failures > 0", WAIT);
    }
  }

  /** The width of the video a call page decodes (its one remote video), 0 before any. */
  private static int decodedWidth(BrowserPage page) throws Exception {
    return page.eval("lchatStats().then(s => s.frameWidth)").asInt();
  }

  /**
   * The local UDP port of the page's receiving connection: where the router sends its media. Firefox marks the pair
   * it uses {@code selected}; the standard way is the transport's selectedCandidatePairId.
   */
  private static int receivingPort(BrowserPage page) throws Exception {
    return page.eval("window.lchatTest.media.subscriber.getStats().then(r => { let port = 0;"
        + " const pick = (p) => { const l = p && r.get(p.localCandidateId);"
        + "   if (l && l.protocol === 'udp') port = l.port; };"
        + " r.forEach(s => { if (s.type === 'transport' && s.selectedCandidatePairId)"
        + "   pick(r.get(s.selectedCandidatePairId)); });"
        + " if (!port) r.forEach(s => { if (s.type === 'candidate-pair' && s.selected) pick(s); });"
        + " return port; })").asInt();
  }

  @Test
  void firefoxsSimulcastReachesTwoReceiversAndALossyFirefoxReceiverDropsToTheLowestLayerAndComesBack()
      throws Exception {
    String room = "firefox-simulcast";
    try (BrowserPage fox = firefoxCall(room, "Fox", "");
         Chromium.Page ann = chromiumCall(room, "Ann", "&viewer=1");
         BrowserPage view = firefoxCall(room, "View", "&viewer=1")) {
      String decoding = "lchatStats().then(s => s.framesDecoded > 50)";
      try {
        fox.waitFor("lchatStats().then(s => s.layersSent >= 2)", WAIT);
        ann.waitFor(decoding, WAIT);
        view.waitFor(decoding, WAIT);
      } finally {
        System.out.println("firefox simulcast: fox " + fox.eval("lchatStats()") + " ann " + ann.eval("lchatStats()")
            + " view " + view.eval("lchatStats()"));
      }
      // The path to View loses 30 % of what the router sends it: View reports the loss, the router gives it the
      // lowest layer (a quarter of the camera's 640 pixels), and Ann, whose path is clean, keeps decoding.
      int port = receivingPort(view);
      assertTrue(port > 0, "View's receiving connection has a UDP path");
      long downgrades = node.mediaRouter().counters().lossDowngrades();
      ns.run("nft", "add", "table", "inet", "lchat_loss");
      ns.run("nft", "add", "chain", "inet", "lchat_loss", "in", "{ type filter hook input priority 0; }");
      ns.run("nft", "add", "rule", "inet", "lchat_loss", "in", "ip", "saddr", ns.hostAddress(), "udp", "sport",
          Integer.toString(node.mediaRouter().port()), "udp", "dport", Integer.toString(port), "numgen", "random",
          "mod", "100", "<", "30", "drop");
      try {
        view.waitFor("lchatStats().then(s => s.frameWidth > 0 && s.frameWidth <= 160)", WAIT);
        assertTrue(node.mediaRouter().counters().lossDowngrades() > downgrades, "a loss downgrade");
        int annFrames = ann.eval("lchatStats()").get("framesDecoded").asInt();
        ann.waitFor("lchatStats().then(s => s.framesDecoded > " + (annFrames + 30) + ")", WAIT);
      } finally {
        System.out.println("under loss: view " + view.eval("lchatStats()") + " ann " + ann.eval("lchatStats()"));
        ns.run("nft", "delete", "table", "inet", "lchat_loss");
      }
      // Five clean reports later View gets a higher layer again.
      try {
        view.waitFor("lchatStats().then(s => s.frameWidth > 160)", WAIT);
      } finally {
        System.out.println("after loss: view " + view.eval("lchatStats()") + " width " + decodedWidth(view));
      }
    }
  }

  /** Both media connections of a call page, and the steps their repairs took, for a failure's message. */
  private static final String REPAIRS = "(m => ({publisher: m.publisher && m.publisher.connectionState,"
      + " subscriber: m.subscriber && m.subscriber.connectionState, publishRepair: m.publishRepair.history,"
      + " subscribeRepair: m.subscribeRepair.history}))(window.lchatTest.media)";

  /**
   * Waits until the page decodes video right now: 20 frames more within two seconds. A total over a longer time
   * could mislead, as the totals of a replaced connection leave the statistics.
   */
  private static void decodesNow(BrowserPage page, String who) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    JsonNode before = page.eval("lchatStats()");
    while (true) {
      Thread.sleep(2000); // the window the frames are counted in, not a wait for something to happen
      JsonNode now = page.eval("lchatStats()");
      if (now.path("framesDecoded").asLong() - before.path("framesDecoded").asLong() > 20) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(who + " decodes no video: " + now + "; " + page.eval(REPAIRS));
      }
      before = now;
    }
  }

  /**
   * The path between Firefox and the router breaks (every UDP and TCP packet to and from the router's media port
   * dropped in Firefox's namespace, as when a network goes away): both of its connections go disconnected, the web
   * client's ConnectionRepair restarts ICE on each (an offer with new credentials on the sending one, RFC 8445
   * §9; a restartIce request, answered by the router's new offer, on the receiving one), and once the path is back
   * media flows both ways again.
   */
  @Test
  void aFirefoxPageWhosePathToTheRouterBreaksRestartsIceAndDecodesAgainOnceItIsBack() throws Exception {
    String room = "firefox-repair";
    try (BrowserPage fox = firefoxCall(room, "Fox", "");
         Chromium.Page ann = chromiumCall(room, "Ann", "")) {
      String decoding = "lchatStats().then(s => s.framesDecoded > 50 && s.audioPackets > 100)";
      fox.waitFor(decoding, WAIT);
      ann.waitFor(decoding, WAIT);
      String media = Integer.toString(node.mediaRouter().port());
      ns.run("nft", "add", "table", "inet", "lchat_cut");
      ns.run("nft", "add", "chain", "inet", "lchat_cut", "in", "{ type filter hook input priority 0; }");
      ns.run("nft", "add", "chain", "inet", "lchat_cut", "out", "{ type filter hook output priority 0; }");
      for (String protocol : List.of("udp", "tcp")) {
        ns.run("nft", "add", "rule", "inet", "lchat_cut", "in", "ip", "saddr", ns.hostAddress(), protocol, "sport",
            media, "drop");
        ns.run("nft", "add", "rule", "inet", "lchat_cut", "out", "ip", "daddr", ns.hostAddress(), protocol, "dport",
            media, "drop");
      }
      try {
        fox.waitFor("(m => ['publishRepair', 'subscribeRepair'].every(k => m[k].history.some(h => h.step === "
            + "'restart')))(window.lchatTest.media)", WAIT, REPAIRS);
      } finally {
        ns.run("nft", "delete", "table", "inet", "lchat_cut");
      }
      fox.waitFor("(m => m.publisher.connectionState === 'connected' && m.subscriber.connectionState === 'connected')"
          + "(window.lchatTest.media)", WAIT, REPAIRS);
      // Fox decodes Ann's video again, and Ann Fox's.
      decodesNow(fox, "Fox");
      decodesNow(ann, "Ann");
      System.out.println("firefox repair: " + fox.eval(REPAIRS));
    }
  }

  @Test
  void firefoxPublishesWithWhipToAChromiumViewerAndWatchesAChromiumPublisherWithWhep() throws Exception {
    String room = "firefox-whip";
    try (BrowserPage foxWhip = firefox.open(firefoxUrl("/e2e/whip.html?room=" + room + "&name=FoxWhip"));
         Chromium.Page annWhip = chromium.open(chromiumUrl("/e2e/whip.html?room=" + room + "&name=AnnWhip"))) {
      String pub = "window.lchatTest && (window.lchatTest.published || window.lchatTest.errors.length > 0)";
      foxWhip.waitFor(pub, WAIT);
      annWhip.waitFor(pub, WAIT);
      assertTrue(foxWhip.eval("window.lchatTest.errors").isEmpty(), foxWhip.eval("window.lchatTest.errors").toString());
      assertTrue(annWhip.eval("window.lchatTest.errors").isEmpty(), annWhip.eval("window.lchatTest.errors").toString());
      String fromFox = foxWhip.eval("window.lchatTest.participantId").asText();
      String fromAnn = annWhip.eval("window.lchatTest.participantId").asText();
      try (Chromium.Page annWatch = chromium.open(chromiumUrl("/e2e/whep.html?room=" + room + "&participant="
               + fromFox));
           BrowserPage foxWatch = firefox.open(firefoxUrl("/e2e/whep.html?room=" + room + "&participant="
               + fromAnn))) {
        String watching = "window.lchatTest && (window.lchatTest.watching || window.lchatTest.errors.length > 0)";
        String decoding = "lchatStats().then(s => s.framesDecoded > 50 && s.audioPackets > 100)";
        for (BrowserPage viewer : List.of(annWatch, foxWatch)) {
          viewer.waitFor(watching, WAIT);
          assertTrue(viewer.eval("window.lchatTest.errors").isEmpty(), viewer.eval("window.lchatTest.errors")
              .toString());
          try {
            viewer.waitFor(decoding, WAIT);
          } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; " + viewer.eval("lchatStats()"), e);
          }
        }
        // Firefox's WHEP session ends with a DELETE of its resource URL, like any other.
        String location = foxWatch.eval("window.lchatTest.location").asText();
        HttpResponse<String> gone = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create(chromiumUrl(location))).DELETE().build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, gone.statusCode());
      }
    }
  }
}
