package uk.co.lchat.node.stats;

import java.time.Duration;
import java.util.function.Supplier;

import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

import uk.co.lchat.metrics.NodeMetrics;
import uk.co.lchat.metrics.NodeSample;
import uk.co.lchat.node.stats.StatsProtocol.*;

/**
 * Samples this node once per {@code interval} into its {@link NodeMetrics} and answers other nodes' requests for
 * its statistics. Registered with the receptionist so any node can find every node's statistics.
 */
public final class StatsActor {
  private StatsActor() {}

  public static Behavior<Command> create(NodeMetrics metrics, Supplier<NodeSample> sampler, String node,
                                         Duration interval, Supplier<NodeInfo> info) {
    return Behaviors.setup(ctx -> {
      ctx.getSystem().receptionist().tell(Receptionist.register(StatsProtocol.SERVICE_KEY, ctx.getSelf()));
      return Behaviors.withTimers(timers -> {
        timers.startTimerWithFixedDelay(new Sample(), Duration.ZERO, interval);
        return Behaviors.receive(Command.class)
            .onMessage(Sample.class, m -> {
              try {
                metrics.record(sampler.get());
              } catch (RuntimeException e) {
                ctx.getLog().warn("statistics sample failed: {}", e.toString());
              }
              return Behaviors.same();
            })
            .onMessage(GetNodeInfo.class, m -> {
              m.replyTo().tell(info.get());
              return Behaviors.same();
            })
            .onMessage(GetNodeStats.class, m -> {
              m.replyTo().tell(new NodeStats(node, metrics.statisticsJson()));
              return Behaviors.same();
            })
            .build();
      });
    });
  }
}
