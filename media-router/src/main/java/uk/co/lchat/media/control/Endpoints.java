package uk.co.lchat.media.control;

import java.util.Objects;

import org.apache.pekko.actor.typed.ActorRef;

import uk.co.lchat.media.control.MediaRouterProtocol.Command;
import uk.co.lchat.media.control.MediaRouterProtocol.EndpointClosed;
import uk.co.lchat.media.router.Endpoint;
import uk.co.lchat.media.router.EndpointListener;
import uk.co.lchat.media.router.MediaRouter;

/**
 * Opens the router actor's endpoints and names them: a participant's publishing ({@code <id>/pub}) and receiving
 * ({@code <id>/sub}) connections, each an attempt in the conference statistics, and a WHEP viewer's
 * ({@code <id>/watch}). As their listener it reports back from the router's thread: a connection to the statistics,
 * a close to the actor ({@link EndpointClosed}), which acts on it in its own time.
 */
final class Endpoints implements EndpointListener {
  private static final String VIEWER = "/watch";

  private final MediaRouter router;
  private final ConferenceTracker conferences;
  private final ActorRef<Command> actor;

  Endpoints(MediaRouter router, ConferenceTracker conferences, ActorRef<Command> actor) {
    this.router = router;
    this.conferences = conferences;
    this.actor = actor;
  }

  Endpoint publishing(String roomId, String participantId) {
    return participants(roomId, participantId, "/pub");
  }

  Endpoint receiving(String roomId, String participantId) {
    return participants(roomId, participantId, "/sub");
  }

  Endpoint viewer(String roomId, String viewerId) {
    return router.createEndpoint(viewerId + VIEWER, roomId, this);
  }

  /** The participant or viewer an endpoint belongs to. */
  static String ownerOf(String endpointId) {
    return endpointId.substring(0, endpointId.lastIndexOf('/'));
  }

  static boolean isViewer(String endpointId) {
    return endpointId.endsWith(VIEWER);
  }

  private Endpoint participants(String roomId, String participantId, String suffix) {
    Endpoint e = router.createEndpoint(participantId + suffix, roomId, this);
    conferences.mediaAttempted(roomId, participantId);
    return e;
  }

  @Override
  public void connected(Endpoint endpoint) {
    if (!isViewer(endpoint.id())) {
      conferences.mediaConnected(endpoint.group(), ownerOf(endpoint.id()));
    }
  }

  @Override
  public void closed(Endpoint endpoint, String reason) {
    actor.tell(new EndpointClosed(endpoint.id(), Objects.requireNonNullElse(reason, "closed")));
  }
}
