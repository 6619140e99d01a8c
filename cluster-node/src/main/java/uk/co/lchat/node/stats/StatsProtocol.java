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

  /** How other nodes reach this node's signaling (for a draining node's reconnects). */
  public record GetNodeInfo(ActorRef<NodeInfo> replyTo) implements Command {}

  /** {@code wsUrl} empty while the node is not serving HTTP yet. */
  public record NodeInfo(String node, String wsUrl, boolean draining) {}

  /** Takes this second's sample (from the actor's own timer). */
  record Sample() implements Command {}
}
