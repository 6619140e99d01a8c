package uk.co.lchat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import uk.co.lchat.autoscaler.LocalProcessProvider;
import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;

/**
 * One room over three node processes (this test's JVM and two started ones) on loopback: publishers on the first
 * and second, receivers on the third. Media arrives, and each stream crosses each relay once however many
 * receivers it has on the far node (the nodes' own counters, read over HTTP).
 */
class ThreeProcessRoomIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Map<String, Object> NODE = Map.of(
      "lchat.media.placement.strategy", "local",
      "lchat.rebalance.enabled", false,
      "lchat.metrics.sample-interval", "500ms");
  private LchatNode first;
  private LocalProcessProvider others;
  private final List<SimParticipant> everyone = new ArrayList<>();
  private volatile boolean sending = true;

  @AfterEach
  void stop() {
    sending = false;
    everyone.forEach(SimParticipant::close);
    if (others != null) {
      others.close(5);
    }
    if (first != null) {
      first.close();
    }
  }

  private SimParticipant join(int httpPort, String name, boolean publish) throws Exception {
    SimParticipant p = new SimParticipant(HTTP, URI.create("http://127.0.0.1:" + httpPort), name, publish, publish,
        new Measurements());
    everyone.add(p);
    p.join("three-processes");
    return p;
  }

  private static JsonNode stats(int httpPort) {
    try {
      return TestNodes.getJson(httpPort, "/stats");
    } catch (Exception e) {
      return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
  }

  @Test
  void publishersOnTwoProcessesReachReceiversOnAThirdOncePerLink() throws Exception {
    first = NodeProcesses.firstNode(NODE);
    others = NodeProcesses.beside(first, NODE, "three-processes");
    others.scaleTo(3);
    Talkers.await("three node processes in one cluster", 120, () -> TestNodes.upMembers(first) == 3);
    int second = others.nodes().get(0).httpPort();
    int third = others.nodes().get(1).httpPort();
    Talkers.await("the started nodes serve HTTP", 30, () -> !stats(second).isMissingNode()
        && !stats(third).isMissingNode());

    List<SimParticipant> publishers = List.of(join(first.httpPort(), "Ann", true), join(second, "Bob", true));
    List<SimParticipant> receivers = List.of(join(third, "Cat", false), join(third, "Dan", false));
    Talkers.send(publishers, true, () -> sending);
    // Each receiver gets Ann's and Bob's audio and video; Ann and Bob get each other's.
    Talkers.await("media reaches the receivers on the third process", 30,
        () -> receivers.stream().allMatch(r -> r.streamsFlowing(500_000_000L) == 4)
            && publishers.stream().allMatch(p -> p.streamsFlowing(500_000_000L) == 2));

    // The third node receives four streams over its two links (two per publisher), not eight (per receiver).
    Talkers.await("the third node's relay counters", 10, () -> stats(third).path("relay_streams_in").asInt() == 4);
    assertEquals(2, stats(third).path("relays").asInt(), "a link to each publishing node");
    assertEquals(0, stats(third).path("relay_streams_out").asInt(), "nothing published there");
    // Ann's two tracks leave the first node once per link: to Bob's node and to the receivers' node. Each node
    // measures its streams once a second, so these are awaited too, not read once.
    Talkers.await("the publishing nodes' relay counters", 10,
        () -> stats(first.httpPort()).path("relay_streams_out").asInt() == 4
            && stats(second).path("relay_streams_out").asInt() == 4);
    assertEquals(4, stats(first.httpPort()).path("relay_streams_out").asInt());
    assertEquals(4, stats(second).path("relay_streams_out").asInt());
  }
}
