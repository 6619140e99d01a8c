package uk.co.lchat.node.whip;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

import uk.co.lchat.media.control.MediaRouterProtocol;
import uk.co.lchat.media.control.MediaRouterProtocol.MediaEvent;
import uk.co.lchat.node.whip.SessionResources.Protocol;
import uk.co.lchat.room.FeaturePolicy;
import uk.co.lchat.room.RoomActor;
import uk.co.lchat.room.RoomProtocol;
import uk.co.lchat.room.RoomProtocol.ClientEvent;
import uk.co.lchat.room.ScreenShare;

/**
 * A WHIP publisher (RFC 9725) as a room participant: joins, publishes the offer through this node's router, and
 * completes the HTTP exchange with the answer. It receives nothing, so it never asks the room for sources. While it
 * publishes, its resource id is registered in {@link SessionResources}; it is gone from there once the publisher
 * has left (DELETE, removed by a moderator, or its connection closed).
 */
public final class WhipPublisher extends AbstractBehavior<Object> {
  private final String roomId;
  private final String resourceId;
  private final Access access;
  private final String offer;
  private final ActorRef<MediaRouterProtocol.Command> router;
  private final SessionResources resources;
  private final CompletableFuture<SessionOutcome> outcome;
  private final EntityRef<RoomProtocol.Command> room;
  private String participantId;

  /** {@code access}: the POST's credential, as a passcode or a verified token. */
  public static Behavior<Object> create(String roomId, String resourceId, String name, Access access, String offer,
      ActorRef<MediaRouterProtocol.Command> router, SessionResources resources,
      CompletableFuture<SessionOutcome> outcome) {
    return Behaviors.setup(ctx -> new WhipPublisher(ctx, roomId, resourceId, name, access, offer, router, resources,
        outcome));
  }

  private WhipPublisher(ActorContext<Object> ctx, String roomId, String resourceId, String name, Access access,
      String offer, ActorRef<MediaRouterProtocol.Command> router, SessionResources resources,
      CompletableFuture<SessionOutcome> outcome) {
    super(ctx);
    this.access = access;
    this.roomId = roomId;
    this.resourceId = resourceId;
    this.offer = offer;
    this.router = router;
    this.resources = resources;
    this.outcome = outcome;
    this.room = ClusterSharding.get(ctx.getSystem()).entityRefFor(RoomActor.ENTITY_KEY, roomId);
    String token = "whip" + UUID.randomUUID().toString().replace("-", "");
    ActorRef<ClientEvent> self = ctx.getSelf().narrow();
    room.tell(new RoomProtocol.Join(token, name, access.passcode(), false, self, null, access.clientAddress(),
        access.identity(), null));
  }

  @Override
  public Receive<Object> createReceive() {
    return newReceiveBuilder()
        .onMessage(ClientEvent.class, this::onRoomEvent)
        .onMessage(MediaEvent.class, this::onMediaEvent)
        .onMessage(EndSession.class, m -> leave())
        .onSignal(PostStop.class, s -> {
          resources.close(resourceId);
          return this;
        })
        .build();
  }

  private Behavior<Object> onRoomEvent(ClientEvent event) {
    switch (event) {
      case RoomProtocol.Joined j -> {
        participantId = j.participantId();
        FeaturePolicy.Refusal screen = FeaturePolicy.refusal(FeaturePolicy.SCREENSHARE,
            j.room().settings().features(), j.grants());
        if (screen != null && ScreenShare.sends(offer)) {
          // A second video or audio track is a screen share, whoever publishes it: refused as for a browser.
          outcome.complete(SessionOutcome.error(403, screen.code(), screen.message()));
          return leave();
        }
        ActorRef<MediaEvent> self = getContext().getSelf().narrow();
        router.tell(new MediaRouterProtocol.Attach(roomId, participantId, self));
        router.tell(new MediaRouterProtocol.Publish(participantId, offer, self));
      }
      case RoomProtocol.JoinRefused r -> {
        outcome.complete(SessionOutcome.refused(r.code(), r.reason(), r.retryAfterSeconds()));
        return Behaviors.stopped();
      }
      case RoomProtocol.LobbyWaiting w -> {
        // An HTTP POST cannot wait for a moderator, and WHIP has no way to answer later.
        outcome.complete(SessionOutcome.error(403, "lobby",
            "The room has a lobby; a WHIP publisher cannot wait in it."));
        room.tell(new RoomProtocol.Leave(w.lobbyId()));
        return Behaviors.stopped();
      }
      case RoomProtocol.Removed r -> {
        return leave();
      }
      case RoomProtocol.RoomEnded e -> {
        return leave();
      }
      default -> { }
    }
    return this;
  }

  private Behavior<Object> onMediaEvent(MediaEvent event) {
    switch (event) {
      case MediaRouterProtocol.Published p -> {
        room.tell(new RoomProtocol.PublishTracks(participantId, p.tracks()));
        if (!outcome.isDone()) {
          resources.open(resourceId, Protocol.WHIP, roomId, access.credential(), getContext().getSelf(),
              participantId);
          outcome.complete(SessionOutcome.created(p.answerSdp(), participantId));
        }
      }
      case MediaRouterProtocol.MediaFailed f -> {
        if (!outcome.isDone()) {
          outcome.complete(SessionOutcome.error(400, "bad_sdp", "Bad offer: " + f.message()));
          return leave();
        }
        if (f.code().equals("publish_closed")) {
          return leave();
        }
      }
      case MediaRouterProtocol.SpeakerActive s -> room.tell(new RoomProtocol.SetDominantSpeaker(participantId));
      default -> { }
    }
    return this;
  }

  private Behavior<Object> leave() {
    // The URL answers 404 from now on, before anyone can hear of the leave: the actor's PostStop comes later, and a
    // client that saw the roster change could otherwise still end the session a second time.
    resources.close(resourceId);
    if (participantId != null) {
      room.tell(new RoomProtocol.Leave(participantId));
      router.tell(new MediaRouterProtocol.Detach(participantId));
    }
    return Behaviors.stopped();
  }
}
