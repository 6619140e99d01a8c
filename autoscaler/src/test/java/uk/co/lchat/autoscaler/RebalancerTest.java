package uk.co.lchat.autoscaler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.prometheus.client.CollectorRegistry;

import uk.co.lchat.autoscaler.RebalancePolicy.NodeState;

class RebalancerTest {
  static final ActorTestKit kit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  @Test
  void movesOnceFromTheOverloadedToTheIdleNodeThenCoolsDownAndExportsItsDecisions() throws Exception {
    List<String> moves = new CopyOnWriteArrayList<>();
    Rebalancer.Mover mover = (from, to, count) -> {
      moves.add(from + "->" + to + ":" + count);
      return CompletableFuture.completedFuture(count - 1); // one of them was already leaving
    };
    AtomicReference<List<NodeState>> readings = new AtomicReference<>(List.of(
        new NodeState("a", 1.4, 20, true), new NodeState("b", 0.1, 2, true)));
    CollectorRegistry registry = new CollectorRegistry();
    kit.spawn(Rebalancer.create(new RebalancePolicy(0.85, 0.5, 0.25, Duration.ofSeconds(60)), mover,
        () -> CompletableFuture.completedFuture(readings.get()), Duration.ofMillis(50),
        new Rebalancer.Metrics(registry)));
    await(() -> !moves.isEmpty());
    Thread.sleep(400);
    assertEquals(List.of("a->b:5"), moves, "one move of a quarter of a's participants, then the cool-down");
    assertEquals(4.0, registry.getSampleValue("lchat_rebalancer_participants_moved_total"));
    assertEquals(1.0, registry.getSampleValue("lchat_rebalancer_decisions_total", new String[] {"reason"},
        new String[] {"a node is overloaded while another is idle"}));
    assertTrue(registry.getSampleValue("lchat_rebalancer_decisions_total", new String[] {"reason"},
        new String[] {"cool-down"}) >= 1);
  }

  @Test
  void aMoveThatFailsOrMovesNobodyStartsNoCoolDown() throws Exception {
    List<String> moves = new CopyOnWriteArrayList<>();
    Rebalancer.Mover mover = (from, to, count) -> {
      moves.add(from + "->" + to);
      return moves.size() == 1 ? CompletableFuture.failedFuture(new IllegalStateException("no router on a"))
          : CompletableFuture.completedFuture(0);
    };
    CollectorRegistry registry = new CollectorRegistry();
    kit.spawn(Rebalancer.create(new RebalancePolicy(0.85, 0.5, 0.25, Duration.ofSeconds(60)), mover,
        () -> CompletableFuture.completedFuture(List.of(new NodeState("a", 1.4, 20, true),
            new NodeState("b", 0.1, 2, true))), Duration.ofMillis(50), new Rebalancer.Metrics(registry)));
    await(() -> moves.size() >= 3);
    assertTrue(moves.size() >= 3, "it tries again: " + moves);
    assertTrue(registry.getSampleValue("lchat_rebalancer_decisions_total", new String[] {"reason"},
        new String[] {"error"}) >= 1);
    assertEquals(0.0, registry.getSampleValue("lchat_rebalancer_participants_moved_total"));
  }
}
