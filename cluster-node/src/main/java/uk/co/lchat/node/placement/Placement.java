package uk.co.lchat.node.placement;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.pekko.actor.typed.ActorRef;

import uk.co.lchat.media.control.MediaRouterProtocol;

/**
 * Which node's media router a joining participant's media goes through, whichever node its WebSocket reached.
 * Strategies: {@code local} (the node the client reached), {@code least-loaded} (the router with the fewest media
 * endpoints), {@code room-locality} (a router the room already uses while it is under {@code nearFull} of its
 * capacity, the least loaded of those; else the least loaded overall), which keeps a room on few nodes, so few
 * relays, and spreads a large room instead of overloading one node. Ties go to the local router.
 */
public final class Placement {
  public enum Strategy { LOCAL, LEAST_LOADED, ROOM_LOCALITY }

  private final Strategy strategy;
  private final ActorRef<MediaRouterProtocol.Command> local;
  private final int capacity;
  private final double nearFull;
  /** Every router of the cluster with its media endpoints, as last measured. */
  private final Map<ActorRef<MediaRouterProtocol.Command>, Integer> load = new ConcurrentHashMap<>();

  public Placement(Strategy strategy, ActorRef<MediaRouterProtocol.Command> local, int capacity, double nearFull) {
    this.strategy = strategy;
    this.local = local;
    this.capacity = capacity;
    this.nearFull = nearFull;
    load.put(local, 0);
  }

  public static Strategy strategy(String name) {
    return switch (name) {
      case "local" -> Strategy.LOCAL;
      case "least-loaded" -> Strategy.LEAST_LOADED;
      case "room-locality" -> Strategy.ROOM_LOCALITY;
      default -> throw new IllegalArgumentException("lchat.media.placement.strategy: local, least-loaded or "
          + "room-locality, not " + name);
    };
  }

  void measured(ActorRef<MediaRouterProtocol.Command> router, int endpoints) {
    load.put(router, endpoints);
  }

  void gone(ActorRef<MediaRouterProtocol.Command> router) {
    if (!router.equals(local)) {
      load.remove(router);
    }
  }

  /** Counts a placement at once, so a burst of joins does not all land on the router that looked emptiest. */
  private void placed(ActorRef<MediaRouterProtocol.Command> router) {
    load.merge(router, 2, Integer::sum); // a participant has a sending and a receiving endpoint
  }

  public ActorRef<MediaRouterProtocol.Command> choose(List<ActorRef<MediaRouterProtocol.Command>> roomRouters) {
    ActorRef<MediaRouterProtocol.Command> chosen = switch (strategy) {
      case LOCAL -> local;
      case LEAST_LOADED -> leastLoaded(load.keySet());
      case ROOM_LOCALITY -> {
        List<ActorRef<MediaRouterProtocol.Command>> roomy = roomRouters.stream()
            .filter(r -> load.containsKey(r) && load.get(r) < capacity * nearFull).toList();
        yield roomy.isEmpty() ? leastLoaded(load.keySet()) : leastLoaded(roomy);
      }
    };
    placed(chosen);
    return chosen;
  }

  private ActorRef<MediaRouterProtocol.Command> leastLoaded(
      java.util.Collection<ActorRef<MediaRouterProtocol.Command>> candidates) {
    ActorRef<MediaRouterProtocol.Command> best = null;
    int bestLoad = Integer.MAX_VALUE;
    for (ActorRef<MediaRouterProtocol.Command> r : candidates) {
      int l = load.getOrDefault(r, Integer.MAX_VALUE);
      if (l < bestLoad || (l == bestLoad && r.equals(local))) {
        best = r;
        bestLoad = l;
      }
    }
    return best == null ? local : best;
  }

  public Map<ActorRef<MediaRouterProtocol.Command>, Integer> load() {
    return Map.copyOf(load);
  }
}
