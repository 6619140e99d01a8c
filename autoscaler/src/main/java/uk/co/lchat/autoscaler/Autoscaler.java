package uk.co.lchat.autoscaler;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
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
import io.prometheus.client.Gauge;

/**
 * The cluster's autoscaler (run as a cluster singleton): every {@code interval} it reads every node's load, asks
 * the {@link ScalingPolicy} and, when the answer differs, the {@link CapacityProvider}. Each decision is logged with
 * its inputs and counted by reason.
 */
public final class Autoscaler {
  private static final Logger LOG = LoggerFactory.getLogger(Autoscaler.class);

  private Autoscaler() {}

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

  /**
   * Offers this node to host the cluster's one autoscaler (a cluster singleton: every node with
   * {@code lchat.autoscaler.enabled} calls this, one runs it), which reads the load from {@code readings} and scales
   * through {@code provider}; its metrics go to {@code registry}.
   */
  public static void initSingleton(ActorSystem<?> system, AutoscalerSettings settings, CapacityProvider provider,
                                   Supplier<CompletionStage<List<NodeReading>>> readings, CollectorRegistry registry) {
    ClusterSingleton.get(system).init(SingletonActor.of(
        create(settings.policy(), provider, readings, settings.interval(), new Metrics(registry)), "autoscaler"));
  }

  public static Behavior<ControlLoop.Command> create(ScalingPolicy policy, CapacityProvider provider,
      Supplier<CompletionStage<List<NodeReading>>> readings, Duration interval, Metrics metrics) {
    return ControlLoop.create(new Rounds(policy, provider, readings, metrics)::next, interval);
  }

  /** One round after another (never two at once); the last readings and the time of the last change are theirs. */
  private static final class Rounds {
    private final ScalingPolicy policy;
    private final CapacityProvider provider;
    private final Supplier<CompletionStage<List<NodeReading>>> readings;
    private final Metrics metrics;
    private final Map<String, Integer> lastParticipants = new HashMap<>();
    private Instant lastChange;

    Rounds(ScalingPolicy policy, CapacityProvider provider, Supplier<CompletionStage<List<NodeReading>>> readings,
           Metrics metrics) {
      this.policy = policy;
      this.provider = provider;
      this.readings = readings;
      this.metrics = metrics;
    }

    /** Reads the load, then (off the caller: the provider does I/O) decides and scales. */
    CompletionStage<?> next() {
      return readings.get().thenApplyAsync(this::decideAndScale).whenComplete((done, error) -> {
        if (error != null) {
          LOG.warn("autoscaler: {}", error.toString());
          metrics.decisions.labels("error").inc();
        }
      });
    }

    private ScalingPolicy.Decision decideAndScale(List<NodeReading> list) {
      try {
        List<ScalingPolicy.NodeLoad> nodes = loads(list);
        Duration since = lastChange == null ? null : Duration.between(lastChange, Instant.now());
        ScalingPolicy.Decision d = policy.decide(nodes, provider.current(), since);
        metrics.decisions.labels(d.reason()).inc();
        metrics.desired.set(d.desired());
        LOG.info("autoscaler: {} nodes -> {} ({}); mean stress {} (expected {}), nodes {}", d.current(),
            d.desired(), d.reason(), String.format("%.3f", d.meanStress()), String.format("%.3f", d.expectedStress()),
            nodes);
        if (d.changes()) {
          provider.scaleTo(d.desired());
          lastChange = Instant.now();
        }
        return d;
      } catch (Exception e) {
        throw new CompletionException(e);
      }
    }

    /** Participants who appeared since the last reading count as recent joins (expected load). */
    private List<ScalingPolicy.NodeLoad> loads(List<NodeReading> list) {
      List<ScalingPolicy.NodeLoad> loads = new ArrayList<>();
      for (NodeReading r : list) {
        int before = lastParticipants.getOrDefault(r.node(), r.participants());
        loads.add(new ScalingPolicy.NodeLoad(r.node(), r.stress(), r.participants(),
            Math.max(0, r.participants() - before)));
        lastParticipants.put(r.node(), r.participants());
      }
      return loads;
    }
  }
}
