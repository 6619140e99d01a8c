package uk.co.lchat.node.placement;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

import uk.co.lchat.media.control.MediaRouterProtocol;

/**
 * Keeps {@link Placement} current: registers this node's media router with the receptionist, follows the list of
 * every node's router, and asks each for its endpoint count once per {@code interval}.
 *
 * <p>The receptionist's listing holds only routers on reachable nodes, so a router leaves it as soon as the failure
 * detector gives up on its node (about {@code acceptable-heartbeat-pause} after a kill -9), long before the split
 * brain resolver removes the node. Then the local router drops the relays from it and {@link RouterLost} goes out on
 * the event stream, so that every local session whose media was there moves it at once.
 */
public final class RouterDirectory {
  public static final ServiceKey<MediaRouterProtocol.Command> ROUTERS =
      ServiceKey.create(MediaRouterProtocol.Command.class, "lchat-media-routers");

  private RouterDirectory() {}

  /** Published on the system event stream: {@code router} left the directory (its node is unreachable or gone). */
  public record RouterLost(ActorRef<MediaRouterProtocol.Command> router) {}

  private sealed interface Msg {}

  private record Listing(Receptionist.Listing listing) implements Msg {}

  private record Tick() implements Msg {}

  private record Measured(ActorRef<MediaRouterProtocol.Command> router, MediaRouterProtocol.RouterStatus status)
      implements Msg {}

  public static Behavior<?> create(ActorRef<MediaRouterProtocol.Command> local, Placement placement,
                                      Duration interval) {
    return Behaviors.<Msg>setup(ctx -> {
      ctx.getSystem().receptionist().tell(Receptionist.register(ROUTERS, local));
      ActorRef<Receptionist.Listing> listings = ctx.messageAdapter(Receptionist.Listing.class, Listing::new);
      ctx.getSystem().receptionist().tell(Receptionist.subscribe(ROUTERS, listings));
      Set<ActorRef<MediaRouterProtocol.Command>> routers = new HashSet<>();
      routers.add(local);
      return Behaviors.withTimers(timers -> {
        timers.startTimerWithFixedDelay(new Tick(), interval);
        return Behaviors.receive(Msg.class)
            .onMessage(Listing.class, m -> {
              Set<ActorRef<MediaRouterProtocol.Command>> now = m.listing().getServiceInstances(ROUTERS);
              for (ActorRef<MediaRouterProtocol.Command> r : routers) {
                if (!now.contains(r) && !r.equals(local)) {
                  ctx.getLog().info("media router {} left the directory (its node is unreachable or gone)", r);
                  placement.gone(r);
                  local.tell(new MediaRouterProtocol.RouterGone(r));
                  ctx.getSystem().eventStream().tell(new EventStream.Publish<>(new RouterLost(r)));
                }
              }
              routers.clear();
              routers.addAll(now);
              routers.add(local);
              return Behaviors.same();
            })
            .onMessage(Tick.class, m -> {
              for (ActorRef<MediaRouterProtocol.Command> r : routers) {
                ctx.ask(MediaRouterProtocol.RouterStatus.class, r, interval,
                    MediaRouterProtocol.GetStatus::new, (status, error) -> new Measured(r, status));
              }
              return Behaviors.same();
            })
            .onMessage(Measured.class, m -> {
              if (m.status() != null && routers.contains(m.router())) { // a late answer must not revive a lost one
                // Media endpoints, or two per attached participant who has not connected media yet.
                placement.measured(m.router(), Math.max(m.status().endpoints(), 2 * m.status().participants()),
                    m.status().draining());
              }
              return Behaviors.same();
            })
            .build();
      });
    });
  }
}
