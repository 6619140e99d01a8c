package uk.co.lchat.node.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static uk.co.lchat.node.browser.MeetingPages.click;
import static uk.co.lchat.node.browser.MeetingPages.myId;
import static uk.co.lchat.node.browser.MeetingPages.q;
import static uk.co.lchat.node.browser.MeetingPages.tile;

import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;

/**
 * The web client's video quality, end to end in Chromium: Alice's 720p camera goes out in three simulcast layers
 * (180, 360 and 720 pixels high) and Bob, who has her on stage, measures what reaches him (getStats inbound-rtp:
 * bytes over a window, and the decoded frame's height). Bob's receive choice reaches the router as receiver
 * constraints and the router sends the layer that fits; Alice's send choice changes her encodings. p2p is off, so
 * two people meet through the router.
 */
class VideoQualityBrowserIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  /** How long each bit rate is measured over. */
  private static final int WINDOW_MS = 4000;
  private static LchatNode node;
  private static Chromium chromium;

  @BeforeAll
  static void start() throws Exception {
    assertTrue(Chromium.available(), "Debian's chromium must be installed (.ci/run installs it)");
    node = TestNodes.single(Map.of("lchat.room.features.p2p", false));
    chromium = Chromium.launch();
  }

  @AfterAll
  static void stop() throws Exception {
    if (chromium != null) {
      chromium.close();
    }
    if (node != null) {
      node.close();
    }
  }

  /**
   * What the page's receiving connection gets of video: bytes so far and the tallest decoded frame (none before the
   * router's first offer made the connection).
   */
  private static final String RECEIVED = "(pc => pc ? pc.getStats() : Promise.resolve(new Map()))(window.lchatMeeting"
      + "?.media?.subscriber).then(s => { let bytes = 0,"
      + " height = 0; s.forEach(r => { if (r.type === 'inbound-rtp' && r.kind === 'video') { bytes += r.bytesReceived"
      + " || 0; height = Math.max(height, r.frameHeight || 0); } }); return { bytes, height }; })";

  /**
   * Video received over {@link #WINDOW_MS}: kbit/s, bytes, and the decoded frames' height at the window's start and
   * end.
   */
  private record Received(long kbps, long bytes, int heightBefore, int height) {}

  private static Received measure(Chromium.Page page) throws Exception {
    JsonNode before = page.eval(RECEIVED);
    long start = System.nanoTime();
    Thread.sleep(WINDOW_MS);
    JsonNode after = page.eval(RECEIVED);
    double seconds = (System.nanoTime() - start) / 1e9;
    long bytes = after.get("bytes").asLong() - before.get("bytes").asLong();
    return new Received(Math.round(bytes * 8 / seconds / 1000), bytes, before.get("height").asInt(),
        after.get("height").asInt());
  }

  /** The publishing page of the test running, whose simulcast layers {@link #sent} shows. */
  private static Chromium.Page publisher;

  /** The publisher's simulcast layers: rid, frame height, bytes sent and what limits the quality. */
  private static String sent() throws Exception {
    return publisher == null ? "?" : publisher.eval("window.lchatMeeting.media.publisher.getStats().then(s => {"
        + " const o = []; s.forEach(r => { if (r.type === 'outbound-rtp' && r.kind === 'video') o.push(r.rid + ':'"
        + " + r.frameHeight + ':' + r.bytesSent + ':' + r.qualityLimitationReason); }); return o.join(' '); })")
        .asText();
  }

  /**
   * Measures window after window until one satisfies {@code steady} (a publisher's encoder ramps its layers up with
   * its bandwidth estimate, and a switch takes a keyframe): returns that window, or fails at the deadline with the
   * last one seen.
   */
  private static Received measureUntil(Chromium.Page page, Predicate<Received> steady, String what)
      throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      Received r = measure(page);
      if (steady.test(r)) {
        return r;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": last window " + r + ", asked the router for "
            + page.eval("JSON.stringify(window.lchatMeeting.quality.constraints())").asText() + "; the router's loss"
            + " downgrades " + node.mediaRouter().counters().lossDowngrades() + ", REMBs "
            + node.mediaRouter().counters().rembsReceived() + ", probe copies "
            + node.mediaRouter().counters().probePackets() + "; the publisher sends " + sent() + "; the router: "
            + node.mediaRouter().simulcast());
      }
    }
  }

  private static int height(Chromium.Page page) throws Exception {
    return page.eval(RECEIVED).get("height").asInt();
  }

  /** Chooses {@code level} for sending or receiving in the settings panel, as a user would. */
  private static void choose(Chromium.Page page, String direction, String level) throws Exception {
    if (page.eval(q("quality-" + direction) + " === null").asBoolean()) {
      click(page, "open-settings");
    }
    page.waitFor(q("quality-" + direction) + " !== null", WAIT);
    page.eval("(el => { el.value = '" + level + "'; el.dispatchEvent(new Event('change')); })("
        + q("quality-" + direction) + ")");
  }

  /** Waits until the frames decoded are at most (or, {@code atLeast}, at least) {@code pixels} high. */
  private static void awaitHeight(Chromium.Page page, int pixels, boolean atLeast, String what) throws Exception {
    try {
      page.waitFor(RECEIVED + ".then(r => r.height " + (atLeast ? ">=" : "<=") + " " + pixels + " && r.height > 0)",
          WAIT, RECEIVED + ".then(r => 'received ' + JSON.stringify(r) + ', asked the router for '"
              + " + JSON.stringify(window.lchatMeeting.quality.constraints()))");
    } catch (AssertionError e) {
      throw new AssertionError(what + ": " + e.getMessage() + "; the router's loss downgrades "
          + node.mediaRouter().counters().lossDowngrades() + "; the publisher sends " + sent() + "; the router: "
          + node.mediaRouter().simulcast(), e);
    }
  }

  /** Bob, in the meeting with Alice, puts her on stage and waits until her video plays there. */
  private static void watchOnStage(Chromium.Page bob, String aliceId) throws Exception {
    bob.waitFor(tile(aliceId, "camera") + " !== null", WAIT);
    bob.eval(tile(aliceId, "camera") + ".querySelector('[data-testid=\"pin\"]').click()");
    bob.waitFor(tile(aliceId, "camera") + ".dataset.onStage === 'true'", WAIT);
    bob.waitFor(RECEIVED + ".then(r => r.height > 0)", WAIT);
  }

  private static Chromium.Page joinFresh(String room, String name) throws Exception {
    Chromium.Page page = MeetingPages.open(chromium, node, room);
    page.eval("localStorage.removeItem('lchat.videoQuality')"); // each test starts from the default, HD
    MeetingPages.enter(page, name, WAIT);
    return page;
  }

  @Test
  void lowMakesTheReceivedBitrateAndHeightFallHdMakesThemRecoverAndAudioOnlyReceivesNoVideo() throws Exception {
    String room = "quality-receive-" + System.nanoTime();
    try (Chromium.Page alice = joinFresh(room, "Alice"); Chromium.Page bob = joinFresh(room, "Bob")) {
      publisher = alice;
      watchOnStage(bob, myId(alice));
      Received hd = measureUntil(bob, r -> r.heightBefore() >= 360 && r.height() >= 360,
          "HD on stage: more than the smallest layer, all through a window");

      choose(bob, "receive", "low");
      awaitHeight(bob, 180, false, "low: the 180p layer");
      Received low = measureUntil(bob, r -> r.heightBefore() <= 180 && r.height() <= 180 && r.height() > 0,
          "low: the 180p layer all through a window");
      assertTrue(low.kbps() * 2 < hd.kbps(), "low takes less than half of HD's bit rate: HD " + hd + ", low " + low);
      assertEquals("{\"send\":\"hd\",\"receive\":\"low\"}", bob.eval("localStorage.getItem('lchat.videoQuality')")
          .asText(), "the choice is kept");

      choose(bob, "receive", "hd");
      Received again = measureUntil(bob, r -> r.heightBefore() >= 360 && r.height() >= 360
          && r.kbps() > low.kbps() * 2, "HD recovers: the height and more than twice low's " + low);
      System.out.println("video quality: HD " + hd + ", low " + low + ", HD again " + again + "; probe copies "
          + node.mediaRouter().counters().probePackets());

      choose(bob, "receive", "audio");
      bob.waitFor(tile(myId(alice), "camera") + ".querySelector('video').classList.contains('hidden')", WAIT);
      Received none = measureUntil(bob, r -> r.bytes() == 0, "audio only: a whole window without video bytes");
      assertEquals(0, none.kbps());
      JsonNode errors = bob.eval("window.lchatTest?.errors || []");
      assertTrue(errors.isEmpty(), errors.toString());
    }
  }

  @Test
  void whatTheSenderChoosesChangesItsEncodingsAndAudioOnlySendsNoVideo() throws Exception {
    String room = "quality-send-" + System.nanoTime();
    try (Chromium.Page alice = joinFresh(room, "Alice"); Chromium.Page bob = joinFresh(room, "Bob")) {
      publisher = alice;
      String aliceId = myId(alice);
      watchOnStage(bob, aliceId);
      awaitHeight(bob, 360, true, "Alice sends HD");

      choose(alice, "send", "low");
      alice.waitFor("window.lchatMeeting.media.publisher.getSenders().find(s => s.track?.kind === 'video')"
          + ".getParameters().encodings.map(e => e.active).join() === 'true,false,false'", WAIT);
      awaitHeight(bob, 180, false, "Alice sends only her 180p layer");

      choose(alice, "send", "audio");
      bob.waitFor(tile(aliceId, "camera") + ".querySelector('[data-testid=\"muted-video\"]') !== null", WAIT);
      Received none = measureUntil(bob, r -> r.bytes() == 0,
          "Alice sends audio only: a whole window in which Bob gets no video bytes");
      assertEquals(0, none.kbps());

      choose(alice, "send", "hd");
      awaitHeight(bob, 360, true, "Alice sends HD again");

    }
  }

  @Test
  void theChoiceHoldsWhenThePageJoinsAgain() throws Exception {
    String room = "quality-kept-" + System.nanoTime();
    try (Chromium.Page alice = joinFresh(room, "Alice"); Chromium.Page bob = joinFresh(room, "Bob")) {
      publisher = alice;
      watchOnStage(bob, myId(alice));
      choose(bob, "receive", "low");
      awaitHeight(bob, 180, false, "low");
      bob.eval("setTimeout(() => location.reload(), 0)");
      bob.waitFor(q("prejoin") + " !== null", WAIT);
      MeetingPages.enter(bob, "Bob", WAIT);
      watchOnStage(bob, myId(alice));
      awaitHeight(bob, 180, false, "still low after joining again");
      click(bob, "open-settings");
      assertEquals("low", bob.eval(q("quality-receive") + ".value").asText());
      assertTrue(height(bob) <= 180, "still at most 180 px high: " + height(bob));
    }
  }

  /**
   * A receiver that joined on Low has only ever received the 180p layer, so its browser's bandwidth estimate
   * (which grows no faster than what arrives) cannot by itself make room for the larger layers: the router probes
   * with RTX copies until it can.
   */
  @Test
  void aReceiverThatJoinedOnLowGetsHdWhenItAsksForIt() throws Exception {
    String room = "quality-start-low-" + System.nanoTime();
    try (Chromium.Page alice = joinFresh(room, "Alice");
         Chromium.Page bob = MeetingPages.open(chromium, node, room)) {
      publisher = alice;
      bob.eval("localStorage.setItem('lchat.videoQuality', JSON.stringify({ send: 'hd', receive: 'low' }))");
      MeetingPages.enter(bob, "Bob", WAIT);
      watchOnStage(bob, myId(alice));
      Received low = measureUntil(bob, r -> r.heightBefore() <= 180 && r.height() <= 180 && r.height() > 0,
          "joined on low: the 180p layer all through a window");
      long probesBefore = node.mediaRouter().counters().probePackets();
      choose(bob, "receive", "hd");
      Received hd = measureUntil(bob, r -> r.heightBefore() >= 360 && r.height() >= 360
          && r.kbps() > low.kbps() * 2, "HD after joining on low: the height and more than twice low's " + low);
      System.out.println("video quality from low: low " + low + ", HD " + hd + "; probe copies "
          + (node.mediaRouter().counters().probePackets() - probesBefore) + "; the router: "
          + node.mediaRouter().simulcast());
    }
  }
}
