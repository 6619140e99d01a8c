package uk.co.lchat.node.http;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

import uk.co.lchat.node.drain.NodeDrain;
import uk.co.lchat.node.stats.StatsProtocol;

/**
 * The web origins of every node in the cluster ({@code http://host:port} of each node's client), which the origin
 * check trusts as its own: a page loaded from one node reconnects its signaling to another when that node drains,
 * and its Origin is then the first node's. Followed from the directory of nodes (each node's statistics actor).
 */
public final class ClusterOrigins {
  private static final Duration REFRESH = Duration.ofSeconds(5);

  private final Set<String> origins = ConcurrentHashMap.newKeySet();

  /** Whether {@code normalisedOrigin} ({@link OriginPolicy#normalise}) is a node of this cluster. */
  public boolean contains(String normalisedOrigin) {
    return origins.contains(normalisedOrigin);
  }

  private sealed interface Msg {}

  private record Listing(Receptionist.Listing listing) implements Msg {}

  private record Refresh() implements Msg {}

  private record Answered(ActorRef<StatsProtocol.Command> node, StatsProtocol.NodeInfo info) implements Msg {}

  /** The actor that keeps this set current. */
  public Behavior<?> follower() {
    return Behaviors.<Msg>setup(ctx -> {
      ctx.getSystem().receptionist().tell(Receptionist.subscribe(StatsProtocol.SERVICE_KEY,
          ctx.messageAdapter(Receptionist.Listing.class, Listing::new)));
      Map<ActorRef<StatsProtocol.Command>, String> byNode = new HashMap<>();
      Set<ActorRef<StatsProtocol.Command>> listed = ConcurrentHashMap.newKeySet();
      return Behaviors.withTimers(timers -> {
        // A node lists its statistics actor before its HTTP port is bound: ask again until it names its URL.
        timers.startTimerWithFixedDelay(new Refresh(), REFRESH);
        return Behaviors.receive(Msg.class)
            .onMessage(Listing.class, m -> {
              listed.clear();
              listed.addAll(m.listing().getServiceInstances(StatsProtocol.SERVICE_KEY));
              byNode.keySet().retainAll(listed);
              listed.forEach(node -> ask(ctx, node));
              rebuild(byNode);
              return Behaviors.same();
            })
            .onMessage(Refresh.class, m -> {
              listed.stream().filter(node -> !byNode.containsKey(node)).forEach(node -> ask(ctx, node));
              return Behaviors.same();
            })
            .onMessage(Answered.class, m -> {
              if (m.info() != null && !m.info().wsUrl().isEmpty() && listed.contains(m.node())) {
                String origin = OriginPolicy.normalise(NodeDrain.httpBase(m.info().wsUrl()));
                if (origin != null) {
                  byNode.put(m.node(), origin);
                  rebuild(byNode);
                }
              }
              return Behaviors.same();
            })
            .build();
      });
    });
  }

  private static void ask(ActorContext<Msg> ctx, ActorRef<StatsProtocol.Command> node) {
    ctx.ask(StatsProtocol.NodeInfo.class, node, Duration.ofSeconds(3), StatsProtocol.GetNodeInfo::new,
        (info, error) -> new Answered(node, info));
  }

  private void rebuild(Map<ActorRef<StatsProtocol.Command>, String> byNode) {
    origins.retainAll(byNode.values());
    origins.addAll(byNode.values());
  }
}
