package uk.co.lchat.autoscaler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class ScalingPolicyTest {
  private final ScalingPolicy policy = new ScalingPolicy(0.6, 0.1, 1, 10, Duration.ofSeconds(60),
      Duration.ofSeconds(300), 0.01);

  private static ScalingPolicy.NodeLoad node(String n, double stress) {
    return new ScalingPolicy.NodeLoad(n, stress, 0, 0);
  }

  @Test
  void loadAboveTheTargetAsksForEnoughNodesToBringItBack() {
    var d = policy.decide(List.of(node("a", 0.9), node("b", 0.9)), 2, null);
    assertEquals(3, d.desired(), "1.8 of load at 0.6 per node needs 3 nodes: " + d);
    assertEquals("load above target", d.reason());
  }

  @Test
  void withinTheBandNothingChanges() {
    var d = policy.decide(List.of(node("a", 0.65), node("b", 0.55)), 2, null);
    assertFalse(d.changes(), d.toString());
  }

  @Test
  void anOverloadedNodeScalesUpEvenIfTheMeanLooksFine() {
    var d = policy.decide(List.of(node("a", 1.2), node("b", 0.1), node("c", 0.1)), 3, null);
    assertEquals(3, d.desired(), "the total (1.4) still fits 3 nodes: rebalancing, not more nodes: " + d);
    d = policy.decide(List.of(node("a", 1.3), node("b", 0.6)), 2, null);
    assertEquals(4, d.desired(), d.toString());
    assertEquals("a node is overloaded", d.reason());
  }

  @Test
  void idleClustersShrinkOneNodeAtATimeAndNeverBelowTheMinimum() {
    var d = policy.decide(List.of(node("a", 0.1), node("b", 0.1), node("c", 0.1)), 3, null);
    assertEquals(2, d.desired(), d.toString());
    d = policy.decide(List.of(node("a", 0.0)), 1, null);
    assertEquals(1, d.desired());
  }

  @Test
  void coolDownsHoldChangesBackAndScaleInWaitsLonger() {
    var loaded = List.of(node("a", 0.95), node("b", 0.95));
    assertEquals("scale-up cool-down", policy.decide(loaded, 2, Duration.ofSeconds(30)).reason());
    assertEquals(4, policy.decide(loaded, 2, Duration.ofSeconds(61)).desired());
    var idle = List.of(node("a", 0.05), node("b", 0.05));
    assertEquals("scale-down cool-down", policy.decide(idle, 2, Duration.ofSeconds(120)).reason());
    assertEquals(1, policy.decide(idle, 2, Duration.ofSeconds(301)).desired());
  }

  @Test
  void participantsWhoJustJoinedCountBeforeTheirPacketsShow() {
    // Measured stress is low, but 100 people just joined node a: 100 x 0.01 of expected load.
    var d = policy.decide(List.of(new ScalingPolicy.NodeLoad("a", 0.3, 100, 100)), 1, null);
    assertEquals(3, d.desired(), "(0.3 + 1.0) / 0.6 -> 3 nodes: " + d);
  }
}
