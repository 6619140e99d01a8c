package uk.co.lchat.node.http;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
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
 * The front doors of the cluster's nodes, followed from the directory of nodes (each node's statistics actor):
 * <ul>
 *   <li>their web origins ({@code http://host:port} of each node's client), which the origin check trusts as its
 *   own: a page loaded from one node reconnects its signaling to another when that node drains or dies, and its
 *   Origin is then the first node's. An origin stays trusted after its node has gone, since pages loaded from it
 *   live on (a node killed under its pages is exactly when they come here);</li>
 *   <li>the signaling URLs of the nodes that are reachable and not draining, which {@code hello} gives each client
 *   so it can fail over when its node dies and nothing in front of the nodes would send it elsewhere.</li>
 * </ul>
 */
public final class ClusterOrigins {
  private static final Duration REFRESH = Duration.ofSeconds(5);

  private final Set<String> origins = ConcurrentHashMap.newKeySet();
  private volatile List<StatsProtocol.NodeInfo> live = List.of();

  /** Whether {@code normalisedOrigin} ({@link OriginPolicy#normalise}) is, or was, a node of this cluster. */
  public boolean contains(String normalisedOrigin) {
    return origins.contains(normalisedOrigin);
  }

  /**
   * The signaling WebSocket URLs ({@code ws://host:port/ws}) of the reachable nodes other than {@code self} (a
   * cluster address) that are not draining, as last heard.
   */
  public List<String> signalingUrls(String self) {
    return live.stream().filter(n -> !n.node().equals(self) && !n.draining()).map(StatsProtocol.NodeInfo::wsUrl)
        .sorted().toList();
  }

  private sealed interface Msg {}

  private record Listing(Receptionist.Listing listing) implements Msg {}

  private record Refresh() implements Msg {}

  private record Answered(ActorRef<StatsProtocol.Command> node, StatsProtocol.NodeInfo info) implements Msg {}

  /** The actor that keeps this current. */
  public Behavior<?> follower() {
    return Behaviors.<Msg>setup(ctx -> {
      ctx.getSystem().receptionist().tell(Receptionist.subscribe(StatsProtocol.SERVICE_KEY,
          ctx.messageAdapter(Receptionist.Listing.class, Listing::new)));
      Map<ActorRef<StatsProtocol.Command>, StatsProtocol.NodeInfo> byNode = new HashMap<>();
      Set<ActorRef<StatsProtocol.Command>> listed = ConcurrentHashMap.newKeySet();
      return Behaviors.withTimers(timers -> {
        // A node lists its statistics actor before its HTTP port is bound, and starts draining later: ask every
        // listed node again now and then.
        timers.startTimerWithFixedDelay(new Refresh(), REFRESH);
        return Behaviors.receive(Msg.class)
            .onMessage(Listing.class, m -> {
              // The reachable nodes only: one the cluster cannot reach is no place to send anybody.
              listed.clear();
              listed.addAll(m.listing().getServiceInstances(StatsProtocol.SERVICE_KEY));
              byNode.keySet().retainAll(listed);
              listed.forEach(node -> ask(ctx, node));
              live = List.copyOf(byNode.values());
              return Behaviors.same();
            })
            .onMessage(Refresh.class, m -> {
              listed.forEach(node -> ask(ctx, node));
              return Behaviors.same();
            })
            .onMessage(Answered.class, m -> {
              if (m.info() != null && !m.info().wsUrl().isEmpty() && listed.contains(m.node())) {
                String origin = OriginPolicy.normalise(NodeDrain.httpBase(m.info().wsUrl()));
                if (origin != null) {
                  origins.add(origin);
                  byNode.put(m.node(), m.info());
                  live = List.copyOf(byNode.values());
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
}
