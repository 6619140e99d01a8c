package uk.co.lchat.node.stats;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/** Asking a node for its statistics, from any node of the cluster (GET /stats?scope=cluster, the autoscaler). */
public final class StatsProtocol {
  private StatsProtocol() {}

  /** Every node's statistics actor registers under this key. */
  public static final ServiceKey<Command> SERVICE_KEY = ServiceKey.create(Command.class, "lchat-stats");

  public sealed interface Command {}

  public record GetNodeStats(ActorRef<NodeStats> replyTo) implements Command {}

  /** One node's bridge statistics as JSON (the body of its GET /stats), with its cluster address. */
  public record NodeStats(String node, String json) {}

  /** Takes this second's sample (from the actor's own timer). */
  record Sample() implements Command {}
}
