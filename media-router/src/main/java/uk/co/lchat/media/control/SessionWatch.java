package uk.co.lchat.media.control;

import java.util.HashSet;
import java.util.Set;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

import uk.co.lchat.media.control.MediaRouterProtocol.Command;
import uk.co.lchat.media.control.MediaRouterProtocol.MediaEvent;
import uk.co.lchat.media.control.MediaRouterProtocol.SessionGone;

/**
 * Death watch on the participants' sessions. A session that dies without detaching (its node was killed: no socket
 * close reaches anyone) must not leave its endpoints here until the browser's consent freshness runs out (RFC 7675);
 * the watch tells the router actor at once ({@link SessionGone}). Each session is watched once.
 */
final class SessionWatch {
  private final ActorContext<Command> ctx;
  private final Set<ActorRef<MediaEvent>> watched = new HashSet<>();

  SessionWatch(ActorContext<Command> ctx) {
    this.ctx = ctx;
  }

  void watch(String participantId, ActorRef<MediaEvent> session) {
    if (watched.add(session)) {
      ctx.watchWith(session, new SessionGone(participantId, session));
    }
  }

  void unwatch(ActorRef<MediaEvent> session) {
    if (watched.remove(session)) {
      ctx.unwatch(session);
    }
  }
}
