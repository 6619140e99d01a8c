package uk.co.lchat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;


/**
 * Three real nodes in one JVM form one cluster over loopback. Clients connected to different nodes meet in one
 * room, and a room hosted on a third node serves them: every room message crosses nodes through Kryo.
 */
class ThreeNodeClusterIT {
  static final List<LchatNode> nodes = new ArrayList<>();

  @BeforeAll
  static void startCluster() throws Exception {
    nodes.addAll(TestNodes.cluster(3, seeds -> TestNodes.config(0, seeds)));
  }

  @AfterAll
  static void stopCluster() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
  }

  private static int hostOf(String roomId) throws Exception {
    return TestNodes.hostOf(nodes, roomId);
  }

  @Test
  void allThreeNodesAnswerHealthWithTheWholeCluster() throws Exception {
    for (LchatNode node : nodes) {
      assertEquals(3, TestNodes.getJson(node.httpPort(), "/health").get("members").asInt());
    }
  }

  @Test
  void clientsOnDifferentNodesMeetInARoomHostedOnAThirdNode() throws Exception {
    LchatNode a = nodes.get(0);
    LchatNode c = nodes.get(2);
    try (WsClient ann = new WsClient(a.httpPort()); WsClient cat = new WsClient(c.httpPort())) {
      // Try room names until one is hosted by node B, so both clients talk to a room on another node.
      String room = null;
      for (int attempt = 0; attempt < 40 && room == null; attempt++) {
        String candidate = "orbit-" + attempt;
        ann.join(candidate, "Ann");
        if (hostOf(candidate) == 1) {
          room = candidate;
        } else {
          ann.send("{\"type\":\"leave\"}");
          Thread.sleep(100);
        }
      }
      assertNotNull(room, "no room landed on node B in 40 tries");
      assertNotEquals(0, hostOf(room));

      JsonNode joined = cat.join(room, "Cat");
      assertEquals(2, joined.get("room").get("participants").size());
      assertEquals("Ann", joined.get("room").get("participants").get(0).get("displayName").asText());
      assertEquals(2, ann.next("roster").get("participants").size());

      cat.send("{\"type\":\"chat\",\"text\":\"hello from node C\"}");
      assertEquals("hello from node C", ann.next("chat").get("message").get("text").asText());
      assertEquals("hello from node C", cat.next("chat").get("message").get("text").asText());
      ann.send("{\"type\":\"chat\",\"text\":\"psst\",\"to\":\"" + cat.participantId + "\"}");
      JsonNode privateChat = cat.next("chat").get("message");
      assertEquals("psst", privateChat.get("text").asText());
      assertEquals(cat.participantId, privateChat.get("to").asText());

      ann.send("{\"type\":\"raiseHand\"}");
      assertEquals(ann.participantId, cat.next("hands").get("queue").get(0).asText());

      // Room lookups from any node reach the room on B.
      assertEquals(2, TestNodes.getJson(c.httpPort(), "/api/rooms/" + room).get("size").asInt());

      // A client whose connection drops is kept for lchat.http.ws.resume-grace (it may come back), then leaves the
      // room, even though the room is on another node.
      cat.close();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (true) {
        try {
          ann.next("roster", m -> m.get("participants").size() == 1);
          break;
        } catch (AssertionError notYet) {
          if (System.nanoTime() > deadline) {
            throw notYet;
          }
        }
      }
    }
  }

  @Test
  void clusterStatisticsFromAnyNodeGatherEveryNode() throws Exception {
    try (WsClient ann = new WsClient(nodes.get(0).httpPort()); WsClient cat = new WsClient(nodes.get(2).httpPort())) {
      ann.join("stars", "Ann");
      cat.join("stars", "Cat");
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      JsonNode stats = TestNodes.getJson(nodes.get(1).httpPort(), "/stats?scope=cluster");
      while (stats.path("node_count").asInt() < 3 || stats.path("participants").asInt() < 2) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("cluster statistics did not gather 3 nodes and 2 participants: " + stats);
        }
        Thread.sleep(250);
        stats = TestNodes.getJson(nodes.get(1).httpPort(), "/stats?scope=cluster");
      }
      assertEquals(3, stats.get("nodes").size());
      assertEquals(2, stats.get("conferences").asInt(), "one room, seen on two nodes: " + stats);
      assertEquals(1, stats.get("largest_conference").asInt());
      assertEquals(0, stats.get("nodes_not_answering").asInt());
      // Each node's own view holds only its own participant.
      assertEquals(0, TestNodes.getJson(nodes.get(1).httpPort(), "/stats").get("participants").asInt());
    }
  }
}
