package uk.co.lchat.autoscaler;

import java.time.Duration;
import java.util.Collection;

/**
 * How many nodes the cluster should have, from every node's stress (1 = at capacity). The target is the node count
 * at which mean stress would sit at {@code targetUtilisation}; participants who joined in the last
 * {@code joinWindow} add {@code stressPerParticipant} each until their packets show in the measured stress, so a
 * meeting that is starting gets capacity before it needs it. Hysteresis: no change while mean stress stays within
 * {@code band} of the target (unless a node is over 1); cool-downs after each change, longer for scaling in.
 */
public record ScalingPolicy(double targetUtilisation, double band, int minNodes, int maxNodes,
                            Duration scaleUpCooldown, Duration scaleDownCooldown, double stressPerParticipant) {
  public ScalingPolicy {
    if (targetUtilisation <= 0 || targetUtilisation > 1 || band < 0 || minNodes < 1 || maxNodes < minNodes) {
      throw new IllegalArgumentException("autoscaler: 0 < target <= 1, band >= 0, 1 <= min-nodes <= max-nodes");
    }
  }

  /** One node's measurement. {@code recentJoins}: participants who joined it within the join window. */
  public record NodeLoad(String node, double stress, int participants, int recentJoins) {}

  /** A decision and why, for the log and the metrics. */
  public record Decision(int current, int desired, String reason, double meanStress, double expectedStress) {
    public boolean changes() {
      return desired != current;
    }
  }

  /**
   * @param sinceLastChange time since the last scaling action (null if none yet)
   */
  public Decision decide(Collection<NodeLoad> nodes, int current, Duration sinceLastChange) {
    if (nodes.isEmpty()) {
      return new Decision(current, Math.max(current, minNodes), "no measurements", 0, 0);
    }
    double total = 0;
    double max = 0;
    for (NodeLoad n : nodes) {
      total += n.stress() + n.recentJoins() * stressPerParticipant;
      max = Math.max(max, n.stress());
    }
    double measuredMean = nodes.stream().mapToDouble(NodeLoad::stress).average().orElse(0);
    double expectedMean = total / nodes.size();
    int needed = clamp((int) Math.ceil(total / targetUtilisation));
    if (current < minNodes) {
      return new Decision(current, minNodes, "below the minimum", measuredMean, expectedMean);
    }
    if (current > maxNodes) {
      return new Decision(current, maxNodes, "above the maximum", measuredMean, expectedMean);
    }
    boolean overloaded = max > 1.0 || expectedMean > targetUtilisation + band;
    boolean idle = expectedMean < targetUtilisation - band && max < targetUtilisation;
    if (overloaded && needed > current) {
      if (sinceLastChange != null && sinceLastChange.compareTo(scaleUpCooldown) < 0) {
        return new Decision(current, current, "scale-up cool-down", measuredMean, expectedMean);
      }
      return new Decision(current, needed, max > 1.0 ? "a node is overloaded" : "load above target",
          measuredMean, expectedMean);
    }
    if (idle && needed < current) {
      if (sinceLastChange != null && sinceLastChange.compareTo(scaleDownCooldown) < 0) {
        return new Decision(current, current, "scale-down cool-down", measuredMean, expectedMean);
      }
      // One node at a time: each leaving node drains first.
      return new Decision(current, current - 1, "load below target", measuredMean, expectedMean);
    }
    return new Decision(current, current, "within the band", measuredMean, expectedMean);
  }

  private int clamp(int n) {
    return Math.max(minNodes, Math.min(maxNodes, n));
  }
}
