package uk.co.lchat.media.control;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

import uk.co.lchat.media.control.MediaRouterProtocol.*;
import uk.co.lchat.media.router.MediaRouter;
import uk.co.lchat.media.router.Publication;
import uk.co.lchat.media.router.RouterCounters;
import uk.co.lchat.media.router.RouterSettings;
import uk.co.lchat.media.sdp.SdpException;

/**
 * The control side of a node's {@link MediaRouter}, and a dispatcher: each message goes to the object that owns
 * its state. Attached participants ({@link Members}) each have a {@link PublishingConnection} and a
 * {@link ReceivingConnection}; {@link AudioSlots} give receivers the loudest audio; {@link WhepViewers} are WHEP's
 * receive-only connections; {@link Recorders} are recorders' plain-RTP sinks; {@link Relays} are the links to other
 * nodes' routers; {@link LocalTracks} finds a track here; {@link Departures} asks participants to move away when the
 * node drains or sheds load; {@link SessionWatch} watches their sessions. The actor itself keeps timers and the order
 * of the calls.
 */
public final class MediaRouterActor extends AbstractBehavior<Command> {
  public static final int DEFAULT_AUDIO_SLOTS = RouterSettings.DEFAULT_AUDIO_SLOTS;
  /** The stream id (msid) of the audio slots' tracks: audio of whoever is loudest, not of one participant. */
  public static final String AUDIO_SLOTS_STREAM = "lchat-audio";

  private final TimerScheduler<Command> timers;
  private final MediaRouter router;
  private final ConferenceTracker conferences;
  private final Endpoints endpoints;
  private final Relays relays;
  private final LocalTracks tracks;
  private final AudioSlots audio;
  private final Members members = new Members();
  private final WhepViewers viewers;
  private final Recorders recorders;
  private final SessionWatch sessions;
  private final Departures departures;

  /** A router actor for tests: its own conference counts, relays on loopback, the default audio slots. */
  public static Behavior<Command> create(MediaRouter router) {
    return create(router, new ConferenceTracker(), "127.0.0.1", DEFAULT_AUDIO_SLOTS);
  }

  /**
   * A router actor that reports its conferences' lives to {@code conferences} (for statistics), that other nodes'
   * routers reach for relays at {@code relayHost} on the media port, with {@code audioSlots} loudest-audio streams
   * per receiver (0: every audio source in a stream of its own).
   */
  public static Behavior<Command> create(MediaRouter router, ConferenceTracker conferences, String relayHost,
                                         int audioSlots) {
    if (audioSlots < 0) {
      throw new IllegalArgumentException("lchat.media.audio-slots: 0 (off) or more, not " + audioSlots);
    }
    return Behaviors.setup(ctx -> Behaviors.withTimers(
        timers -> new MediaRouterActor(ctx, timers, router, conferences, relayHost, audioSlots)));
  }

  /** The speaker listener a router should be started with so that this actor hears speaker changes. */
  public static MediaRouter.SpeakerListener speakerListener(Supplier<ActorRef<Command>> self) {
    return (group, endpoint) -> {
      ActorRef<Command> ref = self.get();
      if (ref != null) {
        ref.tell(new SpeakerChanged(endpoint.id()));
      }
    };
  }

  private MediaRouterActor(ActorContext<Command> ctx, TimerScheduler<Command> timers, MediaRouter router,
                           ConferenceTracker conferences, String relayHost, int audioSlots) {
    super(ctx);
    this.timers = timers;
    this.router = router;
    this.conferences = conferences;
    this.endpoints = new Endpoints(router, conferences, ctx.getSelf());
    this.relays = new Relays(router, ctx.getSelf(), ctx.getSystem().address().toString(), relayHost);
    this.tracks = new LocalTracks(relays, ctx.getSelf());
    this.audio = new AudioSlots(audioSlots, tracks);
    this.viewers = new WhepViewers(router, endpoints, tracks, members);
    this.recorders = new Recorders(router, tracks);
    this.sessions = new SessionWatch(ctx);
    this.departures = new Departures(ctx.getSelf(), members, ctx.getLog());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Attach.class, this::onAttach)
        .onMessage(HandOver.class, this::onHandOver)
        .onMessage(SessionGone.class, this::onSessionGone)
        .onMessage(Detach.class, this::onDetach)
        .onMessage(Publish.class, this::onPublish)
        .onMessage(SetSources.class, m -> withMember(m.participantId(), member -> {
          member.receiving.receive(m.sources());
          releaseUnusedRelays();
        }))
        .onMessage(SetVideoConstraints.class, m -> withMember(m.participantId(),
            member -> member.receiving.constrain(m.constraints())))
        .onMessage(SubscribeAnswer.class, m -> withMember(m.participantId(),
            member -> member.receiving.answered(m.answerSdp())))
        .onMessage(RestartIce.class, m -> withMember(m.participantId(), member -> member.receiving.restartIce()))
        .onMessage(Watch.class, m -> answerViewer(m.viewerId(), m.replyTo(), () -> viewers.watch(m)))
        .onMessage(WatchSpeaker.class, m -> answerViewer(m.viewerId(), m.replyTo(), () -> viewers.watchSpeaker(m)))
        .onMessage(Unwatch.class, this::onUnwatch)
        .onMessage(RecordTrack.class, this::onRecordTrack)
        .onMessage(StopRecordTrack.class, m -> {
          if (recorders.stop(m.sinkId())) {
            releaseUnusedRelays();
          }
          return this;
        })
        .onMessage(WatchDeadline.class, this::onWatchDeadline)
        .onMessage(GetStatus.class, this::onGetStatus)
        .onMessage(Drain.class, m -> delegated(() -> departures.drain(m)))
        .onMessage(Shed.class, m -> delegated(() -> departures.shed(m)))
        .onMessage(SelectAudio.class, m -> delegated(this::selectAudio))
        .onMessage(EndpointClosed.class, this::onEndpointClosed)
        .onMessage(SpeakerChanged.class, m -> withMember(Endpoints.ownerOf(m.endpointId()), member -> {
          member.client.tell(new SpeakerActive(member.participantId));
          viewers.speakerChanged(member);
        }))
        .onMessage(OpenRelay.class, this::onOpenRelay)
        .onMessage(RelayOpened.class, m -> delegated(() -> relays.onOpened(m)))
        .onMessage(RelayTrack.class, m -> delegated(() -> relays.onRelayTrack(m, tracks::published, tracks::simulcast)))
        .onMessage(TrackRelayed.class, this::onTrackRelayed)
        .onMessage(RelayRefused.class, m -> delegated(() -> relays.onRefused(m)))
        .onMessage(UnrelayTrack.class, m -> delegated(() -> relays.onUnrelay(m)))
        .onMessage(RouterGone.class, m -> {
          List<String> lost = relays.gone(m.router());
          getContext().getLog().info("relay link to {} closed: its node left ({} tracks were coming over it)",
              m.router(), lost.size());
          return this;
        })
        .onSignal(PostStop.class, s -> {
          recorders.stopAll();
          router.close();
          return this;
        })
        .build();
  }

  /** Runs {@code action} on the participant if it is attached here; a message for anyone else is out of date. */
  private Behavior<Command> withMember(String participantId, Consumer<Member> action) {
    Member member = members.get(participantId);
    if (member != null) {
      action.accept(member);
    }
    return this;
  }

  /** Runs a message that is one delegate's business alone (relays, departures, audio slots). */
  private Behavior<Command> delegated(Runnable action) {
    action.run();
    return this;
  }

  /**
   * Audio slots follow the loudest every {@link AudioSlots#INTERVAL} while the router has participants; with none
   * the timer stops, since every timer that fires wakes threads an idle node would rather leave asleep (issue #21).
   */
  private void selectAudio() {
    audio.select(members.all());
    if (members.all().isEmpty()) {
      timers.cancel(SelectAudio.class);
    }
  }

  private void startSelectingAudio() {
    if (audio.enabled() && !timers.isTimerActive(SelectAudio.class)) {
      timers.startTimerWithFixedDelay(SelectAudio.class, new SelectAudio(), AudioSlots.INTERVAL);
    }
  }

  // ---- participants --------------------------------------------------------------------------------------------

  private Behavior<Command> onAttach(Attach m) {
    Member existing = members.get(m.participantId());
    if (existing != null && existing.roomId.equals(m.roomId())) {
      // The participant's signaling resumed over another connection: its media carries on untouched.
      sessions.unwatch(existing.client);
      existing.resumedOver(m.client());
      sessions.watch(m.participantId(), m.client());
      existing.receiving.resumed();
    } else {
      if (existing != null) {
        detach(m.participantId());
      }
      members.add(new Member(m.roomId(), m.participantId(), m.client(), getContext().getSelf(), router, endpoints,
          tracks, audio));
      sessions.watch(m.participantId(), m.client());
      conferences.joined(m.roomId(), m.participantId());
      startSelectingAudio();
    }
    departures.attached(m.client());
    return this;
  }

  /** The old session of a resumed participant stops before the new one may have attached: its end is no loss. */
  private Behavior<Command> onHandOver(HandOver m) {
    Member member = members.get(m.participantId());
    if (member != null && member.handOver(m.client())) {
      sessions.unwatch(m.client());
    }
    return this;
  }

  private Behavior<Command> onSessionGone(SessionGone m) {
    Member member = members.get(m.participantId());
    if (member == null || !member.endsWith(m.client())) {
      return this; // detached already, or resumed (or about to be) over another session
    }
    getContext().getLog().info("media router: the session of {} is gone; dropping its media", m.participantId());
    return detach(m.participantId());
  }

  private Behavior<Command> onDetach(Detach m) {
    Member member = members.get(m.participantId());
    if (m.client() != null && member != null && !member.client.equals(m.client())) {
      return this; // from a session the participant has resumed away from
    }
    return detach(m.participantId());
  }

  private Behavior<Command> detach(String participantId) {
    Member member = members.remove(participantId);
    if (member == null) {
      return this;
    }
    sessions.unwatch(member.client);
    conferences.left(member.roomId, participantId);
    member.close();
    // Receivers of this participant's tracks on this node hear of it from the room's next SetSources.
    viewers.publisherLeft(participantId);
    releaseUnusedRelays();
    return this;
  }

  private Behavior<Command> onPublish(Publish m) {
    Member member = members.get(m.participantId());
    if (member == null) {
      m.replyTo().tell(new MediaFailed("not_attached", "Join a room before publishing."));
      return this;
    }
    try {
      m.replyTo().tell(member.publishing.publish(m.offerSdp()));
      viewers.published(member);
      // Receivers on this node that were already told about these track ids can now be wired.
      for (Member other : members.all()) {
        if (other != member) {
          other.receiving.reconcile();
        }
      }
    } catch (SdpException e) {
      m.replyTo().tell(new MediaFailed("bad_sdp", e.getMessage()));
    }
    return this;
  }

  private Behavior<Command> onEndpointClosed(EndpointClosed m) {
    String ownerId = Endpoints.ownerOf(m.endpointId());
    if (Endpoints.isViewer(m.endpointId())) {
      ActorRef<MediaEvent> session = viewers.closed(ownerId);
      releaseUnusedRelays();
      if (session != null && !m.reason().equals("left")) {
        session.tell(new MediaFailed("transport_closed", m.reason()));
      }
      return this;
    }
    return withMember(ownerId, member -> {
      if (member.publishing.lost(m.endpointId(), m.reason())) {
        member.client.tell(new MediaFailed("publish_closed", m.reason()));
      } else if (member.receiving.lost(m.endpointId(), m.reason())) {
        member.client.tell(new MediaFailed("transport_closed", m.reason()));
        member.receiving.reconcile(); // a new receiving connection right away, offered as fresh
      }
    });
  }

  // ---- WHEP viewers ----------------------------------------------------------------------------------------------

  private interface ViewerAnswer {
    String sdp() throws SdpException;
  }

  private Behavior<Command> answerViewer(String viewerId, ActorRef<MediaEvent> replyTo, ViewerAnswer answer) {
    try {
      String sdp = answer.sdp();
      // A viewer whose connection has not come up within a consent timeout never will.
      getContext().scheduleOnce(router.consentTimeout(), getContext().getSelf(), new WatchDeadline(viewerId));
      replyTo.tell(new Subscribed(sdp));
    } catch (SdpException e) {
      replyTo.tell(new MediaFailed("bad_sdp", e.getMessage()));
    }
    return this;
  }

  private Behavior<Command> onWatchDeadline(WatchDeadline m) {
    if (viewers.closeIfNeverConnected(m.viewerId())) {
      getContext().getLog().info("WHEP viewer {} never connected; closing it", m.viewerId());
    }
    return this;
  }

  private Behavior<Command> onUnwatch(Unwatch m) {
    boolean existed = viewers.unwatch(m.viewerId());
    releaseUnusedRelays();
    m.replyTo().tell(existed);
    return this;
  }

  // ---- recorders (egress) -----------------------------------------------------------------------------------------

  private Behavior<Command> onRecordTrack(RecordTrack m) {
    try {
      recorders.record(m);
    } catch (IOException | IllegalArgumentException e) {
      getContext().getLog().warn("recorder sink {} not started: {}", m.sinkId(), e.toString());
    }
    return this;
  }

  // ---- relays ------------------------------------------------------------------------------------------------------

  private Behavior<Command> onOpenRelay(OpenRelay m) {
    try {
      relays.onOpen(m);
    } catch (IllegalArgumentException e) {
      getContext().getLog().warn("relay from {} refused: {}", m.replyTo(), e.getMessage());
    }
    return this;
  }

  /** A track from another node arrived over a relay: every receiver here waiting for it gets it now. */
  private Behavior<Command> onTrackRelayed(TrackRelayed m) {
    Publication arrived = relays.onTrackRelayed(m);
    if (arrived != null) {
      viewers.trackRelayed(m.trackId(), arrived);
      recorders.trackRelayed(m.trackId(), arrived);
      for (Member member : members.all()) {
        member.receiving.trackRelayed(m.trackId());
      }
    }
    return this;
  }

  /** Relayed tracks no receiver, viewer or recorder on this node uses any more go back. */
  private void releaseUnusedRelays() {
    Set<String> used = members.receivedTrackIds();
    used.addAll(viewers.relayedTrackIds());
    used.addAll(recorders.relayedTrackIds());
    tracks.releaseUnused(used);
  }

  // ---- the node's status -----------------------------------------------------------------------------------------

  private Behavior<Command> onGetStatus(GetStatus m) {
    RouterCounters c = router.counters();
    m.replyTo().tell(new RouterStatus(router.port(), router.endpointCount(), c.packetsReceived(), c.packetsSent(),
        c.bytesReceived(), c.bytesSent(), members.size(), departures.draining()));
    return this;
  }
}
