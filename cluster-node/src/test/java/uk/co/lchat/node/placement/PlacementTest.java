package uk.co.lchat.node.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import uk.co.lchat.media.control.MediaRouterProtocol;

/** Placement never picks a draining router, nor the one a participant is moving away from. */
class PlacementTest {
  static final ActorTestKit kit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  private static ActorRef<MediaRouterProtocol.Command> router() {
    return kit.<MediaRouterProtocol.Command>createTestProbe().ref();
  }

  @Test
  void aDrainingRouterIsNeverChosenWhateverTheStrategy() {
    for (Placement.Strategy strategy : Placement.Strategy.values()) {
      ActorRef<MediaRouterProtocol.Command> local = router();
      ActorRef<MediaRouterProtocol.Command> busy = router();
      ActorRef<MediaRouterProtocol.Command> idle = router();
      Placement p = new Placement(strategy, local, 100, 0.8);
      p.measured(local, 0, false);
      p.measured(busy, 50, false);
      p.measured(idle, 0, true); // emptiest, but its node drains
      assertEquals(local, p.choose(List.of(idle)), strategy.name());
      p.drainLocal();
      assertEquals(busy, p.choose(List.of(idle, local)), strategy + ": the only router not draining");
    }
  }

  @Test
  void aRouterWhoseNodeIsUnreachableIsNeitherReachableNorChosenUntilItIsMeasuredAgain() {
    for (Placement.Strategy strategy : Placement.Strategy.values()) {
      ActorRef<MediaRouterProtocol.Command> local = router();
      ActorRef<MediaRouterProtocol.Command> lost = router();
      Placement p = new Placement(strategy, local, 100, 0.8);
      p.measured(local, 50, false);
      p.measured(lost, 0, false);
      assertTrue(p.reachable(lost));
      p.gone(lost);
      assertFalse(p.reachable(lost), strategy.name());
      assertTrue(p.reachable(local), "the node's own router is always reachable");
      assertEquals(local, p.choose(List.of(lost)), strategy + ": the emptiest router is lost");
      p.measured(lost, 0, false); // its node is reachable again
      assertTrue(p.reachable(lost));
    }
  }

  @Test
  void movingAwayFromARouterPicksAnotherOrNoneAtAll() {
    ActorRef<MediaRouterProtocol.Command> local = router();
    ActorRef<MediaRouterProtocol.Command> other = router();
    Placement p = new Placement(Placement.Strategy.LOCAL, local, 100, 0.8);
    p.measured(other, 10, false);
    assertEquals(other, p.choose(List.of(), local), "away from the local router");
    assertEquals(local, p.choose(List.of(), other));
    p.measured(other, 10, true);
    assertNull(p.choose(List.of(), local), "nowhere to go: the only other router drains");
  }

  @Test
  void aRebalancingMoveGoesWhereItIsToldUnlessThatRouterDrains() {
    ActorRef<MediaRouterProtocol.Command> local = router();
    ActorRef<MediaRouterProtocol.Command> told = router();
    ActorRef<MediaRouterProtocol.Command> emptiest = router();
    Placement p = new Placement(Placement.Strategy.LEAST_LOADED, local, 100, 0.8);
    p.measured(local, 80, false);
    p.measured(told, 20, false);
    p.measured(emptiest, 0, false);
    assertEquals(told, p.moveTo(told, local), "the rebalancer's target, not placement's own choice");
    assertEquals(22, p.load().get(told), "counted at once, like a placement");
    assertEquals(emptiest, p.moveTo(null, local), "a drain's move: placement chooses");
    p.measured(told, 20, true);
    assertEquals(emptiest, p.moveTo(told, local), "the target started draining meanwhile");
  }

  @Test
  void theRouterOfANodeIsFoundByItsClusterAddress() {
    ActorRef<MediaRouterProtocol.Command> local = router();
    Placement p = new Placement(Placement.Strategy.LOCAL, local, 100, 0.8);
    String self = "pekko://lchat@127.0.0.1:25520";
    assertEquals(local, p.routerOf(self, self), "a local reference has no host: it is this node's");
    assertNull(p.routerOf("pekko://lchat@127.0.0.1:25521", self));
  }

  @Test
  void aRouterThatStopsDrainingIsChosenAgain() {
    ActorRef<MediaRouterProtocol.Command> local = router();
    ActorRef<MediaRouterProtocol.Command> other = router();
    Placement p = new Placement(Placement.Strategy.LEAST_LOADED, local, 100, 0.8);
    p.measured(local, 40, false);
    p.measured(other, 0, true);
    assertEquals(local, p.choose(List.of()));
    p.measured(other, 0, false);
    assertEquals(other, p.choose(List.of()));
  }
}
