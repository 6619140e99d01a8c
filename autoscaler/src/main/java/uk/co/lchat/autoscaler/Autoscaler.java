package uk.co.lchat.autoscaler;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;

/**
 * The cluster's autoscaler (run as a cluster singleton): every {@code interval} it reads every node's load, asks
 * the {@link ScalingPolicy} and, when the answer differs, the {@link CapacityProvider}. Each decision is logged with
 * its inputs and counted by reason.
 */
public final class Autoscaler {
  private Autoscaler() {}

  public sealed interface Command {}

  private record Tick() implements Command {}

  private record Measured(List<ScalingPolicy.NodeLoad> nodes, int current, Throwable error) implements Command {}

  private record Applied(ScalingPolicy.Decision decision, Throwable error) implements Command {}

  /** One node's stress and participants, as the cluster statistics give them. */
  public record NodeReading(String node, double stress, int participants) {}

  /** Exported decisions: desired node count and decisions by reason. */
  public static final class Metrics {
    final Gauge desired;
    final Counter decisions;

    public Metrics(CollectorRegistry registry) {
      desired = Gauge.build("lchat_autoscaler_desired_nodes", "Nodes the autoscaler asks for").register(registry);
      decisions = Counter.build("lchat_autoscaler_decisions_total", "Autoscaler decisions by reason")
          .labelNames("reason").register(registry);
    }
  }

  public static Behavior<Command> create(ScalingPolicy policy, CapacityProvider provider,
                                         Supplier<CompletionStage<List<NodeReading>>> readings, Duration interval,
                                         Metrics metrics) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(new Tick(), interval);
      return new State(ctx, policy, provider, readings, metrics).behavior();
    }));
  }

  private static final class State {
    private final ActorContext<Command> ctx;
    private final ScalingPolicy policy;
    private final CapacityProvider provider;
    private final Supplier<CompletionStage<List<NodeReading>>> readings;
    private final Metrics metrics;
    private final Map<String, Integer> lastParticipants = new HashMap<>();
    private Instant lastChange;
    private boolean busy;

    State(ActorContext<Command> ctx, ScalingPolicy policy, CapacityProvider provider,
          Supplier<CompletionStage<List<NodeReading>>> readings, Metrics metrics) {
      this.ctx = ctx;
      this.policy = policy;
      this.provider = provider;
      this.readings = readings;
      this.metrics = metrics;
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessage(Tick.class, m -> tick())
          .onMessage(Measured.class, this::measured)
          .onMessage(Applied.class, this::applied)
          .build();
    }

    private Behavior<Command> tick() {
      if (busy) {
        return Behaviors.same();
      }
      busy = true;
      // Reading loads and asking the provider are I/O: off the actor, the result comes back as a message.
      CompletionStage<Measured> measured = readings.get().thenCompose(list -> CompletableFuture.supplyAsync(() -> {
        try {
          return new Measured(loads(list), provider.current(), null);
        } catch (Exception e) {
          return new Measured(List.of(), 0, e);
        }
      }));
      ctx.pipeToSelf(measured, (ok, error) -> ok != null ? ok : new Measured(List.of(), 0, error));
      return Behaviors.same();
    }

    /** Participants who appeared since the last reading count as recent joins (expected load). */
    private List<ScalingPolicy.NodeLoad> loads(List<NodeReading> list) {
      List<ScalingPolicy.NodeLoad> loads = new ArrayList<>();
      synchronized (lastParticipants) {
        for (NodeReading r : list) {
          int before = lastParticipants.getOrDefault(r.node(), r.participants());
          loads.add(new ScalingPolicy.NodeLoad(r.node(), r.stress(), r.participants(),
              Math.max(0, r.participants() - before)));
          lastParticipants.put(r.node(), r.participants());
        }
      }
      return loads;
    }

    private Behavior<Command> measured(Measured m) {
      if (m.error() != null) {
        busy = false;
        ctx.getLog().warn("autoscaler: could not read the load or the capacity: {}", m.error().toString());
        metrics.decisions.labels("error").inc();
        return Behaviors.same();
      }
      Duration since = lastChange == null ? null : Duration.between(lastChange, Instant.now());
      ScalingPolicy.Decision d = policy.decide(m.nodes(), m.current(), since);
      metrics.decisions.labels(d.reason()).inc();
      metrics.desired.set(d.desired());
      ctx.getLog().info("autoscaler: {} nodes -> {} ({}); mean stress {} (expected {}), nodes {}", d.current(),
          d.desired(), d.reason(), String.format("%.3f", d.meanStress()), String.format("%.3f", d.expectedStress()),
          m.nodes());
      if (!d.changes()) {
        busy = false;
        return Behaviors.same();
      }
      ctx.pipeToSelf(CompletableFuture.supplyAsync(() -> {
        try {
          provider.scaleTo(d.desired());
          return d;
        } catch (Exception e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      }), Applied::new);
      return Behaviors.same();
    }

    private Behavior<Command> applied(Applied a) {
      busy = false;
      if (a.error() != null) {
        ctx.getLog().warn("autoscaler: scaling to {} failed: {}", a.decision() == null ? "?" : a.decision().desired(),
            a.error().toString());
        metrics.decisions.labels("error").inc();
      } else {
        lastChange = Instant.now();
      }
      return Behaviors.same();
    }
  }
}
