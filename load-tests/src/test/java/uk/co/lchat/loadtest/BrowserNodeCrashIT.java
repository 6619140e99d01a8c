package uk.co.lchat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static uk.co.lchat.node.browser.MeetingPages.myId;
import static uk.co.lchat.node.browser.MeetingPages.q;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import uk.co.lchat.autoscaler.LocalProcessProvider;
import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;
import uk.co.lchat.node.WsClient;
import uk.co.lchat.node.browser.Chromium;
import uk.co.lchat.node.browser.MeetingPages;

/**
 * kill -9 of the node two browsers meet through, with nothing in front of the nodes (the page's own URL is dead
 * for good): each page fails over by itself to another node its last hello named, comes back as the same
 * participant, and decodes the other's video again. Their media router was on the killed node too (placement
 * {@code local}), so their media has to move as well.
 */
class BrowserNodeCrashIT {
  private static final Map<String, Object> NODE = Map.of(
      "lchat.media.placement.strategy", "local",
      "lchat.rebalance.enabled", false);
  /** The target for being back in the meeting (signaling resumed on another node). */
  private static final double RESUMED_WITHIN_SECONDS = 10;
  /**
   * Decoding video again takes the media's move on top: the server learns that the router is gone (the cluster
   * calls a node unreachable after about 3 s), the client publishes afresh and the router offers the other's video
   * (measured 7.8-13.8 s on a loaded 2-core machine). Generous, for a loaded machine.
   */
  private static final double DECODING_WITHIN_SECONDS = 20;
  /** How long the test watches for video after the kill, beyond the bound, so a slow run still says how slow. */
  private static final int VIDEO_WAIT_SECONDS = 60;

  /** Total video frames the page has decoded, over all its receiving connections now open. */
  private static final String FRAMES = "window.lchatMeeting.mediaStats().then(s => s.inbound"
      + ".filter(r => r.kind === 'video').reduce((n, r) => n + (r.framesDecoded || 0), 0))";

  /** What the page's media connections and their repairs are doing, for a failure's message. */
  private static final String MEDIA_STATE = "(m => JSON.stringify({url: m.signaling.ws.url,"
      + " publisher: m.media.publisher?.connectionState, subscriber: m.media.subscriber?.connectionState,"
      + " publishRepair: m.media.publishRepair.history, subscribeRepair: m.media.subscribeRepair.history,"
      + " seen: window.lchatSeen}))(window.lchatMeeting)";

  /**
   * Records, in the page, each reconnecting try (its URL, and whether the header shows "Reconnecting…" then) and
   * when the participant is resumed (page clock: the same machine's as this JVM's).
   */
  private static final String WATCH = "(() => { const seen = window.lchatSeen = []; const s = window.lchatMeeting"
      + ".signaling; const status = " + q("connection-status") + ";"
      + " s.on('reconnecting', (m) => seen.push({what: 'reconnecting', url: m.url, text: status.textContent,"
      + " shown: !status.classList.contains('hidden')}));"
      + " s.on('resumed', (m) => seen.push({what: 'resumed', at: Date.now(), url: s.ws.url, id: m.participantId}));"
      + " for (const what of ['mediaMoved', 'publishAnswer', 'subscribeOffer']) s.on(what, () => seen.push({what,"
      + " at: Date.now()}));"
      + " return true; })()";

  private CrashCluster cluster;
  private Chromium chromium;
  private WsClient cat;

  @AfterEach
  void stop() throws Exception {
    if (chromium != null) {
      chromium.close();
    }
    if (cat != null) {
      cat.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void browsersOnAKilledNodeComeBackAsThemselvesThroughAnotherNodeAndDecodeVideoAgain() throws Exception {
    assertTrue(Chromium.available(), "Debian's chromium must be installed (bin/lchat installs it)");
    cluster = CrashCluster.start(NODE, 2, "browser-node-crash");
    LchatNode first = cluster.first;
    LocalProcessProvider.NodeProcess doomed = cluster.process(0);
    // A page learns where else to go from its connection's hello: the doomed node must know both others by then.
    Talkers.await("the doomed node's hello names the two other nodes", 30,
        () -> helloNodes(doomed.httpPort()).size() == 2);

    // Cat, on this JVM's node, opens the meeting; its room actor lives on a surviving node (a room whose own node
    // is killed comes back after about 20 s: RoomNodeCrashIT).
    String room = null;
    for (int k = 0; k < 30 && room == null; k++) {
      WsClient c = new WsClient(first.httpPort());
      c.join("browser-crash-" + k, "Cat");
      if (cluster.regionPortOf("browser-crash-" + k) != doomed.remotePort()) {
        room = "browser-crash-" + k;
        cat = c;
      } else {
        c.close();
      }
    }
    assertTrue(room != null, "every room tried landed on the node to be killed");

    chromium = Chromium.launch();
    Chromium.Page alice = MeetingPages.join(chromium, doomed.httpPort(), room, "Alice");
    Chromium.Page bob = MeetingPages.join(chromium, doomed.httpPort(), room, "Bob");
    Map<String, Chromium.Page> pages = new LinkedHashMap<>();
    pages.put("Alice", alice);
    pages.put("Bob", bob);
    Map<String, String> ids = new LinkedHashMap<>();
    for (var p : pages.entrySet()) {
      ids.put(p.getKey(), myId(p.getValue()));
    }
    // Three in the room: both pages send through the doomed node's router and decode each other.
    Map<String, Double> before = awaitDecoding(pages, System.nanoTime(), 60);
    assertEquals(pages.keySet(), before.keySet(), "both pages decode each other before the kill");
    for (Chromium.Page page : pages.values()) {
      page.eval(WATCH);
    }

    long killedAtMillis = System.currentTimeMillis();
    long killed = System.nanoTime();
    CrashCluster.kill(doomed); // no drain, no reconnect message, its URL dead for good

    // Each page is back in the meeting through another node, as the same participant, by itself.
    String elsewhere = "window.lchatSeen.some(e => e.what === 'resumed')"
        + " && window.lchatMeeting.signaling.ws.readyState === 1"
        + " && !window.lchatMeeting.signaling.ws.url.includes(':" + doomed.httpPort() + "/')";
    Map<String, Double> resumed = new LinkedHashMap<>();
    for (var p : pages.entrySet()) {
      Chromium.Page page = p.getValue();
      try {
        page.waitFor(elsewhere, Duration.ofSeconds(60));
      } catch (AssertionError e) {
        throw new AssertionError(p.getKey() + " did not resume elsewhere: " + page.eval(MEDIA_STATE), e);
      }
      JsonNode seen = page.eval("window.lchatSeen");
      JsonNode resume = null;
      for (JsonNode e : seen) {
        if (e.path("what").asText().equals("reconnecting")) {
          assertTrue(e.path("shown").asBoolean() && e.path("text").asText().equals("Reconnecting…"),
              p.getKey() + " shows 'Reconnecting…' while it tries: " + seen);
        } else if (resume == null && e.path("what").asText().equals("resumed")) {
          resume = e;
        }
      }
      assertEquals(ids.get(p.getKey()), resume.path("id").asText(), p.getKey() + " resumed as itself: " + seen);
      assertEquals(ids.get(p.getKey()), page.eval("window.lchatMeeting.signaling.participantId").asText());
      resumed.put(p.getKey(), (resume.path("at").asLong() - killedAtMillis) / 1000.0);
      // And the page is in its normal state again.
      page.waitFor("document.body.dataset.connection === 'connected' && " + q("connection-status")
          + ".classList.contains('hidden') && " + q("meeting") + " !== null", MeetingPages.WAIT);
      assertEquals("3 in the meeting", page.eval(q("participant-count") + ".textContent").asText());
    }

    // Video again: each page decodes the other's frames (media moved off the dead router, republished).
    Map<String, Double> decoding = awaitDecoding(pages, killed, VIDEO_WAIT_SECONDS);
    Map<String, String> mediaStates = new LinkedHashMap<>();
    for (var p : pages.entrySet()) {
      String who = p.getKey();
      mediaStates.put(who, p.getValue().eval(MEDIA_STATE).asText());
      System.out.printf("browser node kill -9: %s resumed on another node after %.1f s, decoding video again after"
          + " %s (media steps: %s)%n", who, resumed.get(who), decoding.containsKey(who)
          ? String.format("%.1f s", decoding.get(who)) : "no video within " + VIDEO_WAIT_SECONDS + " s",
          mediaSteps(p.getValue(), killedAtMillis));
    }

    // Cat, on a surviving node, still has both of them, with their ids, once the cluster has dropped the dead node
    // (its sessions' deaths must not take the resumed participants out).
    Talkers.await("the cluster removes the killed node", 60, () -> TestNodes.upMembers(first) == 2);
    cat.send("{\"type\":\"mute\",\"audio\":true,\"video\":true}");
    String catId = cat.participantId;
    JsonNode roster = cat.next("roster", m -> {
      for (JsonNode p : m.path("participants")) {
        if (p.path("id").asText().equals(catId)) {
          return p.path("audioMuted").asBoolean();
        }
      }
      return false;
    });
    Set<String> inRoster = new HashSet<>();
    roster.path("participants").forEach(p -> inRoster.add(p.path("id").asText()));
    assertTrue(inRoster.containsAll(ids.values()) && inRoster.size() == 3,
        "the survivor's roster has Alice and Bob as they were: " + roster);

    for (String who : pages.keySet()) {
      assertTrue(resumed.get(who) <= RESUMED_WITHIN_SECONDS,
          who + " took " + resumed.get(who) + " s to be back in the meeting");
    }
    for (String who : pages.keySet()) {
      assertTrue(decoding.containsKey(who), who + " decodes no video " + VIDEO_WAIT_SECONDS + " s after the kill; "
          + mediaStates.get(who));
      assertTrue(decoding.get(who) <= DECODING_WITHIN_SECONDS,
          who + " took " + decoding.get(who) + " s to decode video again");
    }
  }

  /**
   * Watches the pages together until each decodes video: its frame count grows by at least 5 between two looks
   * half a second apart (a new receiving connection counts from 0, so a smaller count starts over). Returns, for
   * each page that did within {@code seconds}, the seconds from {@code since} (System.nanoTime()) to then.
   */
  private static Map<String, Double> awaitDecoding(Map<String, Chromium.Page> pages, long since, int seconds)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    Map<String, Long> before = new LinkedHashMap<>();
    for (var p : pages.entrySet()) {
      before.put(p.getKey(), p.getValue().eval(FRAMES).asLong());
    }
    Map<String, Double> decoding = new LinkedHashMap<>();
    while (decoding.size() < pages.size() && System.nanoTime() < deadline) {
      Thread.sleep(500);
      for (var p : pages.entrySet()) {
        if (decoding.containsKey(p.getKey())) {
          continue;
        }
        long now = p.getValue().eval(FRAMES).asLong();
        if (now - before.get(p.getKey()) >= 5) {
          decoding.put(p.getKey(), (System.nanoTime() - since) / 1e9);
        }
        before.put(p.getKey(), now);
      }
    }
    return decoding;
  }

  /** When (seconds after the kill) the page's media repairs stepped in and the server moved its media. */
  private static String mediaSteps(Chromium.Page page, long killedAtMillis) throws Exception {
    List<String> steps = new ArrayList<>();
    JsonNode m = page.eval("(m => ({publish: m.media.publishRepair.history, subscribe: m.media.subscribeRepair"
        + ".history, seen: window.lchatSeen}))(window.lchatMeeting)");
    for (String connection : List.of("publish", "subscribe")) {
      m.path(connection).forEach(s -> steps.add(String.format("%s %s %.1f s", connection, s.path("step").asText(),
          (s.path("at").asLong() - killedAtMillis) / 1000.0)));
    }
    m.path("seen").forEach(s -> {
      if (s.has("at") && !s.path("what").asText().equals("resumed")) {
        steps.add(String.format("%s %.1f s", s.path("what").asText(), (s.path("at").asLong() - killedAtMillis) / 1000.0));
      }
    });
    return String.join(", ", steps);
  }

  /** The other nodes' signaling URLs in the hello of a new connection to the node on {@code port}. */
  private static List<String> helloNodes(int port) {
    try (WsClient probe = new WsClient(port)) {
      List<String> urls = new ArrayList<>();
      probe.hello.path("nodes").forEach(u -> urls.add(u.asText()));
      return urls;
    } catch (Exception e) {
      return List.of();
    }
  }
}
