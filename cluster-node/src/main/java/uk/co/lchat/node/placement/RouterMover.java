package uk.co.lchat.node.placement;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

import uk.co.lchat.autoscaler.Rebalancer;
import uk.co.lchat.media.control.MediaRouterProtocol;

/**
 * The rebalancer's moves: the busy node's media router is asked to shed participants to the idle node's router
 * ({@link MediaRouterProtocol.Shed}), both found in this node's {@link Placement} by their nodes' addresses.
 */
public final class RouterMover implements Rebalancer.Mover {
  private final Placement placement;
  private final String self;
  private final Duration timeout;
  private final Scheduler scheduler;

  /** {@code self}: this node's cluster address, which a local router's path does not carry. */
  public RouterMover(Placement placement, String self, Duration timeout, Scheduler scheduler) {
    this.placement = placement;
    this.self = self;
    this.timeout = timeout;
    this.scheduler = scheduler;
  }

  @Override
  public CompletionStage<Integer> move(String from, String to, int count) {
    ActorRef<MediaRouterProtocol.Command> source = placement.routerOf(from, self);
    ActorRef<MediaRouterProtocol.Command> target = placement.routerOf(to, self);
    if (source == null || target == null) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("no media router known on " + (source == null ? from : to)));
    }
    return AskPattern.ask(source, reply -> new MediaRouterProtocol.Shed(count, target, reply), timeout, scheduler);
  }
}
