package uk.co.lchat.node.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;


import uk.co.lchat.media.router.MediaRouter;
import uk.co.lchat.node.TestNodes;
import uk.co.lchat.node.WsClient;

/**
 * One room whose participants sit on different nodes of a three-node cluster: media crosses between the nodes'
 * routers over relay links, each stream once per link however many receivers it has on the far node.
 */
class CrossNodeMediaIT extends ClusterBrowserTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @BeforeAll
  static void start() throws Exception {
    startCluster(3);
  }

  private static int hostOf(String roomId) throws Exception {
    return TestNodes.hostOf(nodes, roomId);
  }

  /** A room name whose shard lives on node {@code host}: probed with a signaling-only client that then leaves. */
  private static String roomHostedOn(int host, String prefix) throws Exception {
    try (WsClient probe = new WsClient(nodes.get((host + 1) % 3).httpPort())) {
      for (int attempt = 0; attempt < 60; attempt++) {
        String candidate = prefix + "-" + attempt;
        probe.join(candidate, "Probe");
        int at = hostOf(candidate);
        probe.send("{\"type\":\"leave\"}");
        Thread.sleep(100);
        if (at == host) {
          return candidate;
        }
      }
    }
    return null;
  }

  private static void decodes(Chromium.Page page, int videos, String who) throws Exception {
    String expr = "lchatStats().then(s => s.videosDecoding >= " + videos + " && s.audioPackets > 100)";
    try {
      page.waitFor(expr, WAIT);
    } catch (AssertionError e) {
      throw new AssertionError(who + ": " + e.getMessage() + "; " + page.eval("lchatStats()") + relaySummary(), e);
    }
  }

  private static String relaySummary() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < nodes.size(); i++) {
      sb.append(" node").append(i).append(' ').append(nodes.get(i).mediaRouter().relays());
    }
    return sb.toString();
  }

  private static int streamsIn(MediaRouter router) {
    return router.relays().stream().mapToInt(MediaRouter.RelayStatus::streamsIn).sum();
  }

  @Test
  void publishersOnTwoNodesReachReceiversOnAThirdWithEachStreamCrossingEachLinkOnce() throws Exception {
    String room = "span-" + System.nanoTime();
    try (Chromium.Page alice = joinCall(nodes.get(1), room, "Alice", false);
         Chromium.Page bob = joinCall(nodes.get(2), room, "Bob", false);
         Chromium.Page cat = joinCall(nodes.get(0), room, "Cat", true);
         Chromium.Page dan = joinCall(nodes.get(0), room, "Dan", true)) {
      decodes(cat, 2, "Cat");
      decodes(dan, 2, "Dan");
      decodes(alice, 1, "Alice");
      decodes(bob, 1, "Bob");
      MediaRouter receivers = nodes.get(0).mediaRouter();
      MediaRouter aliceNode = nodes.get(1).mediaRouter();
      // The first two started peer to peer and moved to the bridge when Cat joined: streams of the tracks they
      // published before are released a moment after the new ones flow, so the counts are awaited, not read once.
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!(receivers.relays().size() == 2 && streamsIn(receivers) == 4
          && aliceNode.relays().stream().mapToInt(MediaRouter.RelayStatus::streamsOut).sum() == 4)
          && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      // Node 0 holds two receivers of four tracks (audio and video of Alice and Bob), yet each track crosses once.
      assertEquals(2, receivers.relays().size(), relaySummary());
      assertEquals(4, streamsIn(receivers), "each stream once per link, not once per receiver:" + relaySummary());
      // Alice's two tracks leave node 1 once towards node 0 and once towards Bob's node 2.
      assertEquals(4, aliceNode.relays().stream().mapToInt(MediaRouter.RelayStatus::streamsOut).sum(),
          relaySummary());
      for (MediaRouter.RelayStatus link : receivers.relays()) {
        assertTrue(link.packetsIn() > 100, "media flowed over " + link);
      }
      assertTrue(TestNodes.getJson(nodes.get(0).httpPort(), "/stats").get("relays").asInt() >= 2);
    }
  }

  @Test
  void aRoomHostedOnOneNodeCarriesMediaBetweenTwoOthers() throws Exception {
    String room = roomHostedOn(0, "hosted");
    assertNotNull(room, "no room landed on node 0");
    try (Chromium.Page alice = joinCall(nodes.get(1), room, "Alice", false);
         Chromium.Page bob = joinCall(nodes.get(2), room, "Bob", false)) {
      assertEquals(0, hostOf(room), "the room lives on node 0");
      decodes(alice, 1, "Alice");
      decodes(bob, 1, "Bob");
      assertEquals(0, nodes.get(0).mediaRouter().endpointCount() - nodes.get(0).mediaRouter().relayCount(),
          "no media endpoints on the room's node");
    }
  }

  @Test
  void aWhepViewerOnOneNodeWatchesAWhipPublisherOnAnother() throws Exception {
    String room = "whep-span-" + System.nanoTime();
    String base1 = "http://127.0.0.1:" + nodes.get(1).httpPort();
    String base2 = "http://127.0.0.1:" + nodes.get(2).httpPort();
    try (Chromium.Page publisher = chromium.open(base1 + "/e2e/whip.html?room=" + room)) {
      publisher.waitFor("window.lchatTest && (window.lchatTest.published || window.lchatTest.errors.length > 0)",
          WAIT);
      assertTrue(publisher.eval("window.lchatTest.errors").isEmpty(), publisher.eval("window.lchatTest.errors")
          .toString());
      String pid = publisher.eval("window.lchatTest.participantId").asText();
      try (Chromium.Page viewer = chromium.open(base2 + "/e2e/whep.html?room=" + room + "&participant=" + pid)) {
        viewer.waitFor("window.lchatTest && (window.lchatTest.watching || window.lchatTest.errors.length > 0)",
            WAIT);
        assertTrue(viewer.eval("window.lchatTest.errors").isEmpty(), viewer.eval("window.lchatTest.errors")
            .toString());
        try {
          viewer.waitFor("lchatStats().then(s => s.framesDecoded > 50 && s.audioPackets > 100)", WAIT);
        } catch (AssertionError e) {
          throw new AssertionError(e.getMessage() + "; " + viewer.eval("lchatStats()") + relaySummary(), e);
        }
        // The viewer's node has no publisher of its own: the tracks came over the relay from node 1.
        assertTrue(streamsIn(nodes.get(2).mediaRouter()) >= 2, relaySummary());
        String location = viewer.eval("window.lchatTest.location").asText();
        java.net.http.HttpResponse<String> gone = java.net.http.HttpClient.newHttpClient().send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(base2 + location)).DELETE().build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, gone.statusCode());
      }
    }
  }
}
