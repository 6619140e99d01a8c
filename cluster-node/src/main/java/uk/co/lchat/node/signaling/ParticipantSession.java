package uk.co.lchat.node.signaling;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

import uk.co.lchat.egress.EgressCluster;
import uk.co.lchat.media.control.MediaRouterProtocol;
import uk.co.lchat.node.auth.JoinTokens;
import uk.co.lchat.node.placement.Placement;
import uk.co.lchat.node.placement.RouterDirectory;
import uk.co.lchat.node.recording.RecordingDownloads;
import uk.co.lchat.media.control.MediaRouterProtocol.MediaEvent;
import uk.co.lchat.media.control.VideoConstraints;
import uk.co.lchat.node.signaling.Inbound.*;
import uk.co.lchat.node.turn.IceServers;
import uk.co.lchat.room.FeaturePolicy;
import uk.co.lchat.room.RoomActor;
import uk.co.lchat.room.RoomProtocol;
import uk.co.lchat.room.RoomProtocol.ClientEvent;
import uk.co.lchat.room.ScreenShare;

/**
 * One signaling WebSocket: turns the client's JSON into room commands and the room's events into JSON.
 *
 * <p>The actor takes {@code Object} so that the room can hold and watch this very actor as its
 * {@code ActorRef<ClientEvent>} (a narrowed reference), wherever in the cluster the room lives; a message adapter
 * would not be watchable across nodes the same way.
 */
public final class ParticipantSession extends AbstractBehavior<Object> {

  /** Text frames from the client, already limited in size. */
  public record FromClient(String text) {}

  /** A message over the size limit (its text is not kept). */
  public record Oversized(long bytes) {}

  /** The socket closed or failed. */
  public record ConnectionClosed() {}

  /**
   * This node is draining: the client should continue over a new connection to {@code url} (empty: the same URL),
   * resuming its participant there.
   */
  public record Reconnect(String url) {}

  /** What the session asks the socket to do. */
  public sealed interface Outbound {
    /** A message the client must get (room state, media, errors): never dropped. */
    record Text(String json) implements Outbound {}

    /**
     * A message relayed from another member ({@code peer}, {@code chat}) that a client reading too slowly may miss
     * (see {@link OutboundQueue}).
     */
    record Droppable(String json) implements Outbound {}

    record Close() implements Outbound {}
  }

  /** How the room or the egress answered this participant's startRecording or stopRecording. */
  private record RecordingAnswer(RoomProtocol.Outcome outcome, String message) {}

  /** The recordings of {@code roomId} listed for this moderator, or why not ({@code recordings} null). */
  private record RecordingsListed(String roomId, List<RecordingDownloads.Listed> recordings, Throwable failure) {}

  private static final SecureRandom RANDOM = new SecureRandom();

  private final ActorRef<Outbound> socket;
  private final ClusterSharding sharding;
  private final SignalingCounters counters;
  private final int maxMessageBytes;
  private final SignalingSettings settings;
  private final MessageRateLimit rateLimit;
  /** This participant's media router: the local one until the join places it (see {@link Placement}). */
  private ActorRef<MediaRouterProtocol.Command> router;
  private final Placement placement;
  private final String clientAddress;
  private final JoinTokens tokens;
  /** The cluster's recordings: a moderator's startRecording starts one on a node that records; null: not wired. */
  private final EgressCluster egress;
  /** The room's recordings with download links, which a moderator's listRecordings lists. */
  private final RecordingDownloads downloads;
  private String sessionToken;
  private String roomId;
  private EntityRef<RoomProtocol.Command> room;
  private String participantId;
  /**
   * This participant's role as the room last said ({@code joined}, {@code resumed}, {@code role}). A role only ever
   * rises, so this is never more than the room grants.
   */
  private RoomProtocol.Role role;
  private String lobbyId;
  /** The resumed participant's router was lost: after {@code resumed}, tell the client to publish again. */
  private boolean mediaMovedAfterResume;
  /** The room's feature flags as last heard, and what this participant's token allows ({@link FeaturePolicy}). */
  private Map<String, Boolean> roomFeatures = Map.of();
  private Map<String, Boolean> grants;
  /** The client's last videoConstraints (null: none), given again to every router its media attaches to. */
  private VideoConstraints videoConstraints;

  /**
   * {@code otherNodes}: the other live nodes' signaling URLs, for the client to fail over to;
   * {@code clientAddress}: the client's IP address as the node's socket saw it (null: unknown); {@code tokens}:
   * verifies the join tokens clients present.
   */
  public static Behavior<Object> create(ActorRef<Outbound> socket, SignalingCounters counters,
                                        SignalingSettings settings, String nodeAddress, List<String> otherNodes,
                                        ActorRef<MediaRouterProtocol.Command> router, Placement placement,
                                        String clientAddress, JoinTokens tokens, EgressCluster egress,
                                        RecordingDownloads downloads) {
    return Behaviors.setup(ctx -> new ParticipantSession(ctx, socket, counters, settings, nodeAddress, otherNodes,
        router, placement, clientAddress, tokens, egress, downloads));
  }

  private ParticipantSession(ActorContext<Object> ctx, ActorRef<Outbound> socket, SignalingCounters counters,
                             SignalingSettings settings, String nodeAddress, List<String> otherNodes,
                             ActorRef<MediaRouterProtocol.Command> router, Placement placement,
                             String clientAddress, JoinTokens tokens, EgressCluster egress,
                             RecordingDownloads downloads) {
    super(ctx);
    this.egress = egress;
    this.downloads = downloads;
    this.clientAddress = clientAddress;
    this.tokens = tokens;
    this.router = router;
    this.placement = placement;
    this.socket = socket;
    this.sharding = ClusterSharding.get(ctx.getSystem());
    this.counters = counters;
    this.settings = settings;
    this.maxMessageBytes = settings.maxMessageBytes();
    this.rateLimit = settings.newRateLimit(System.nanoTime());
    this.sessionToken = newToken();
    counters.connectionOpened();
    ctx.getSystem().eventStream().tell(new EventStream.Subscribe<>(RouterDirectory.RouterLost.class,
        ctx.getSelf().narrow()));
    send(SignalingCodec.hello(sessionToken, nodeAddress, otherNodes));
  }

  @Override
  public Receive<Object> createReceive() {
    return newReceiveBuilder()
        .onMessage(FromClient.class, m -> withinRate(() -> onText(m.text())))
        .onMessage(Oversized.class, m -> withinRate(() -> {
          counters.messageReceived();
          send(SignalingCodec.error("too_large", "Messages are limited to " + maxMessageBytes + " bytes."));
          return this;
        }))
        .onMessage(ConnectionClosed.class, m -> dropped())
        .onMessage(Reconnect.class, m -> {
          send(SignalingCodec.reconnect(m.url()));
          return this;
        })
        .onMessage(RecordingAnswer.class, m -> {
          if (m.outcome() != RoomProtocol.Outcome.DONE) {
            send(SignalingCodec.error("recording_refused", m.message()));
          }
          return this;
        })
        .onMessage(RecordingsListed.class, this::onRecordingsListed)
        .onMessage(ClientEvent.class, this::onRoomEvent)
        .onMessage(MediaEvent.class, this::onMediaEvent)
        .onMessage(RouterDirectory.RouterLost.class, m -> {
          if (participantId != null) {
            moveMedia(m.router(), null); // its node is unreachable: nothing from it will come, nor go back to it
          }
          return this;
        })
        .build();
  }

  /**
   * Handles a client message if the socket is within its rate limit. A message over it is dropped, before it is
   * even parsed: the first one since the client was calm gets an error, the rest nothing, and a client that keeps
   * on is closed (only this sender: whoever it floods stays connected).
   */
  private Behavior<Object> withinRate(Supplier<Behavior<Object>> handle) {
    MessageRateLimit.Verdict verdict = rateLimit.admit(System.nanoTime());
    if (verdict == MessageRateLimit.Verdict.ACCEPT) {
      return handle.get();
    }
    counters.messageReceived();
    counters.messageRateLimited();
    switch (verdict) {
      case REFUSE_AND_WARN -> send(SignalingCodec.error("rate_limited", "Too many messages: at most "
          + settings.burst() + " at once and " + rateText() + " a second; messages over that are dropped, and a"
          + " client that keeps sending is disconnected."));
      case CLOSE -> {
        counters.socketClosedForFlooding();
        getContext().getLog().warn("{} in room {}: closed for sending over the rate limit ({} a second)",
            participantId != null ? participantId : "a session", roomId, rateText());
        send(SignalingCodec.error("rate_limited", "Too many messages: this connection is closed."));
        return closed();
      }
      default -> { }
    }
    return this;
  }

  private String rateText() {
    double rate = settings.messagesPerSecond();
    return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
  }

  private Behavior<Object> onText(String text) {
    counters.messageReceived();
    switch (SignalingCodec.decode(text)) {
      case Invalid bad -> send(SignalingCodec.error(bad.code(), bad.message()));
      case Ping p -> send(SignalingCodec.pong());
      case JoinRequest join -> join(join);
      case LeaveRequest leave -> leaveRoom();
      case PublishRequest publish -> {
        if (participantId == null) {
          send(SignalingCodec.error("not_joined", "Join a room before publishing."));
        } else if (screenRefusal(publish.sdp()) instanceof FeaturePolicy.Refusal r) {
          // Refused before the router sees it: nothing of this offer is published, the client's media stays as it was.
          getContext().getLog().info("{} in room {}: publish refused, {}", participantId, roomId, r.code());
          send(SignalingCodec.error(r.code(), r.message(), r.feature()));
        } else {
          router.tell(new MediaRouterProtocol.Publish(participantId, publish.sdp(), mediaSelf()));
        }
      }
      case CandidateRequest candidate -> {
        // ICE-lite: the router answers the client's checks on whichever candidate they come from, so trickled
        // candidates carry nothing it needs (RFC 8445 §2.5). Accepted so standard trickling clients work unchanged.
      }
      case RestartIceRequest restart -> {
        if (participantId == null) {
          send(SignalingCodec.error("not_joined", "Join a room before restarting ICE."));
        } else {
          router.tell(new MediaRouterProtocol.RestartIce(participantId));
        }
      }
      case VideoConstraintsRequest constraints -> {
        // Held here too: the media may move to another router (drain, rebalancing), which must hear them again.
        videoConstraints = constraints.constraints();
        if (participantId == null) {
          send(SignalingCodec.error("not_joined", "Join a room before sending videoConstraints."));
        } else {
          router.tell(new MediaRouterProtocol.SetVideoConstraints(participantId, videoConstraints));
        }
      }
      case SubscribeAnswerRequest answer -> {
        if (participantId == null) {
          send(SignalingCodec.error("not_joined", "Join a room before answering."));
        } else {
          router.tell(new MediaRouterProtocol.SubscribeAnswer(participantId, answer.sdp()));
        }
      }
      case StartRecordingRequest start -> {
        if (participantId == null) {
          send(SignalingCodec.error("not_joined", "Join a room before starting a recording."));
        } else if (egress == null) {
          send(SignalingCodec.error("recording_refused", "Recording is not available on this node."));
        } else {
          // Everyone hears 'recording' from the room once it runs; only a refusal comes back to the asker.
          getContext().pipeToSelf(egress.start(start.request(), roomId, participantId), (r, e) -> r != null
              ? new RecordingAnswer(r.outcome(), r.message())
              : new RecordingAnswer(RoomProtocol.Outcome.INVALID, "The recording did not start: " + e.getMessage()));
        }
      }
      case StopRecordingRequest stop -> {
        if (participantId == null) {
          send(SignalingCodec.error("not_joined", "Join a room before stopping a recording."));
        } else {
          room.tell(new RoomProtocol.StopRecording(participantId, stop.egressId(), getContext().messageAdapter(
              RoomProtocol.ServerAnswer.class, a -> a instanceof RoomProtocol.ServerReply r
                  ? new RecordingAnswer(r.outcome(), r.message())
                  : new RecordingAnswer(RoomProtocol.Outcome.INVALID, "Unexpected answer."))));
        }
      }
      case ListRecordingsRequest list -> {
        if (participantId == null) {
          send(SignalingCodec.error("not_joined", "Join a room before listing its recordings."));
        } else if (role != RoomProtocol.Role.MODERATOR) {
          send(SignalingCodec.error("forbidden", "Only a moderator can list the recordings."));
        } else {
          String listed = roomId;
          getContext().pipeToSelf(downloads.list(listed),
              (recordings, e) -> new RecordingsListed(listed, recordings, e));
        }
      }
      case ForRoom command -> {
        if (participantId == null) {
          send(SignalingCodec.error("not_joined", "Join a room before sending " + command.type() + "."));
        } else {
          room.tell(command.command().apply(participantId));
        }
      }
    }
    return this;
  }

  private void join(JoinRequest join) {
    if (roomId != null) {
      send(SignalingCodec.error("already_joined", "Leave " + roomId + " before joining another room."));
      return;
    }
    // The token is verified here, where the join arrives, not on the room's thread; the room gets its claims.
    RoomProtocol.Identity identity = null;
    String tokenRefusal = null;
    if (join.token() != null) {
      switch (tokens.verify(join.token(), join.room(), Instant.now())) {
        case JoinTokens.Valid v -> identity = v.identity();
        case JoinTokens.Refused r -> {
          getContext().getLog().info("join to {} refused: {} ({})", join.room(), r.code(), r.message());
          if (join.resume() == null) {
            send(SignalingCodec.encode(new RoomProtocol.JoinRefused(r.code(), r.message())));
            return;
          }
          tokenRefusal = r.code(); // the room resumes a matching participant anyway: its session token proves it
        }
      }
    }
    if (join.sessionToken() != null) {
      sessionToken = join.sessionToken();
    }
    roomId = join.room();
    room = sharding.entityRefFor(RoomActor.ENTITY_KEY, roomId);
    ActorRef<ClientEvent> self = getContext().getSelf().narrow();
    room.tell(new RoomProtocol.Join(sessionToken, join.name(), join.passcode(), join.viewer(), self,
        join.resume(), clientAddress, identity, tokenRefusal));
  }

  private void leaveRoom() {
    String member = participantId != null ? participantId : lobbyId;
    if (member != null) {
      room.tell(new RoomProtocol.Leave(member, getContext().getSelf().narrow()));
    }
    if (participantId != null) {
      router.tell(new MediaRouterProtocol.Detach(participantId, mediaSelf()));
    }
    roomId = null;
    room = null;
    participantId = null;
    role = null;
    lobbyId = null;
  }

  private Behavior<Object> onRecordingsListed(RecordingsListed m) {
    if (!m.roomId().equals(roomId) || participantId == null) {
      return this; // left the room while its storage was read: those links are not for this session any more
    }
    if (m.recordings() == null) {
      getContext().getLog().warn("{} in room {}: the recordings could not be listed: {}", participantId, roomId,
          m.failure().toString());
      send(SignalingCodec.error("unavailable", "The recordings could not be listed; try again."));
    } else {
      send(SignalingCodec.recordings(m.recordings()));
    }
    return this;
  }

  private Behavior<Object> onRoomEvent(ClientEvent event) {
    if (roomId == null) {
      return this; // a late event from a room this session has left
    }
    switch (event) {
      case RoomProtocol.Joined j -> {
        participantId = j.participantId();
        role = j.role();
        lobbyId = null;
        grants = j.grants();
        roomFeatures = j.room().settings().features();
        attachMedia(placement.choose(j.routers()));
      }
      case RoomProtocol.SettingsChanged c -> roomFeatures = c.settings().features();
      case RoomProtocol.RoleChanged c -> role = c.role();
      case RoomProtocol.Resumed r -> {
        participantId = r.participantId();
        role = r.role();
        lobbyId = null;
        grants = r.grants();
        roomFeatures = r.room().settings().features();
        if (r.mediaRouter() != null && placement.reachable(r.mediaRouter())) {
          router = r.mediaRouter(); // the media carries on where it is; its events now come here
          router.tell(new MediaRouterProtocol.Attach(roomId, participantId, mediaSelf()));
          tellVideoConstraints();
        } else {
          // No media yet, or its router went with the node the client reconnects from: it publishes again here.
          attachMedia(placement.choose(java.util.List.of()));
          mediaMovedAfterResume = r.mediaRouter() != null;
        }
      }
      case RoomProtocol.Superseded s -> {
        // The participant continues over another connection: leave nothing behind, take nothing with us.
        send(SignalingCodec.encode(event));
        handMediaOver();
        participantId = null;
        roomId = null;
        room = null;
        return closed();
      }
      case RoomProtocol.LobbyWaiting w -> lobbyId = w.lobbyId();
      case RoomProtocol.JoinRefused r -> {
        roomId = null;
        room = null;
        lobbyId = null;
      }
      default -> { }
    }
    if (event instanceof RoomProtocol.PeerRelayed || event instanceof RoomProtocol.ChatDelivered
        || event instanceof RoomProtocol.DataReceived) {
      sendDroppable(SignalingCodec.encode(event));
    } else if (event instanceof RoomProtocol.Joined || event instanceof RoomProtocol.Resumed) {
      // In the room now: TURN credentials go only to participants who passed the room's access check.
      send(SignalingCodec.encode(event, IceServers.get(getContext().getSystem()).forUser(participantId)));
    } else if (RosterEncodings.shared(event)) {
      send(RosterEncodings.encode(event));
    } else {
      send(SignalingCodec.encode(event));
    }
    if (mediaMovedAfterResume) {
      mediaMovedAfterResume = false;
      send(SignalingCodec.mediaMoved());
    }
    if (event instanceof RoomProtocol.Removed || event instanceof RoomProtocol.RoomEnded) {
      router.tell(new MediaRouterProtocol.Detach(participantId, mediaSelf()));
      participantId = null;
      roomId = null;
      return closed();
    }
    return this;
  }

  private Behavior<Object> onMediaEvent(MediaEvent event) {
    if (participantId == null) {
      return this;
    }
    switch (event) {
      case MediaRouterProtocol.Published p -> {
        send(SignalingCodec.publishAnswer(p.answerSdp()));
        room.tell(new RoomProtocol.PublishTracks(participantId, p.tracks()));
      }
      case MediaRouterProtocol.SubscribeOffer o -> {
        // An offer the router our media has just left made before it heard of the move: the client's answer would
        // go to the new router, which would take it for the answer to its own (fresh) offer, coming next.
        if (o.router().equals(router)) {
          send(SignalingCodec.subscribeOffer(o.sdp(), o.fresh()));
        }
      }
      case MediaRouterProtocol.MediaFailed f -> {
        if (f.code().equals("publish_closed")) {
          room.tell(new RoomProtocol.PublishTracks(participantId, java.util.List.of()));
        }
        send(SignalingCodec.error(f.code(), f.message()));
      }
      case MediaRouterProtocol.SpeakerActive s -> room.tell(new RoomProtocol.SetDominantSpeaker(participantId));
      case MediaRouterProtocol.MoveMedia m -> moveMedia(m.from(), m.to());
      case MediaRouterProtocol.Subscribed s -> { }
    }
    return this;
  }

  /**
   * The media router {@code from} drains or sheds load to {@code to}: attach to {@code to} (or, when it is null or
   * drains too, to where placement chooses) and tell the client, which publishes again there (the new router's
   * subscribeOffer follows from the room's sources).
   */
  private void moveMedia(ActorRef<MediaRouterProtocol.Command> from, ActorRef<MediaRouterProtocol.Command> to) {
    if (!from.equals(router)) {
      return; // already moved
    }
    ActorRef<MediaRouterProtocol.Command> next = placement.moveTo(to, from);
    if (next == null) {
      getContext().getLog().warn("{}: no other media router to move to; the media stays until it leaves",
          participantId);
      return;
    }
    router.tell(new MediaRouterProtocol.Detach(participantId, mediaSelf()));
    attachMedia(next);
    send(SignalingCodec.mediaMoved());
  }

  /** Puts this participant's media on {@code next} and tells the room, which sends that router the sources. */
  private void attachMedia(ActorRef<MediaRouterProtocol.Command> next) {
    router = next;
    router.tell(new MediaRouterProtocol.Attach(roomId, participantId, mediaSelf()));
    tellVideoConstraints();
    room.tell(new RoomProtocol.AttachMedia(participantId, router));
  }

  /** The client's video constraints, if it sent any, for the router its media is attached to now. */
  private void tellVideoConstraints() {
    if (videoConstraints != null) {
      router.tell(new MediaRouterProtocol.SetVideoConstraints(participantId, videoConstraints));
    }
  }

  /**
   * Why this participant may not publish {@code sdp}, or null: an offer that sends a screen ({@link ScreenShare})
   * needs the room's screenshare flag and, with a token, its grant. Offers without one are never held up.
   */
  private FeaturePolicy.Refusal screenRefusal(String sdp) {
    FeaturePolicy.Refusal refusal = FeaturePolicy.refusal(FeaturePolicy.SCREENSHARE, roomFeatures, grants);
    return refusal != null && ScreenShare.sends(sdp) ? refusal : null;
  }

  private ActorRef<MediaEvent> mediaSelf() {
    return getContext().getSelf().narrow();
  }

  /**
   * The socket closed without a {@code leave}: in a room, the participant is kept for {@code resume-grace} so the
   * client can reconnect and resume it (the room then tells this session {@link RoomProtocol.Superseded}); else it
   * leaves, as before.
   */
  private Behavior<Object> dropped() {
    if (participantId == null) {
      return closed();
    }
    counters.connectionClosed();
    socket.tell(new Outbound.Close());
    getContext().getLog().debug("session of {} in {}: connection dropped, kept for {}", participantId, roomId,
        settings.resumeGrace());
    getContext().scheduleOnce(settings.resumeGrace(), getContext().getSelf(), new ResumeGraceOver());
    return Behaviors.receive(Object.class)
        .onMessage(RoomProtocol.Superseded.class, m -> {
          handMediaOver(); // resumed elsewhere: leave nothing
          return Behaviors.stopped();
        })
        .onMessage(ResumeGraceOver.class, m -> {
          leaveRoom();
          return Behaviors.stopped();
        })
        .onAnyMessage(m -> Behaviors.same()) // nobody to tell: the socket is gone
        .build();
  }

  private record ResumeGraceOver() {}

  /**
   * The room resumed the participant over another connection: the router keeps its media for the new session, and
   * must not take this session's end (it watches it) for the participant's.
   */
  private void handMediaOver() {
    if (router != null && participantId != null) {
      router.tell(new MediaRouterProtocol.HandOver(participantId, mediaSelf()));
    }
  }

  private Behavior<Object> closed() {
    leaveRoom();
    counters.connectionClosed();
    socket.tell(new Outbound.Close());
    return Behaviors.stopped();
  }

  private void send(String json) {
    counters.messageSent();
    socket.tell(new Outbound.Text(json));
  }

  /** A message relayed from another member, which a client that reads too slowly may miss. */
  private void sendDroppable(String json) {
    counters.messageSent();
    socket.tell(new Outbound.Droppable(json));
  }

  private static String newToken() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
