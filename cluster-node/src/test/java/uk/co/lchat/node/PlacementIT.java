package uk.co.lchat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;

/**
 * Placement by load and room locality: every client reaches node 0, yet once node 0's router is near its capacity
 * the room's next participants go to other nodes' routers (their media answers would carry those nodes' addresses).
 */
class PlacementIT {
  static final List<LchatNode> nodes = new ArrayList<>();

  private static com.typesafe.config.Config config(List<String> seeds) {
    // Capacity 4 endpoints, near-full 1.0: a router takes two participants of a room before the room spreads.
    return ConfigFactory.parseMap(Map.of("lchat.media.placement.strategy", "room-locality",
        "lchat.media.placement.capacity-endpoints", 4, "lchat.media.placement.near-full", 1.0,
        "lchat.media.placement.interval", "200ms")).withFallback(TestNodes.config(0, seeds));
  }

  @BeforeAll
  static void start() throws Exception {
    nodes.addAll(TestNodes.cluster(3, PlacementIT::config));
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (nodes.stream().anyMatch(n -> n.placement().load().size() < 3)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the nodes did not find each other's routers in 30 s");
      }
      Thread.sleep(200);
    }
  }

  @AfterAll
  static void stop() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
  }

  @Test
  void aRoomFillsItsRouterThenSpreadsToOtherNodes() throws Exception {
    List<WsClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 6; i++) {
        WsClient c = new WsClient(nodes.get(0).httpPort());
        clients.add(c);
        c.join("placed", "P" + i);
        Thread.sleep(400); // let the routers' loads be measured between joins
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      int[] perNode = new int[3];
      while (true) {
        for (int i = 0; i < 3; i++) {
          perNode[i] = TestNodes.getJson(nodes.get(i).httpPort(), "/stats").get("participants").asInt();
        }
        if (perNode[0] + perNode[1] + perNode[2] == 6 || System.nanoTime() > deadline) {
          break;
        }
        Thread.sleep(200);
      }
      assertEquals(6, perNode[0] + perNode[1] + perNode[2], java.util.Arrays.toString(perNode));
      assertEquals(2, perNode[0], "the node the clients reached takes two: " + java.util.Arrays.toString(perNode));
      assertTrue(perNode[1] >= 1 && perNode[2] >= 1, "the room spread to both other nodes: "
          + java.util.Arrays.toString(perNode));
      JsonNode cluster = TestNodes.getJson(nodes.get(0).httpPort(), "/stats?scope=cluster");
      assertEquals(6, cluster.get("participants").asInt());
    } finally {
      for (WsClient c : clients) {
        c.close();
      }
    }
  }

  @Test
  void aParticipantPlacedOnAnotherNodeSendsAndReceivesMediaThroughThatNodesRouter() throws Exception {
    try (uk.co.lchat.node.browser.Chromium chromium = uk.co.lchat.node.browser.Chromium.launch()) {
      List<uk.co.lchat.node.browser.Chromium.Page> pages = new ArrayList<>();
      try {
        for (String name : List.of("Alice", "Bob", "Cat")) {
          var page = chromium.open("http://127.0.0.1:" + nodes.get(0).httpPort() + "/e2e/call.html?room=placed-media"
              + "&name=" + name);
          page.waitFor("window.lchatTest && (window.lchatTest.published === true"
              + " || window.lchatTest.errors.length > 0)", Duration.ofSeconds(30));
          pages.add(page);
          Thread.sleep(600); // the routers' loads are measured between joins
        }
        for (var page : pages) {
          try {
            page.waitFor("lchatStats().then(s => s.videosDecoding >= 2 && s.audioPackets > 50)", Duration.ofSeconds(90),
              "Promise.all([lchatStats(), lchatInbound()]).then(([s, inbound]) =>"
                  + " JSON.stringify({stats: s, inbound, tracks: window.lchatTest.tracks,"
                  + " errors: window.lchatTest.errors}))");
          } catch (AssertionError e) {
            StringBuilder routers = new StringBuilder();
            for (LchatNode n : nodes) {
              routers.append("\nnode ").append(n.httpPort()).append(": ").append(n.mediaRouter().endpointCount())
                  .append(" endpoints, relays ").append(n.mediaRouter().relays());
            }
            throw new AssertionError(e.getMessage() + routers, e);
          }
        }
        int elsewhere = 0;
        for (int i = 1; i < 3; i++) {
          elsewhere += nodes.get(i).mediaRouter().endpointCount() - nodes.get(i).mediaRouter().relayCount();
        }
        assertTrue(elsewhere >= 2, "Cat's sending and receiving connections are on another node's router");
      } finally {
        for (var page : pages) {
          page.close();
        }
      }
    }
  }
}
