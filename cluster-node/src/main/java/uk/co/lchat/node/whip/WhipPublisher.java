package uk.co.lchat.node.whip;

import java.util.concurrent.CompletableFuture;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

import uk.co.lchat.media.control.MediaRouterProtocol;
import uk.co.lchat.media.control.MediaRouterProtocol.MediaEvent;
import uk.co.lchat.room.RoomActor;
import uk.co.lchat.room.RoomProtocol;
import uk.co.lchat.room.RoomProtocol.ClientEvent;

/**
 * A WHIP publisher (RFC 9725) as a room participant: joins, publishes the offer through this node's router, and
 * completes the HTTP exchange with the answer. It receives nothing, so it never asks the room for sources.
 */
public final class WhipPublisher extends AbstractBehavior<Object> {
  /** The outcome the HTTP route turns into a response. */
  public record Outcome(int status, String body, String participantId) {}

  /** DELETE on the resource. */
  public record Stop() {}

  private final String roomId;
  private final String offer;
  private final ActorRef<MediaRouterProtocol.Command> router;
  private final CompletableFuture<Outcome> outcome;
  private final EntityRef<RoomProtocol.Command> room;
  private String participantId;

  public static Behavior<Object> create(String roomId, String name, String passcode, String offer,
      ActorRef<MediaRouterProtocol.Command> router, CompletableFuture<Outcome> outcome) {
    return Behaviors.setup(ctx -> new WhipPublisher(ctx, roomId, name, passcode, offer, router, outcome));
  }

  private WhipPublisher(ActorContext<Object> ctx, String roomId, String name, String passcode, String offer,
      ActorRef<MediaRouterProtocol.Command> router, CompletableFuture<Outcome> outcome) {
    super(ctx);
    this.roomId = roomId;
    this.offer = offer;
    this.router = router;
    this.outcome = outcome;
    this.room = ClusterSharding.get(ctx.getSystem()).entityRefFor(RoomActor.ENTITY_KEY, roomId);
    String token = "whip" + java.util.UUID.randomUUID().toString().replace("-", "");
    ActorRef<ClientEvent> self = ctx.getSelf().narrow();
    room.tell(new RoomProtocol.Join(token, name, passcode, false, self));
  }

  @Override
  public Receive<Object> createReceive() {
    return newReceiveBuilder()
        .onMessage(ClientEvent.class, this::onRoomEvent)
        .onMessage(MediaEvent.class, this::onMediaEvent)
        .onMessage(Stop.class, m -> leave())
        .build();
  }

  private Behavior<Object> onRoomEvent(ClientEvent event) {
    switch (event) {
      case RoomProtocol.Joined j -> {
        participantId = j.participantId();
        ActorRef<MediaEvent> self = getContext().getSelf().narrow();
        router.tell(new MediaRouterProtocol.Attach(roomId, participantId, self));
        router.tell(new MediaRouterProtocol.Publish(participantId, offer, self));
      }
      case RoomProtocol.JoinRefused r -> {
        int status = r.code().startsWith("passcode") ? 401 : r.code().equals("room_full") ? 503 : 403;
        outcome.complete(new Outcome(status, r.reason() + " (" + r.code() + ")\n", null));
        return Behaviors.stopped();
      }
      case RoomProtocol.LobbyWaiting w -> {
        outcome.complete(new Outcome(403, "The room has a lobby; a WHIP publisher cannot wait in it.\n", null));
        room.tell(new RoomProtocol.Leave(w.lobbyId()));
        return Behaviors.stopped();
      }
      case RoomProtocol.Removed r -> {
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
        outcome.complete(new Outcome(201, p.answerSdp(), participantId));
      }
      case MediaRouterProtocol.MediaFailed f -> {
        if (!outcome.isDone()) {
          outcome.complete(new Outcome(400, "Bad offer: " + f.message() + "\n", null));
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
    if (participantId != null) {
      room.tell(new RoomProtocol.Leave(participantId));
      router.tell(new MediaRouterProtocol.Detach(participantId));
    }
    return Behaviors.stopped();
  }
}
