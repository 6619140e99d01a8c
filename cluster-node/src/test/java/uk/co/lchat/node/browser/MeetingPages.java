package uk.co.lchat.node.browser;

import java.time.Duration;

import uk.co.lchat.node.LchatNode;

/**
 * Pages of the web meeting client, driven through data-testid attributes as a user would through the controls:
 * open a meeting's pre-join page, type a name, press Join. Public for the load tests' browser tests against node
 * processes.
 */
public final class MeetingPages {
  public static final Duration WAIT = Duration.ofSeconds(45);

  private MeetingPages() {}

  /** The element with this data-testid, as a JavaScript expression. */
  public static String q(String testid) {
    return "document.querySelector('[data-testid=\"" + testid + "\"]')";
  }

  public static void click(BrowserPage page, String testid) throws Exception {
    page.waitFor(q(testid) + " !== null", WAIT);
    page.eval(q(testid) + ".click()");
  }

  public static void type(BrowserPage page, String testid, String text) throws Exception {
    page.waitFor(q(testid) + " !== null", WAIT);
    page.eval("(el => { el.value = " + js(text) + "; el.dispatchEvent(new Event('input')); })(" + q(testid) + ")");
  }

  /** The participant id {@code page} joined as. */
  public static String myId(BrowserPage page) throws Exception {
    return page.eval("window.lchatMeeting.myId").asText();
  }

  /** A participant's tile of this kind (camera or screen), as a JavaScript expression. */
  public static String tile(String participantId, String kind) {
    return "document.querySelector('[data-testid=\"tile\"][data-participant=\"" + participantId
        + "\"][data-kind=\"" + kind + "\"]')";
  }

  /** A JavaScript string literal. */
  public static String js(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /** A new tab on the pre-join page of {@code room}, 1280x720. */
  public static Chromium.Page open(Chromium chromium, LchatNode node, String room) throws Exception {
    return open(chromium, node.httpPort(), room);
  }

  /** ... served by the node on {@code httpPort} (a node process, say). */
  public static Chromium.Page open(Chromium chromium, int httpPort, String room) throws Exception {
    return open(chromium, "http://127.0.0.1:" + httpPort, room, WAIT);
  }

  /** ... at {@code base} (scheme, host and port: a node in a network namespace, say), waiting up to {@code wait}. */
  public static Chromium.Page open(Chromium chromium, String base, String room, Duration wait) throws Exception {
    Chromium.Page page = chromium.open(base + "/" + room);
    page.viewport(1280, 720);
    page.waitFor(q("prejoin") + " !== null", wait);
    return page;
  }

  /** Opens the meeting's page, fills in the name and presses Join; returns once in the meeting. */
  public static Chromium.Page join(Chromium chromium, LchatNode node, String room, String name) throws Exception {
    return join(chromium, node.httpPort(), room, name);
  }

  /** ... on the node serving {@code httpPort}. */
  public static Chromium.Page join(Chromium chromium, int httpPort, String room, String name) throws Exception {
    return join(chromium, "http://127.0.0.1:" + httpPort, room, name, WAIT);
  }

  /** ... at {@code base}, waiting up to {@code wait}. */
  public static Chromium.Page join(Chromium chromium, String base, String room, String name, Duration wait)
      throws Exception {
    Chromium.Page page = open(chromium, base, room, wait);
    enter(page, name, wait);
    return page;
  }

  /** On a page that shows the pre-join form: fills in the name and presses Join; returns once in the meeting. */
  public static void enter(BrowserPage page, String name) throws Exception {
    enter(page, name, WAIT);
  }

  /** ... waiting up to {@code wait}. */
  public static void enter(BrowserPage page, String name, Duration wait) throws Exception {
    page.waitFor(q("prejoin") + " !== null", wait);
    type(page, "display-name", name);
    click(page, "join");
    page.waitFor(q("meeting") + " !== null", wait);
  }

  /** What a page decodes: remote video tracks with frames decoded, remote audio tracks with energy. */
  public static final String MEDIA = "window.lchatMeeting.mediaStats().then(s => ({"
      + "videos: s.inbound.filter(r => r.kind === 'video' && r.framesDecoded > 20).length,"
      + "audios: s.inbound.filter(r => r.kind === 'audio' && r.totalAudioEnergy > 0).length}))";

  /**
   * The candidate pair an RTCPeerConnection (a JavaScript expression) sends on: its transport's selected pair
   * (W3C webrtc-stats §7.1), with the local and remote candidates' types and addresses; null before there is one.
   */
  public static String selectedPair(String peerConnection) {
    return "(async pc => { if (!pc) return null; const s = await pc.getStats(); let pair = null;"
        + " s.forEach(r => { if (r.type === 'transport' && r.selectedCandidatePairId) pair = s.get(r.selectedCandidatePairId); });"
        + " if (!pair) return null; const l = s.get(pair.localCandidateId), rm = s.get(pair.remoteCandidateId);"
        + " return { state: pair.state, local: l.candidateType, localAddress: l.address, localProtocol: l.protocol,"
        + " relayProtocol: l.relayProtocol || null, remote: rm.candidateType, remoteAddress: rm.address,"
        + " remotePort: rm.port }; })(" + peerConnection + ")";
  }
}
