package uk.co.lchat.autoscaler;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;

/**
 * Rebalancing (run as a cluster singleton, with or without the autoscaler): every {@code interval} it reads every
 * node's stress, asks the {@link RebalancePolicy} and, when it says so, has the busy node's media router move some
 * participants to the idle node (the same move as a drain: the client publishes again on the new node). Moves are
 * logged with their inputs; every decision is counted by reason.
 */
public final class Rebalancer {
  private Rebalancer() {}

  /** Moves participants' media between nodes. */
  public interface Mover {
    /** Asks node {@code from} to move up to {@code count} participants to node {@code to}; completes with how many. */
    CompletionStage<Integer> move(String from, String to, int count);
  }

  public sealed interface Command {}

  private record Tick() implements Command {}

  private record Measured(List<RebalancePolicy.NodeState> nodes, Throwable error) implements Command {}

  private record Moved(RebalancePolicy.Decision decision, Integer asked, Throwable error) implements Command {}

  public static final class Metrics {
    final Counter decisions;
    final Counter moved;

    public Metrics(CollectorRegistry registry) {
      decisions = Counter.build("lchat_rebalancer_decisions_total", "Rebalancing decisions by reason")
          .labelNames("reason").register(registry);
      moved = Counter.build("lchat_rebalancer_participants_moved_total",
          "Participants asked to move off an overloaded node").register(registry);
    }
  }

  public static Behavior<Command> create(RebalancePolicy policy, Mover mover,
                                         Supplier<CompletionStage<List<RebalancePolicy.NodeState>>> readings,
                                         Duration interval, Metrics metrics) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(new Tick(), interval);
      return new State(ctx, policy, mover, readings, metrics).behavior();
    }));
  }

  private static final class State {
    private final ActorContext<Command> ctx;
    private final RebalancePolicy policy;
    private final Mover mover;
    private final Supplier<CompletionStage<List<RebalancePolicy.NodeState>>> readings;
    private final Metrics metrics;
    private Instant lastMove;
    private boolean busy;

    State(ActorContext<Command> ctx, RebalancePolicy policy, Mover mover,
          Supplier<CompletionStage<List<RebalancePolicy.NodeState>>> readings, Metrics metrics) {
      this.ctx = ctx;
      this.policy = policy;
      this.mover = mover;
      this.readings = readings;
      this.metrics = metrics;
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessage(Tick.class, m -> tick())
          .onMessage(Measured.class, this::measured)
          .onMessage(Moved.class, this::moved)
          .build();
    }

    private Behavior<Command> tick() {
      if (!busy) {
        busy = true;
        ctx.pipeToSelf(readings.get(), Measured::new);
      }
      return Behaviors.same();
    }

    private Behavior<Command> measured(Measured m) {
      if (m.error() != null) {
        busy = false;
        ctx.getLog().warn("rebalancer: could not read the load: {}", m.error().toString());
        metrics.decisions.labels("error").inc();
        return Behaviors.same();
      }
      RebalancePolicy.Decision d = policy.decide(m.nodes(),
          lastMove == null ? null : Duration.between(lastMove, Instant.now()));
      metrics.decisions.labels(d.reason()).inc();
      if (!d.moves()) {
        ctx.getLog().debug("rebalancer: no move ({}); nodes {}", d.reason(), m.nodes());
        busy = false;
        return Behaviors.same();
      }
      ctx.getLog().info("rebalancer: moving {} participants from {} (stress {}) to {} (stress {}): {}; nodes {}",
          d.count(), d.from(), String.format("%.3f", d.fromStress()), d.to(), String.format("%.3f", d.toStress()),
          d.reason(), m.nodes());
      ctx.pipeToSelf(mover.move(d.from(), d.to(), d.count()), (asked, error) -> new Moved(d, asked, error));
      return Behaviors.same();
    }

    private Behavior<Command> moved(Moved m) {
      busy = false;
      if (m.error() != null) {
        ctx.getLog().warn("rebalancer: moving from {} to {} failed: {}", m.decision().from(), m.decision().to(),
            m.error().toString());
        metrics.decisions.labels("error").inc();
      } else if (m.asked() > 0) {
        lastMove = Instant.now();
        metrics.moved.inc(m.asked());
        ctx.getLog().info("rebalancer: {} asked {} participants to move to {}", m.decision().from(), m.asked(),
            m.decision().to());
      }
      return Behaviors.same();
    }
  }
}
