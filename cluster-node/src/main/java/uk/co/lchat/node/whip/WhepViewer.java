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
import uk.co.lchat.room.RoomActor;
import uk.co.lchat.room.RoomProtocol;
import uk.co.lchat.room.RoomProtocol.ClientEvent;

/**
 * A WHEP viewer as a room participant: it joins as a receive-only viewer through the same access check as everyone
 * else (passcode, lobby, bans, viewer limit), so everyone sees in the roster who is watching, and only then has this
 * node's router answer the offer. It watches one participant's tracks ({@code participantId}) or the room's
 * dominant speaker (null). Removed from the room, it loses its media; its media ending, it leaves the room.
 */
public final class WhepViewer extends AbstractBehavior<Object> {
  private final String roomId;
  private final String resourceId;
  private final String watched;
  private final String name;
  private final Access access;
  private final String offer;
  private final ActorRef<MediaRouterProtocol.Command> router;
  private final SessionResources resources;
  private final CompletableFuture<SessionOutcome> outcome;
  private final EntityRef<RoomProtocol.Command> room;
  private RoomProtocol.TrackList tracks;
  private String viewerId;
  /** The router was asked to answer the offer, so it may hold an endpoint for this viewer. */
  private boolean watchAsked;

  /** {@code access}: the POST's credential, as a passcode or a verified token. */
  public static Behavior<Object> create(String roomId, String resourceId, String participantId, String name,
      Access access, String offer, ActorRef<MediaRouterProtocol.Command> router,
      SessionResources resources, CompletableFuture<SessionOutcome> outcome) {
    return Behaviors.setup(ctx -> new WhepViewer(ctx, roomId, resourceId, participantId, name, access, offer, router,
        resources, outcome));
  }

  private WhepViewer(ActorContext<Object> ctx, String roomId, String resourceId, String participantId, String name,
      Access access, String offer, ActorRef<MediaRouterProtocol.Command> router,
      SessionResources resources, CompletableFuture<SessionOutcome> outcome) {
    super(ctx);
    this.access = access;
    this.roomId = roomId;
    this.resourceId = resourceId;
    this.watched = participantId;
    this.name = name;
    this.offer = offer;
    this.router = router;
    this.resources = resources;
    this.outcome = outcome;
    this.room = ClusterSharding.get(ctx.getSystem()).entityRefFor(RoomActor.ENTITY_KEY, roomId);
    // Asked first, before joining: a viewer must not bring an empty room into being (nor fire its webhooks).
    room.tell(new RoomProtocol.GetTracks(participantId, ctx.getSelf().narrow()));
  }

  @Override
  public Receive<Object> createReceive() {
    return newReceiveBuilder()
        .onMessage(RoomProtocol.TrackList.class, this::onTracks)
        .onMessage(ClientEvent.class, this::onRoomEvent)
        .onMessage(MediaEvent.class, this::onMediaEvent)
        .onMessage(EndSession.class, m -> leave())
        .onSignal(PostStop.class, s -> {
          resources.close(resourceId);
          return this;
        })
        .build();
  }

  private Behavior<Object> onTracks(RoomProtocol.TrackList list) {
    if (!list.exists()) {
      outcome.complete(SessionOutcome.error(404, watched == null ? "room_not_found"
          : "participant_not_found", watched == null ? "No such room." : "No such room or participant."));
      return Behaviors.stopped();
    }
    tracks = list;
    String token = "whep" + UUID.randomUUID().toString().replace("-", "");
    room.tell(new RoomProtocol.Join(token, name, access.passcode(), true, getContext().getSelf().narrow(), null,
        access.clientAddress(), access.identity(), null));
    return this;
  }

  private Behavior<Object> onRoomEvent(ClientEvent event) {
    switch (event) {
      case RoomProtocol.Joined j -> {
        viewerId = j.participantId();
        if (j.room().participants().size() <= 1) {
          // Everyone left between our two questions: there is nothing to watch, and the room should end.
          outcome.complete(SessionOutcome.error(404, "room_not_found", "No such room."));
          return leave();
        }
        ActorRef<MediaEvent> self = getContext().getSelf().narrow();
        watchAsked = true;
        router.tell(watched == null
            ? new MediaRouterProtocol.WatchSpeaker(roomId, viewerId, offer, tracks.dominantSpeaker(), self)
            : new MediaRouterProtocol.Watch(roomId, viewerId, offer, tracks.tracks(), self));
      }
      case RoomProtocol.JoinRefused r -> {
        outcome.complete(SessionOutcome.refused(r.code(), r.reason(), r.retryAfterSeconds()));
        return Behaviors.stopped();
      }
      case RoomProtocol.LobbyWaiting w -> {
        // As for WHIP: an HTTP POST cannot wait for a moderator, and WHEP has no way to answer later.
        outcome.complete(SessionOutcome.error(403, "lobby",
            "The room has a lobby; a WHEP viewer cannot wait in it."));
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
      case MediaRouterProtocol.Subscribed s -> {
        resources.open(resourceId, Protocol.WHEP, roomId, access.credential(), getContext().getSelf(), viewerId);
        outcome.complete(SessionOutcome.created(s.answerSdp(), viewerId));
      }
      case MediaRouterProtocol.MediaFailed f -> {
        // A bad offer, or (later) the viewer's connection closed: either way it no longer watches.
        outcome.complete(SessionOutcome.error(400, "bad_sdp", "Bad offer: " + f.message()));
        return leave();
      }
      default -> { }
    }
    return this;
  }

  /** Leaves the room (a no-op if it already removed us) and ends the media, whichever of the two is left. */
  private Behavior<Object> leave() {
    // The URL answers 404 from now on, before anyone can hear of the leave: the actor's PostStop comes later, and a
    // client that saw the roster change could otherwise still end the session a second time.
    resources.close(resourceId);
    if (watchAsked) {
      // Sent after the Watch, so it reaches the router after it (one sender, one receiver: Pekko keeps the order).
      router.tell(new MediaRouterProtocol.Unwatch(viewerId, getContext().getSystem().ignoreRef()));
    }
    if (viewerId != null) {
      room.tell(new RoomProtocol.Leave(viewerId));
    }
    return Behaviors.stopped();
  }
}
