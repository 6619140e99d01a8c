package uk.co.lchat.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class ClusterStatisticsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode node(int participants, int largest, double packetsIn, double loss, double stress,
                               int... sizes) {
    NodeSample s = Samples.at(0, 0, 0, 0, 0, 0, 0, sizes);
    Map<String, Object> m = BridgeStatistics.compute(s,
        new BridgeStatistics.Rates(packetsIn * 8, 0, packetsIn, packetsIn, loss), stress);
    m.put("participants", participants);
    m.put("largest_conference", largest);
    return JSON.valueToTree(m);
  }

  @Test
  void countsAddUpMaximaStayMaximaAndLossIsWeightedByPacketRate() {
    Map<String, JsonNode> nodes = new LinkedHashMap<>();
    nodes.put("a", node(10, 8, 300, 0.01, 0.2, 8, 2));
    nodes.put("b", node(5, 5, 100, 0.05, 0.9, 5));
    Map<String, Object> c = ClusterStatistics.aggregate(nodes);
    assertEquals(15L, c.get("participants"));
    assertEquals(8L, c.get("largest_conference"));
    assertEquals(3L, c.get("conferences"), "per node: a has two, b one");
    assertEquals(0.9, c.get("stress_level"));
    assertEquals(0.02, (double) c.get("loss_rate_download"), 1e-9, "(300*0.01 + 100*0.05) / 400");
    assertEquals(400.0, c.get("packet_rate_download"));
    assertEquals(110L, c.get("total_colibri_web_socket_messages_received"));
    int[] sizes = (int[]) c.get("conference_sizes");
    assertEquals(1, sizes[2]);
    assertEquals(1, sizes[5]);
    assertEquals(1, sizes[8]);
    assertEquals(2, ((List<?>) c.get("nodes")).size());
  }

  @Test
  void noNodesGiveZeroes() {
    Map<String, Object> c = ClusterStatistics.aggregate(Map.of());
    assertEquals(0L, c.get("participants"));
    assertEquals(0.0, c.get("rtt_aggregate"));
  }
}
