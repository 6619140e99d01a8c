package uk.co.lchat.autoscaler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.prometheus.client.CollectorRegistry;

class AutoscalerTest {
  static final ActorTestKit kit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  @Test
  void highLoadScalesUpOnceThenTheCoolDownHoldsAndDecisionsAreExported() throws Exception {
    AtomicInteger nodes = new AtomicInteger(2);
    List<Integer> asked = new CopyOnWriteArrayList<>();
    CapacityProvider provider = new CapacityProvider() {
      @Override
      public int current() {
        return nodes.get();
      }

      @Override
      public void scaleTo(int n) {
        asked.add(n);
        nodes.set(n);
      }
    };
    AtomicReference<List<Autoscaler.NodeReading>> readings = new AtomicReference<>(List.of(
        new Autoscaler.NodeReading("a", 0.95, 40), new Autoscaler.NodeReading("b", 0.95, 40)));
    CollectorRegistry registry = new CollectorRegistry();
    ScalingPolicy policy = new ScalingPolicy(0.6, 0.1, 1, 10, Duration.ofSeconds(60), Duration.ofSeconds(300), 0);
    kit.spawn(Autoscaler.create(policy, provider, () -> CompletableFuture.completedFuture(readings.get()),
        Duration.ofMillis(100), new Autoscaler.Metrics(registry)));
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (asked.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(List.of(4), asked, "1.9 of load at 0.6 per node: 4 nodes");
    // The load keeps rising, but the cool-down holds the next change back.
    readings.set(List.of(new Autoscaler.NodeReading("a", 1.5, 60), new Autoscaler.NodeReading("b", 1.5, 60),
        new Autoscaler.NodeReading("c", 1.5, 60), new Autoscaler.NodeReading("d", 1.5, 60)));
    Thread.sleep(500);
    assertEquals(List.of(4), asked, "no second change during the cool-down");
    assertEquals(4.0, registry.getSampleValue("lchat_autoscaler_desired_nodes"));
    assertTrue(registry.getSampleValue("lchat_autoscaler_decisions_total", new String[] {"reason"},
        new String[] {"load above target"}) >= 1);
    assertTrue(registry.getSampleValue("lchat_autoscaler_decisions_total", new String[] {"reason"},
        new String[] {"scale-up cool-down"}) >= 1);
  }

  @Test
  void aFailingProviderIsLoggedAndCountedAndTheAutoscalerCarriesOn() throws Exception {
    CapacityProvider broken = new CapacityProvider() {
      @Override
      public int current() throws java.io.IOException {
        throw new java.io.IOException("API server unreachable");
      }

      @Override
      public void scaleTo(int n) {
      }
    };
    CollectorRegistry registry = new CollectorRegistry();
    ScalingPolicy policy = new ScalingPolicy(0.6, 0.1, 1, 10, Duration.ZERO, Duration.ZERO, 0);
    kit.spawn(Autoscaler.create(policy, broken,
        () -> CompletableFuture.completedFuture(List.of(new Autoscaler.NodeReading("a", 2.0, 10))),
        Duration.ofMillis(50), new Autoscaler.Metrics(registry)));
    long deadline = System.nanoTime() + 5_000_000_000L;
    Double errors = null;
    while (System.nanoTime() < deadline) {
      errors = registry.getSampleValue("lchat_autoscaler_decisions_total", new String[] {"reason"},
          new String[] {"error"});
      if (errors != null && errors >= 3) {
        break;
      }
      Thread.sleep(20);
    }
    assertTrue(errors != null && errors >= 3, "every tick tries again: " + errors);
  }
}
