package uk.co.lchat.media.control;

import java.util.List;

import org.apache.pekko.actor.typed.ActorRef;

/**
 * The media router actor's protocol. Sessions (on the router's node) attach their participant, publish and answer
 * subscription offers; the room actor (on any node) says which tracks each participant receives. Every record may
 * cross nodes and is registered with the cluster's Kryo serializer.
 */
public final class MediaRouterProtocol {
  private MediaRouterProtocol() {}

  public sealed interface Command {}

  /** A participant's session on this node; {@code client} hears {@link MediaEvent}s. */
  public record Attach(String roomId, String participantId, ActorRef<MediaEvent> client) implements Command {}

  /**
   * The participant's media is over (left, removed, socket closed). {@code client}: the session that asks; ignored
   * when the participant's media has since been bound to another session (a resumed connection). Null: always.
   */
  public record Detach(String participantId, ActorRef<MediaEvent> client) implements Command {
    public Detach(String participantId) {
      this(participantId, null);
    }
  }

  /**
   * The participant's session is stopping because the room resumed the participant over another connection, whose
   * session attaches next: the media stays. Sent by the old session before it stops, so that its death (which the
   * router watches, to free the media of a session whose node was killed) does not end media the new session is
   * about to take over; whichever of the two reaches the router first.
   */
  public record HandOver(String participantId, ActorRef<MediaEvent> client) implements Command {}

  /** A publish offer (browser sendonly transceivers, or WHIP); answered with {@link Published} or {@link MediaFailed}. */
  public record Publish(String participantId, String offerSdp, ActorRef<MediaEvent> replyTo) implements Command {}

  /** Set by the room: every track this participant should receive now (the room's forwarding decision). */
  public record SetSources(String participantId, List<TrackInfo> sources) implements Command {}

  /**
   * The participant's own limits on the video it receives (its tiles' sizes, its bandwidth choice), from its session;
   * each replaces the last and holds for the sources the room sends later. Kept across a new receiving connection.
   */
  public record SetVideoConstraints(String participantId, VideoConstraints constraints) implements Command {}

  /** The client's receiving connection lost its path: restart ICE on it and re-offer. */
  public record RestartIce(String participantId) implements Command {}

  /** The browser's answer to our last {@link SubscribeOffer}. */
  public record SubscribeAnswer(String participantId, String answerSdp) implements Command {}

  /**
   * A receive-only offer (WHEP): answered with {@link Subscribed} whose SDP carries {@code sources}' tracks, or
   * {@link MediaFailed}. Later, when the viewer's connection ends by itself (ICE consent, DTLS), {@code replyTo}
   * hears {@link MediaFailed} {@code transport_closed}, so the viewer's session can leave its room.
   */
  public record Watch(String roomId, String viewerId, String offerSdp, List<TrackInfo> sources,
                      ActorRef<MediaEvent> replyTo) implements Command {}

  /**
   * A receive-only offer (WHEP) that follows the room's dominant speaker on this node: one audio and one video
   * stream whose source switches as the speaker changes, starting with {@code initialSpeaker} when it publishes here.
   * Answered, and told of the connection's end, as {@link Watch} is.
   */
  public record WatchSpeaker(String roomId, String viewerId, String offerSdp, String initialSpeaker,
                             ActorRef<MediaEvent> replyTo) implements Command {}

  /**
   * Local: the router actor's own timer, a consent timeout after a {@link Watch} or {@link WatchSpeaker} was answered.
   * A viewer whose connection has not come up by then never will (its player went away after the POST): it is closed,
   * and its session told, so no viewer who watches nothing stays in the roster.
   */
  record WatchDeadline(String viewerId) implements Command {}

  /**
   * Local: a participant's session actor is gone (its node crashed or was removed, or it stopped without detaching):
   * the router's death watch on {@link Attach}'s client. Its media is dropped, so nothing leaks.
   */
  record SessionGone(String participantId, ActorRef<MediaEvent> client) implements Command {}

  /**
   * Egress: forward {@code track} (published here or, over a relay, on another node) to a recorder on this machine
   * as plain RTP at 127.0.0.1:{@code port}, under {@code payloadType}; a simulcast track as one layer at a time
   * (the highest) under one SSRC; the publisher is asked for a keyframe, as for any new receiver, so the recording
   * starts with a picture. Ended with {@link StopRecordTrack}; a second RecordTrack of the same
   * {@code sinkId} replaces the first.
   */
  public record RecordTrack(String roomId, String sinkId, TrackInfo track, int payloadType, int port)
      implements Command {}

  /** Egress: the recorder of {@code sinkId} stops; nothing more goes to its port. */
  public record StopRecordTrack(String sinkId) implements Command {}


  /** Ends a {@link Watch} or {@link WatchSpeaker} (WHEP DELETE); answered with true if it existed. */
  public record Unwatch(String viewerId, ActorRef<Boolean> replyTo) implements Command {}

  // ---- between routers of different nodes: relays (DESIGN.md "Rooms across nodes") ----------------------------

  /**
   * From a router that needs tracks published here: open a relay link to it at {@code host:port}. {@code keys} is
   * the link's SRTP key material (Base64: the opener's key, salt, then ours), sent over the cluster, which is the
   * only place it travels. Answered with {@link RelayOpened}.
   */
  public record OpenRelay(ActorRef<Command> replyTo, String host, int port, String keys) implements Command {}

  /** The relay link is open; this router receives and sends on {@code host:port}. */
  public record RelayOpened(ActorRef<Command> from, String host, int port) implements Command {}

  /** Send this local track over the relay to {@code replyTo} (once, however many receivers it has there). */
  public record RelayTrack(String trackId, ActorRef<Command> replyTo) implements Command {}

  /**
   * The track now flows over the relay under {@code ssrc} and {@code payloadType}; packets the far router NACKs
   * come again as RTX on {@code rtxSsrc} (-1: none, audio).
   */
  public record TrackRelayed(String trackId, long ssrc, int payloadType, int clockRate, String kind,
                             int audioLevelExtension, ActorRef<Command> from, long rtxSsrc) implements Command {}

  /** The track is not (or no longer) published here. */
  public record RelayRefused(String trackId, ActorRef<Command> from) implements Command {}

  /** Nobody on {@code replyTo}'s node receives the track any more: stop sending it there. */
  public record UnrelayTrack(String trackId, ActorRef<Command> replyTo) implements Command {}

  /** From this node's router directory: {@code router}'s node left the cluster; close the relay link to it. */
  public record RouterGone(ActorRef<Command> router) implements Command {}

  /** Local: the router actor's own timer; each receiver's audio slots are given the loudest sources again. */
  public record SelectAudio() implements Command {}

  /** The node's media port and counters, for stats and tests. */
  public record GetStatus(ActorRef<RouterStatus> replyTo) implements Command {}

  /** From the data plane (local only): an endpoint closed, e.g. ICE consent expired or DTLS failed. */
  public record EndpointClosed(String endpointId, String reason) implements Command {}

  /** From the data plane (local only): the endpoint's audio became its group's dominant speaker. */
  public record SpeakerChanged(String endpointId) implements Command {}

  /**
   * The node is draining: the router takes no new participants ({@link RouterStatus#draining()} tells placement) and,
   * with {@code moveParticipants}, asks every attached participant's session to move its media elsewhere
   * ({@link MoveMedia}), now and whenever one attaches later.
   */
  public record Drain(boolean moveParticipants) implements Command {}

  /**
   * Rebalancing: ask up to {@code count} attached participants to move their media to {@code to} (another node's
   * router), whole small rooms first so moved rooms need no relay. Answered with how many were asked (0 while
   * draining).
   */
  public record Shed(int count, ActorRef<Command> to, ActorRef<Integer> replyTo) implements Command {}

  public record RouterStatus(int port, int endpoints, long packetsReceived, long packetsSent, long bytesReceived,
                             long bytesSent, int participants, boolean draining) {}

  /** What the router tells a participant's session (and WHIP/WHEP requests). */
  public sealed interface MediaEvent {}

  /**
   * Attach this participant's media to another router: {@code from} is draining ({@code to} is null: placement
   * chooses) or sheds load to {@code to}.
   */
  public record MoveMedia(ActorRef<Command> from, ActorRef<Command> to) implements MediaEvent {
    public MoveMedia(ActorRef<Command> from) {
      this(from, null);
    }
  }

  public record Published(String answerSdp, List<TrackInfo> tracks) implements MediaEvent {}

  public record Subscribed(String answerSdp) implements MediaEvent {}

  /**
   * A new (re)offer for the participant's receiving connection; the browser answers with {@link SubscribeAnswer}.
   * {@code fresh}: the offer is for a new connection (the previous one closed); the client replaces its own.
   * {@code router} made it: the session passes on only the offers of the router its participant's media is on.
   */
  public record SubscribeOffer(ActorRef<Command> router, String sdp, boolean fresh) implements MediaEvent {}

  /** Codes: {@code bad_sdp}, {@code not_attached}, {@code transport_closed}, {@code publish_closed}. */
  public record MediaFailed(String code, String message) implements MediaEvent {}

  /** This participant's audio is now the loudest in its room on this node. */
  public record SpeakerActive(String participantId) implements MediaEvent {}
}
