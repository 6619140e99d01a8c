package uk.co.lchat.metrics;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Cluster-wide statistics from every node's {@link BridgeStatistics}: counts and rates add up, the largest conference
 * and stress are the maximum, loss, jitter and RTT are averaged weighted by each node's packet rate. A conference
 * whose participants sit on several nodes counts once per node in {@code conferences}.
 */
public final class ClusterStatistics {
  private static final Set<String> MAXIMUM = Set.of("largest_conference", "stress_level", "process_cpu_load");
  private static final Map<String, String> WEIGHTED = Map.of("loss_rate_download", "packet_rate_download",
      "rtp_loss", "packet_rate_download", "jitter_aggregate", "packet_rate_download",
      "loss_rate_upload", "packet_rate_upload", "rtt_aggregate", "packet_rate_upload");

  private ClusterStatistics() {}

  /** {@code nodes} maps each node's address to its statistics. */
  public static Map<String, Object> aggregate(Map<String, JsonNode> nodes) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (String key : BridgeStatistics.KEYS) {
      if (key.equals("current_timestamp")) {
        m.put(key, Instant.now().toString());
      } else if (key.equals("conference_sizes")) {
        int[] sum = new int[BridgeStatistics.SIZE_BUCKETS];
        for (JsonNode n : nodes.values()) {
          JsonNode sizes = n.path(key);
          for (int i = 0; i < sum.length && i < sizes.size(); i++) {
            sum[i] += sizes.get(i).asInt();
          }
        }
        m.put(key, sum);
      } else if (MAXIMUM.contains(key)) {
        double max = 0;
        for (JsonNode n : nodes.values()) {
          max = Math.max(max, n.path(key).asDouble());
        }
        m.put(key, key.equals("largest_conference") ? (Object) (long) max : (Object) max);
      } else if (WEIGHTED.containsKey(key)) {
        double sum = 0;
        double weights = 0;
        double plain = 0;
        for (JsonNode n : nodes.values()) {
          double w = n.path(WEIGHTED.get(key)).asDouble();
          sum += w * n.path(key).asDouble();
          weights += w;
          plain += n.path(key).asDouble();
        }
        double value = weights > 0 ? sum / weights : nodes.isEmpty() ? 0 : plain / nodes.size();
        m.put(key, BridgeStatistics.round(value));
      } else {
        double sum = 0;
        boolean integral = true;
        for (JsonNode n : nodes.values()) {
          JsonNode v = n.path(key);
          integral &= v.isIntegralNumber() || v.isMissingNode();
          sum += v.asDouble();
        }
        m.put(key, integral ? (Object) (long) sum : (Object) BridgeStatistics.round(sum));
      }
    }
    List<Map<String, Object>> perNode = nodes.entrySet().stream().map(e -> {
      Map<String, Object> n = new LinkedHashMap<>();
      n.put("node", e.getKey());
      n.put("stress_level", e.getValue().path("stress_level").asDouble());
      n.put("participants", e.getValue().path("participants").asLong());
      n.put("conferences", e.getValue().path("conferences").asLong());
      n.put("process_cpu_load", e.getValue().path("process_cpu_load").asDouble());
      return n;
    }).toList();
    m.put("nodes", perNode);
    return m;
  }
}
