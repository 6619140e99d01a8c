package uk.co.lchat.node.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static uk.co.lchat.node.browser.MeetingPages.click;
import static uk.co.lchat.node.browser.MeetingPages.myId;
import static uk.co.lchat.node.browser.MeetingPages.q;
import static uk.co.lchat.node.browser.MeetingPages.tile;
import static uk.co.lchat.node.browser.MeetingPages.type;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.fasterxml.jackson.databind.JsonNode;

import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;

/**
 * The web meeting client's core cases, each run with one page in each browser engine we drive: that page meets
 * Chromium pages, first peer to peer and then through the bridge. Firefox runs as in {@link FirefoxCallIT} (in a
 * {@link NetworkNamespace}, pages through a {@link PortForward}), and on a {@link VirtualDisplay} rather than
 * headless, so that it has a screen to share. Without root there is no namespace: the node stays on loopback and the
 * Firefox cases are skipped, saying so, while the Chromium ones run.
 */
class BrowserEnginesIT {
  private static final Duration WAIT = Duration.ofSeconds(90);

  /** A browser engine the page under test runs in. */
  enum Engine {
    CHROMIUM("Chromium"), FIREFOX("Firefox");

    private final String label;

    Engine(String label) {
      this.label = label;
    }

    @Override
    public String toString() {
      return label;
    }
  }

  private static NetworkNamespace ns;
  private static LchatNode node;
  private static PortForward http;
  private static VirtualDisplay display;
  private static Firefox firefox;
  private static Chromium chromium;

  @BeforeAll
  static void start() throws Exception {
    assertTrue(Chromium.available(), "Debian's chromium must be installed (bin/lchat test installs it)");
    if (NetworkNamespace.permitted()) {
      assertTrue(Firefox.available(), "Debian's firefox-esr must be installed (bin/lchat test installs it)");
      assertTrue(VirtualDisplay.available(), "Debian's xvfb must be installed (bin/lchat test installs it)");
      ns = NetworkNamespace.create();
      node = TestNodes.single(Map.of("lchat.media.bind-host", ns.hostAddress(),
          "lchat.media.advertised-addresses", List.of(ns.hostAddress())));
      http = PortForward.toAddress(new InetSocketAddress(ns.hostAddress(), 0),
          new InetSocketAddress("127.0.0.1", node.httpPort()));
      display = VirtualDisplay.start();
      firefox = Firefox.launch(ns, List.of(ns.hostAddress()), display);
    } else {
      node = TestNodes.single();
    }
    chromium = Chromium.launch();
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {firefox, display, chromium, http, node, ns}) {
      if (c != null) {
        c.close();
      }
    }
  }

  /**
   * A page of {@code engine} in the meeting {@code room} as {@code name}, having pressed Join on its pre-join page.
   * From then on the page records what went wrong for a failure's message (see {@link #PROBLEMS}): the server's
   * errors, the client's warnings and its toasts, which vanish after a few seconds.
   */
  private static BrowserPage join(Engine engine, String room, String name) throws Exception {
    BrowserPage page;
    if (engine == Engine.CHROMIUM) {
      page = MeetingPages.join(chromium, "http://127.0.0.1:" + node.httpPort(), room, name, WAIT);
    } else {
      assumeTrue(firefox != null, "Firefox cases skipped: Firefox runs in a network namespace (ip netns), which "
          + "needs root");
      page = firefox.open("http://" + ns.hostAddress() + ":" + http.port() + "/"
          + room);
      try {
        MeetingPages.enter(page, name, WAIT);
      } catch (Exception | AssertionError e) {
        page.close();
        throw e;
      }
    }
    page.eval("(() => { const seen = window.lchatProblems = []; let shown = null;"
        + " window.lchatMeeting.signaling.on('error', (m) => seen.push('error ' + m.code + ': ' + m.message));"
        + " const warn = console.warn.bind(console);"
        + " console.warn = (...a) => { seen.push('warning ' + a.map(String).join(' ')); warn(...a); };"
        + " new MutationObserver(() => { const t = document.querySelector('[data-testid=\"toast\"]');"
        + "   if (t && t.textContent !== shown) { shown = t.textContent; seen.push('toast ' + shown); } })"
        + "   .observe(document.body, { subtree: true, childList: true, characterData: true }); return true; })()");
    return page;
  }

  /** What a page recorded as going wrong since it joined. */
  private static final String PROBLEMS = "window.lchatProblems";

  private static String room(String what, Engine engine) {
    return "engines-" + what + "-" + engine.name().toLowerCase();
  }

  private static void decodesAndHears(BrowserPage page, String who, int others) throws Exception {
    page.waitFor(MeetingPages.MEDIA + ".then(m => m.videos >= " + others + " && m.audios >= " + others + ")", WAIT,
        "(async m => ({mode: m.mode, media: await " + MeetingPages.MEDIA + "}))(window.lchatMeeting)");
  }

  private static void onTheBridge(BrowserPage... pages) throws Exception {
    for (BrowserPage p : pages) {
      p.waitFor("window.lchatMeeting.mode === 'bridge' && window.lchatMeeting.p2p === null", WAIT,
          "window.lchatMeeting.mode");
    }
  }

  /**
   * Frames decoded so far of the video on {@code participantId}'s screen tile: the inbound RTP stream of that
   * tile's track, on whichever connection (peer to peer or the bridge's) receives it; 0 while there is no such tile.
   */
  private static String screenFrames(String participantId) {
    return "(async m => { const t = m.tiles.tiles.get('" + participantId + ":screen'); if (!t || !t.track) return 0;"
        + " let frames = 0;"
        + " for (const pc of [m.media.subscriber, m.p2p && m.p2p.pc]) {"
        + "   const r = pc && pc.getReceivers().find(r => r.track === t.track); if (!r) continue;"
        + "   (await r.getStats()).forEach(s => { if (s.type === 'inbound-rtp') frames += s.framesDecoded || 0; }); }"
        + " return frames; })(window.lchatMeeting)";
  }

  /** What a page receives of {@code participantId}'s videos, and on which connection, for a failure's message. */
  private static String videosOf(String participantId) {
    return "(async m => ({mode: m.mode, screenFrames: await " + screenFrames(participantId) + ","
        + " videos: [...(m.remoteVideo.get('" + participantId + "') || new Map()).values()]"
        + "   .map(v => v.via + ' mid ' + v.mid + ' ' + v.track.readyState + (v.track.muted ? ' muted' : '')),"
        + " subscriber: m.media.subscriber && m.media.subscriber.getTransceivers()"
        + "   .map(t => t.mid + ' ' + t.receiver.track.kind + ' ' + t.currentDirection),"
        + " publisher: m.media.publisher && m.media.publisher.getTransceivers()"
        + "   .map(t => t.mid + ' ' + (t.sender.track ? t.sender.track.kind : '-') + ' ' + t.currentDirection),"
        + " publisherState: m.media.publisher && [m.media.publisher.connectionState,"
        + "   m.media.publisher.signalingState],"
        + " publishRepair: m.media.publishRepair.history, sharing: !!m.screen, problems: " + PROBLEMS + "}))"
        + "(window.lchatMeeting)";
  }

  /** Waits until {@code viewer}'s tile of {@code sharer}'s screen decodes 20 frames more than it has now. */
  private static void decodesScreenOf(BrowserPage viewer, String who, BrowserPage sharerPage) throws Exception {
    String sharer = myId(sharerPage);
    try {
      viewer.waitFor(tile(sharer, "screen") + " !== null", WAIT, videosOf(sharer));
      int now = viewer.eval(screenFrames(sharer)).asInt();
      viewer.waitFor(screenFrames(sharer) + ".then(f => f > " + (now + 20) + ")", WAIT, videosOf(sharer));
    } catch (AssertionError e) {
      throw new AssertionError(who + ": " + e.getMessage() + "; the sharer had " + sharerPage.eval(videosOf(sharer)),
          e);
    }
  }

  /** Presses Share screen and waits until the page shares (the button is pressed only once a screen was chosen). */
  private static void sharesScreen(BrowserPage page) throws Exception {
    click(page, "toggle-screen");
    page.waitFor(q("toggle-screen") + ".getAttribute('aria-pressed') === 'true'", WAIT,
        "navigator.mediaDevices.getDisplayMedia({video: true}).then(s => 'a second try got ' + s.getTracks().length"
        + " + ' tracks', e => 'getDisplayMedia failed: ' + e.name + ': ' + e.message)");
  }

  /** Frames decoded so far per remote video track (track id to frames): the media a page receives right now. */
  private static final String FRAMES_PER_TRACK = "window.lchatMeeting.mediaStats().then(s => Object.fromEntries("
      + "s.inbound.filter(r => r.kind === 'video').map(r => [r.trackIdentifier, r.framesDecoded || 0])))";

  /** The page's remote videos as its statistics see them, and what went wrong, for a failure's message. */
  private static final String INBOUND_VIDEO = "window.lchatMeeting.mediaStats().then(s => ({video: s.inbound"
      + ".filter(r => r.kind === 'video').map(r => [r.trackIdentifier, r.ssrc, r.packetsReceived, r.framesDecoded,"
      + " r.keyFramesDecoded, r.framesDropped, r.pliCount, r.nackCount, r.frameWidth].join(' ')),"
      + " problems: " + PROBLEMS + ", seen: window.lchatSeen || null,"
      + " publisher: window.lchatMeeting.media.publisher?.connectionState,"
      + " subscriber: window.lchatMeeting.media.subscriber?.connectionState,"
      + " publishRepair: window.lchatMeeting.media.publishRepair.history,"
      + " subscribeRepair: window.lchatMeeting.media.subscribeRepair.history}))";

  /** Waits until each of the page's {@code others} remote videos has decoded 20 frames more than it has now. */
  private static void keepsDecoding(BrowserPage page, String who, int others) throws Exception {
    JsonNode before = page.eval(FRAMES_PER_TRACK);
    assertTrue(before.size() >= others, who + " receives " + others + " videos: " + before);
    JsonNode inboundBefore = page.eval(INBOUND_VIDEO);
    try {
      page.waitFor("((b) => " + FRAMES_PER_TRACK + ".then(now => Object.keys(b).every(id => now[id] > b[id] + 20)))"
          + "(" + before + ")", WAIT, INBOUND_VIDEO);
    } catch (AssertionError e) {
      throw new AssertionError(who + " (before: " + inboundBefore + "): " + e.getMessage(), e);
    }
  }

  @ParameterizedTest(name = "a {0} page")
  @EnumSource(Engine.class)
  void twoPeopleTalkDirectlyAndMoveToTheBridgeWhenAThirdJoins(Engine engine) throws Exception {
    String room = room("p2p", engine);
    try (BrowserPage eve = join(engine, room, "Eve");
         BrowserPage ann = join(Engine.CHROMIUM, room, "Ann")) {
      decodesAndHears(eve, "Eve", 1);
      decodesAndHears(ann, "Ann", 1);
      String eveId = myId(eve);
      String annId = myId(ann);
      assertEquals("p2p", eve.eval("window.lchatMeeting.mode").asText());
      assertEquals("p2p", ann.eval("window.lchatMeeting.mode").asText());
      // Their media goes directly between them: the router has no transports for either.
      for (String id : List.of(eveId, annId)) {
        assertFalse(node.mediaRouter().hasEndpoint(id + "/pub") || node.mediaRouter().hasEndpoint(id + "/sub"),
            "no media through the node for " + id);
      }
      try (BrowserPage bea = join(Engine.CHROMIUM, room, "Bea")) {
        // A third moves everyone to the bridge: each publishes to and receives from the router.
        onTheBridge(eve, ann, bea);
        decodesAndHears(eve, "Eve", 2);
        decodesAndHears(ann, "Ann", 2);
        decodesAndHears(bea, "Bea", 2);
        assertEquals("3 in the meeting", eve.eval(q("participant-count") + ".textContent").asText());
        assertTrue(node.mediaRouter().hasEndpoint(eveId + "/pub") && node.mediaRouter().hasEndpoint(eveId + "/sub"),
            "Eve's media goes through the router");
      }
    }
  }

  /**
   * A screen share is one more video from the sharer: directly to the one other person, then (moved there when a
   * third joins) through the bridge to both; it goes on stage. Then a Chromium page shares, and the page under test
   * decodes that screen.
   */
  @ParameterizedTest(name = "a {0} page")
  @EnumSource(Engine.class)
  void aScreenShareReachesTheOthersDirectlyAndThroughTheBridgeAndGoesOnStage(Engine engine) throws Exception {
    String room = room("screen", engine);
    try (BrowserPage eve = join(engine, room, "Eve");
         BrowserPage ann = join(Engine.CHROMIUM, room, "Ann")) {
      decodesAndHears(ann, "Ann", 1);
      String eveId = myId(eve);
      sharesScreen(eve);
      decodesScreenOf(ann, "Ann, peer to peer", eve);
      try (BrowserPage bea = join(Engine.CHROMIUM, room, "Bea")) {
        onTheBridge(eve, ann, bea);
        decodesScreenOf(bea, "Bea, through the bridge", eve);
        decodesScreenOf(ann, "Ann, through the bridge", eve);
        click(bea, "toggle-layout");
        bea.waitFor(tile(eveId, "screen") + ".dataset.onStage === 'true'", WAIT);
        click(eve, "toggle-screen");
        ann.waitFor(tile(eveId, "screen") + " === null", WAIT);
        bea.waitFor(tile(eveId, "screen") + " === null", WAIT);
        // The other way: a Chromium page's screen through the bridge to the page under test.
        sharesScreen(ann);
        decodesScreenOf(eve, "Eve, through the bridge", ann);
        assertTrue(eve.eval(tile(myId(ann), "camera") + " !== null").asBoolean(), "Ann's camera keeps its own tile");
        click(ann, "toggle-screen");
        eve.waitFor(tile(myId(ann), "screen") + " === null", WAIT, videosOf(myId(ann)));
      }
    }
  }

  /**
   * The signaling socket drops under the page (as when a network changes; no leave is sent): the client opens a new
   * one by itself and resumes the same participant. Nobody else sees it leave, its media through the bridge carries
   * on both ways, and chat flows again.
   */
  @ParameterizedTest(name = "a {0} page")
  @EnumSource(Engine.class)
  void aDroppedConnectionReconnectsByItselfAndResumesTheSameParticipantWhoseMediaFlows(Engine engine)
      throws Exception {
    String room = room("reconnect", engine);
    try (BrowserPage eve = join(engine, room, "Eve");
         BrowserPage ann = join(Engine.CHROMIUM, room, "Ann");
         BrowserPage bea = join(Engine.CHROMIUM, room, "Bea")) {
      onTheBridge(eve, ann, bea);
      decodesAndHears(eve, "Eve", 2);
      decodesAndHears(ann, "Ann", 2);
      String eveId = myId(eve);
      // What the client went through, recorded in the page: a poll could miss the short "reconnecting" state.
      eve.eval("(s => { const seen = window.lchatSeen = [];"
          + " for (const what of ['reconnecting', 'resumed', 'joined', 'closed', 'subscribeOffer', 'mediaMoved'])"
          + "   s.on(what, (m) => seen.push({what, id: m.participantId || null, at: Math.round(performance.now())}));"
          + " return true; })(window.lchatMeeting.signaling)");
      eve.eval("window.lchatMeeting.signaling.ws.close(), true");
      eve.waitFor("window.lchatSeen.some(e => e.what === 'resumed')"
          + " && document.body.dataset.connection === 'connected'", WAIT, "window.lchatSeen");
      JsonNode seen = eve.eval("window.lchatSeen");
      assertEquals("reconnecting", seen.get(0).path("what").asText(), "first reconnecting, then resumed: " + seen);
      assertFalse(seen.toString().contains("\"joined\""), "not joined anew: " + seen);
      assertEquals(eveId, eve.eval("window.lchatMeeting.signaling.participantId").asText(),
          "the same participant, not a new join: " + seen);
      assertEquals("3 in the meeting", ann.eval(q("participant-count") + ".textContent").asText());
      keepsDecoding(eve, "Eve", 2);
      keepsDecoding(ann, "Ann", 2);
      click(eve, "open-chat");
      type(eve, "chat-input", "back again");
      click(eve, "chat-send");
      click(ann, "open-chat");
      ann.waitFor("[...document.querySelectorAll('[data-testid=\"chat-message\"]')]"
          + ".some(m => m.textContent.includes('back again'))", WAIT);
    }
  }
}
