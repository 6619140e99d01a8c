package uk.co.lchat.node.stats;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;

import uk.co.lchat.autoscaler.Autoscaler;
import uk.co.lchat.autoscaler.RebalancePolicy;
import uk.co.lchat.media.control.MediaRouterProtocol;
import uk.co.lchat.node.placement.Placement;

/**
 * Every node's load as the cluster singletons read it each round: the statistics of the node directory
 * ({@link StatsRoutes#gather}), as the autoscaler's readings and as the rebalancer's node states.
 */
public final class ClusterLoad {
  private final ActorSystem<?> system;
  private final Duration timeout;

  public ClusterLoad(ActorSystem<?> system, Duration timeout) {
    this.system = system;
    this.timeout = timeout;
  }

  /** Each answering node's stress and participants. */
  public CompletionStage<List<Autoscaler.NodeReading>> readings() {
    return StatsRoutes.gather(system, timeout).thenApply(g -> g.nodes().entrySet().stream()
        .map(e -> new Autoscaler.NodeReading(e.getKey(), e.getValue().path("stress_level").asDouble(),
            e.getValue().path("participants").asInt()))
        .toList());
  }

  /**
   * Each answering node's stress and participants, and whether it takes participants: its router is in
   * {@code placement} and not draining. {@code self}: this node's cluster address.
   */
  public CompletionStage<List<RebalancePolicy.NodeState>> states(Placement placement, String self) {
    return StatsRoutes.gather(system, timeout).thenApply(g -> g.nodes().entrySet().stream()
        .map(e -> {
          ActorRef<MediaRouterProtocol.Command> router = placement.routerOf(e.getKey(), self);
          return new RebalancePolicy.NodeState(e.getKey(), e.getValue().path("stress_level").asDouble(),
              e.getValue().path("participants").asInt(), router != null && !placement.draining(router));
        })
        .toList());
  }
}
