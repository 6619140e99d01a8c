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
  /** Routers of draining nodes: never chosen. */
  private final java.util.Set<ActorRef<MediaRouterProtocol.Command>> draining = ConcurrentHashMap.newKeySet();

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

  void measured(ActorRef<MediaRouterProtocol.Command> router, int endpoints, boolean isDraining) {
    load.put(router, endpoints);
    if (isDraining) {
      draining.add(router);
    } else if (!router.equals(local)) {
      draining.remove(router);
    }
  }

  /** This node drains: from now on its own router is never chosen, not even by the local strategy. */
  public void drainLocal() {
    draining.add(local);
  }

  void gone(ActorRef<MediaRouterProtocol.Command> router) {
    if (!router.equals(local)) {
      load.remove(router);
      draining.remove(router);
    }
  }

  /** Counts a placement at once, so a burst of joins does not all land on the router that looked emptiest. */
  private void placed(ActorRef<MediaRouterProtocol.Command> router) {
    load.merge(router, 2, Integer::sum); // a participant has a sending and a receiving endpoint
  }

  public ActorRef<MediaRouterProtocol.Command> choose(List<ActorRef<MediaRouterProtocol.Command>> roomRouters) {
    return choose(roomRouters, null);
  }

  /**
   * Chooses a router other than {@code avoid} (null: any) and draining ones. When every router is excluded the
   * answer is the local router, or, if that is excluded too, null: the participant cannot be placed elsewhere.
   */
  public ActorRef<MediaRouterProtocol.Command> choose(List<ActorRef<MediaRouterProtocol.Command>> roomRouters,
                                                      ActorRef<MediaRouterProtocol.Command> avoid) {
    java.util.function.Predicate<ActorRef<MediaRouterProtocol.Command>> usable =
        r -> !r.equals(avoid) && !draining.contains(r);
    ActorRef<MediaRouterProtocol.Command> chosen = switch (strategy) {
      case LOCAL -> usable.test(local) ? local : leastLoaded(load.keySet(), usable);
      case LEAST_LOADED -> leastLoaded(load.keySet(), usable);
      case ROOM_LOCALITY -> {
        List<ActorRef<MediaRouterProtocol.Command>> roomy = roomRouters.stream()
            .filter(r -> load.containsKey(r) && load.get(r) < capacity * nearFull).toList();
        ActorRef<MediaRouterProtocol.Command> near = leastLoaded(roomy, usable);
        yield near != null ? near : leastLoaded(load.keySet(), usable);
      }
    };
    if (chosen == null) {
      chosen = usable.test(local) || avoid == null ? local : null;
    }
    if (chosen != null) {
      placed(chosen);
    }
    return chosen;
  }

  /**
   * Where a participant whose media leaves {@code from} goes: {@code to} when it is given and takes participants,
   * else the choice of {@link #choose(List, ActorRef)}.
   */
  public ActorRef<MediaRouterProtocol.Command> moveTo(ActorRef<MediaRouterProtocol.Command> to,
                                                      ActorRef<MediaRouterProtocol.Command> from) {
    if (to != null && !to.equals(from) && !draining.contains(to)) {
      placed(to);
      return to;
    }
    return choose(List.of(), from);
  }

  /** The router of the node whose cluster address is {@code node}, as last measured; null if unknown. */
  public ActorRef<MediaRouterProtocol.Command> routerOf(String node, String selfNode) {
    for (ActorRef<MediaRouterProtocol.Command> r : load.keySet()) {
      String address = r.path().address().hasGlobalScope() ? r.path().address().toString() : selfNode;
      if (address.equals(node)) {
        return r;
      }
    }
    return null;
  }

  /**
   * Whether {@code router} is in the directory: this node's own, or another reachable node's. A router whose node
   * the cluster cannot reach has left the directory (see {@link RouterDirectory}), though it may come back.
   */
  public boolean reachable(ActorRef<MediaRouterProtocol.Command> router) {
    return router.equals(local) || load.containsKey(router);
  }

  public boolean draining(ActorRef<MediaRouterProtocol.Command> router) {
    return draining.contains(router);
  }

  private ActorRef<MediaRouterProtocol.Command> leastLoaded(
      java.util.Collection<ActorRef<MediaRouterProtocol.Command>> candidates,
      java.util.function.Predicate<ActorRef<MediaRouterProtocol.Command>> usable) {
    ActorRef<MediaRouterProtocol.Command> best = null;
    int bestLoad = Integer.MAX_VALUE;
    for (ActorRef<MediaRouterProtocol.Command> r : candidates) {
      if (!usable.test(r)) {
        continue;
      }
      int l = load.getOrDefault(r, Integer.MAX_VALUE);
      if (l < bestLoad || (l == bestLoad && r.equals(local))) {
        best = r;
        bestLoad = l;
      }
    }
    return best;
  }

  public Map<ActorRef<MediaRouterProtocol.Command>, Integer> load() {
    return Map.copyOf(load);
  }
}
