package uk.co.lchat.media.control;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;

import uk.co.lchat.media.control.MediaRouterProtocol.Command;
import uk.co.lchat.media.router.MediaRouter;
import uk.co.lchat.media.router.RouterSettings;

/**
 * A node's media router: the data plane ({@link MediaRouter}, its socket and thread) and its control actor
 * ({@link MediaRouterActor}, a system actor named {@code media-router}), started together so that the router's
 * speaker changes reach the actor from the first packet.
 */
public record NodeRouter(MediaRouter data, ActorRef<Command> control) {
  /** {@code relayHost}: where other nodes' routers reach this one's media port for relays. */
  public static NodeRouter start(ActorSystem<?> system, RouterSettings settings, ConferenceTracker conferences,
                                 String relayHost) throws IOException {
    AtomicReference<ActorRef<Command>> actor = new AtomicReference<>();
    MediaRouter router = MediaRouter.start(settings, MediaRouterActor.speakerListener(actor::get));
    actor.set(system.systemActorOf(MediaRouterActor.create(router, conferences, relayHost, settings.audioSlots()),
        "media-router", Props.empty()));
    return new NodeRouter(router, actor.get());
  }
}
