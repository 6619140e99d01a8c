package uk.co.lchat.autoscaler;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;

/**
 * Rebalancing (run as a cluster singleton, with or without the autoscaler): every {@code interval} it reads every
 * node's stress, asks the {@link RebalancePolicy} and, when it says so, has the busy node's media router move some
 * participants to the idle node (the same move as a drain: the client publishes again on the new node). Moves are
 * logged with their inputs; every decision is counted by reason.
 */
public final class Rebalancer {
  private static final Logger LOG = LoggerFactory.getLogger(Rebalancer.class);

  private Rebalancer() {}

  /** Moves participants' media between nodes. */
  public interface Mover {
    /** Asks node {@code from} to move up to {@code count} participants to node {@code to}; completes with how many. */
    CompletionStage<Integer> move(String from, String to, int count);
  }

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

  /**
   * Offers this node to host the cluster's one rebalancer (a cluster singleton: every node with
   * {@code lchat.rebalance.enabled} calls this, one runs it), which reads the nodes from {@code readings} and moves
   * participants with {@code mover}; its metrics go to {@code registry}.
   */
  public static void initSingleton(ActorSystem<?> system, RebalanceSettings settings, Mover mover,
                                   Supplier<CompletionStage<List<RebalancePolicy.NodeState>>> readings,
                                   CollectorRegistry registry) {
    ClusterSingleton.get(system).init(SingletonActor.of(
        create(settings.policy(), mover, readings, settings.interval(), new Metrics(registry)), "rebalancer"));
  }

  public static Behavior<ControlLoop.Command> create(RebalancePolicy policy, Mover mover,
      Supplier<CompletionStage<List<RebalancePolicy.NodeState>>> readings, Duration interval, Metrics metrics) {
    return ControlLoop.create(new Rounds(policy, mover, readings, metrics)::next, interval);
  }

  /** One round after another (never two at once); the time of the last move is theirs. */
  private static final class Rounds {
    private final RebalancePolicy policy;
    private final Mover mover;
    private final Supplier<CompletionStage<List<RebalancePolicy.NodeState>>> readings;
    private final Metrics metrics;
    private Instant lastMove;

    Rounds(RebalancePolicy policy, Mover mover, Supplier<CompletionStage<List<RebalancePolicy.NodeState>>> readings,
           Metrics metrics) {
      this.policy = policy;
      this.mover = mover;
      this.readings = readings;
      this.metrics = metrics;
    }

    CompletionStage<?> next() {
      return readings.get().thenCompose(this::decide).whenComplete((done, error) -> {
        if (error != null) {
          LOG.warn("rebalancer: {}", error.toString());
          metrics.decisions.labels("error").inc();
        }
      });
    }

    private CompletionStage<?> decide(List<RebalancePolicy.NodeState> nodes) {
      RebalancePolicy.Decision d = policy.decide(nodes,
          lastMove == null ? null : Duration.between(lastMove, Instant.now()));
      metrics.decisions.labels(d.reason()).inc();
      if (!d.moves()) {
        LOG.debug("rebalancer: no move ({}); nodes {}", d.reason(), nodes);
        return CompletableFuture.completedFuture(null);
      }
      LOG.info("rebalancer: moving {} participants from {} (stress {}) to {} (stress {}): {}; nodes {}", d.count(),
          d.from(), String.format("%.3f", d.fromStress()), d.to(), String.format("%.3f", d.toStress()), d.reason(),
          nodes);
      return mover.move(d.from(), d.to(), d.count()).thenAccept(asked -> {
        if (asked > 0) {
          lastMove = Instant.now();
          metrics.moved.inc(asked);
          LOG.info("rebalancer: {} asked {} participants to move to {}", d.from(), asked, d.to());
        }
      });
    }
  }
}
