package uk.co.lchat.media.control;

import org.apache.pekko.actor.typed.ActorRef;

import uk.co.lchat.media.control.MediaRouterProtocol.Command;
import uk.co.lchat.media.control.MediaRouterProtocol.MediaEvent;
import uk.co.lchat.media.router.MediaRouter;

/**
 * A participant attached to this router, with its two connections: the one it publishes on (its offer, our answer)
 * and the one it receives on (our offer, its answer), which is re-offered whenever the room changes its sources.
 */
final class Member {
  final String roomId;
  final String participantId;
  /** The participant's signaling session; a resumed session takes the place of the old one. */
  ActorRef<MediaEvent> client;
  /** The router actor this member is attached to: what it says to {@link #client} names it as the sender. */
  final ActorRef<Command> router;
  /** {@link #client} has handed the media over to a resumed session that has not attached yet. */
  private boolean handedOver;
  final PublishingConnection publishing;
  final ReceivingConnection receiving;

  Member(String roomId, String participantId, ActorRef<MediaEvent> client, ActorRef<Command> self, MediaRouter router,
         Endpoints endpoints, LocalTracks tracks, AudioSlots audio) {
    this.roomId = roomId;
    this.participantId = participantId;
    this.client = client;
    this.router = self;
    this.publishing = new PublishingConnection(this, router, endpoints, tracks);
    this.receiving = new ReceivingConnection(this, router, endpoints, tracks, audio);
  }

  /**
   * {@code session} stops because the room resumed the participant over another connection, whose session attaches
   * next ({@link MediaRouterProtocol.HandOver}); true if it was this member's session, whose end is then no loss.
   */
  boolean handOver(ActorRef<MediaEvent> session) {
    if (!client.equals(session)) {
      return false;
    }
    handedOver = true;
    return true;
  }

  /** Whether the end of {@code session} ends the media: it is the participant's session and has not handed over. */
  boolean endsWith(ActorRef<MediaEvent> session) {
    return client.equals(session) && !handedOver;
  }

  /** The participant's signaling resumed over {@code session}, which takes the media on. */
  void resumedOver(ActorRef<MediaEvent> session) {
    client = session;
    handedOver = false;
  }

  /** Both connections end (the participant left, or its session is gone). */
  void close() {
    publishing.close();
    receiving.close();
  }
}
