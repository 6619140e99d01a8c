package uk.co.lchat.autoscaler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import uk.co.lchat.autoscaler.RebalancePolicy.NodeState;

class RebalancePolicyTest {
  private final RebalancePolicy policy = new RebalancePolicy(0.85, 0.5, 0.25, Duration.ofSeconds(30));

  @Test
  void anOverloadedNodeShedsTowardsTheMiddleAtMostItsShare() {
    // 1.2 and 0.2: half the difference is 0.5 of 1.2, i.e. 42% of 100 participants, capped at 25.
    RebalancePolicy.Decision d = policy.decide(List.of(new NodeState("a", 1.2, 100, true),
        new NodeState("b", 0.2, 20, true), new NodeState("c", 0.6, 50, true)), null);
    assertEquals("a", d.from());
    assertEquals("b", d.to());
    assertEquals(25, d.count());
    // 1 and 0.5 with 40 people: 40 * 0.5 / 2 = 10, the cap too.
    d = policy.decide(List.of(new NodeState("a", 1.0, 40, true), new NodeState("b", 0.5, 30, true)), null);
    assertEquals(10, d.count());
    // Close to the thresholds, fewer than the cap: ceil(40 * 0.375 / 1.75) = ceil(8.57) = 9.
    d = policy.decide(List.of(new NodeState("a", 0.875, 40, true), new NodeState("b", 0.5, 30, true)), null);
    assertEquals(9, d.count());
  }

  @Test
  void noMoveWithoutBothAnOverloadedAndAnIdleNode() {
    assertEquals("no node overloaded", policy.decide(List.of(new NodeState("a", 0.8, 40, true),
        new NodeState("b", 0.1, 1, true)), null).reason());
    assertEquals("no idle node", policy.decide(List.of(new NodeState("a", 1.5, 40, true),
        new NodeState("b", 0.7, 30, true)), null).reason());
    assertEquals("fewer than two nodes", policy.decide(List.of(new NodeState("a", 1.5, 40, true)), null).reason());
    assertEquals("too few participants to move", policy.decide(List.of(new NodeState("a", 1.5, 1, true),
        new NodeState("b", 0.1, 0, true)), null).reason());
  }

  @Test
  void drainingNodesAreNeitherSourceNorTargetAndTheCoolDownHolds() {
    // The idle node drains: nowhere to go.
    RebalancePolicy.Decision d = policy.decide(List.of(new NodeState("a", 1.5, 40, true),
        new NodeState("b", 0.0, 0, false)), null);
    assertFalse(d.moves());
    // The overloaded node drains: its drain empties it, no rebalancing.
    d = policy.decide(List.of(new NodeState("a", 1.5, 40, false), new NodeState("b", 0.9, 30, true),
        new NodeState("c", 0.1, 2, true)), null);
    assertEquals("b", d.from());
    assertEquals("c", d.to());
    d = policy.decide(List.of(new NodeState("a", 1.5, 40, true), new NodeState("b", 0.1, 2, true)),
        Duration.ofSeconds(10));
    assertEquals("cool-down", d.reason());
    assertFalse(d.moves());
    assertEquals(10, policy.decide(List.of(new NodeState("a", 1.5, 40, true), new NodeState("b", 0.1, 2, true)),
        Duration.ofSeconds(31)).count());
  }

  @Test
  void nonsenseSettingsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new RebalancePolicy(0.5, 0.6, 0.25, Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> new RebalancePolicy(0.9, 0.5, 0, Duration.ZERO));
  }
}
