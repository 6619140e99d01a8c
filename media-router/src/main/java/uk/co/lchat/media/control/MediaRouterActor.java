package uk.co.lchat.media.control;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

import uk.co.lchat.media.control.MediaRouterProtocol.*;
import uk.co.lchat.media.router.Endpoint;
import uk.co.lchat.media.router.EndpointListener;
import uk.co.lchat.media.router.MediaRouter;
import uk.co.lchat.media.router.Publication;
import uk.co.lchat.media.router.RouterCounters;
import uk.co.lchat.media.router.SimulcastSource;
import uk.co.lchat.media.router.StreamRewriter;
import uk.co.lchat.media.router.Subscription;
import uk.co.lchat.media.sdp.Codec;
import uk.co.lchat.media.sdp.MediaDescription;
import uk.co.lchat.media.sdp.NegotiatedTrack;
import uk.co.lchat.media.sdp.OutgoingTrack;
import uk.co.lchat.media.sdp.SdpException;
import uk.co.lchat.media.sdp.SdpWriter;
import uk.co.lchat.media.sdp.SessionDescription;

/**
 * The control side of a node's {@link MediaRouter}: turns offers and the room's forwarding decisions into
 * endpoints, publications and subscriptions. Each participant has a publishing connection (its offer, our answer)
 * and a receiving connection (our offer, its answer) that we re-offer whenever the room changes its sources.
 */
public final class MediaRouterActor extends AbstractBehavior<Command> {
  /** One receiving m-section: the track it carries now (null once the source is gone: inactive). */
  private static final class Slot {
    final String mid;
    final String kind;
    TrackInfo track;
    Codec codec;
    int rtxPayloadType = -1;
    long rtxSsrc = -1;
    Subscription subscription;
    SimulcastSource wiredTo;
    /** The last offer had this slot inactive; once that offer is answered the slot may carry another track. */
    boolean inactiveOffered;
    boolean reusable;
    /** An audio slot (see {@link #audioSlots}): its fixed outgoing stream and the track id it carries now. */
    StreamRewriter rewriter;
    String source;

    Slot(String mid, String kind) {
      this.mid = mid;
      this.kind = kind;
    }
  }

  private static final class Member {
    final String roomId;
    final String participantId;
    /** The participant's signaling session; a resumed session takes the place of the old one. */
    ActorRef<MediaEvent> client;
    final SdpWriter publishSdp = new SdpWriter();
    final SdpWriter subscribeSdp = new SdpWriter();
    Endpoint publish;
    byte[] publishFingerprint;
    String publishRemoteUfrag;
    final Map<String, Publication> publications = new LinkedHashMap<>();
    final Map<String, TrackInfo> trackInfos = new HashMap<>();
    final Map<String, SimulcastSource> simulcast = new LinkedHashMap<>();
    Endpoint subscribe;
    final List<Slot> slots = new ArrayList<>();
    final Map<String, Integer> payloadTypes = new HashMap<>();
    List<TrackInfo> wanted = List.of();
    boolean awaitingAnswer;
    boolean dirty;
    /** The next offer starts a new receiving connection (the client must drop its old one). */
    boolean freshConnection = true;
    /** Audio tracks this participant may hear, of which its audio slots carry the loudest. */
    Map<String, TrackInfo> audioCandidates = Map.of();
    final List<Slot> audioSlots = new ArrayList<>();

    Member(String roomId, String participantId, ActorRef<MediaEvent> client) {
      this.roomId = roomId;
      this.participantId = participantId;
      this.client = client;
    }
  }

  /** A WHEP viewer that follows the dominant speaker: fixed outgoing streams, switching sources. */
  private static final class Follower {
    final String roomId;
    final Endpoint endpoint;
    final StreamRewriter audio;
    final StreamRewriter video;
    final int audioPt;
    final int videoPt;
    String following;
    final List<Subscription> subscriptions = new ArrayList<>();

    Follower(String roomId, Endpoint endpoint, StreamRewriter audio, int audioPt, StreamRewriter video,
             int videoPt) {
      this.roomId = roomId;
      this.endpoint = endpoint;
      this.audio = audio;
      this.audioPt = audioPt;
      this.video = video;
      this.videoPt = videoPt;
    }
  }

  private final MediaRouter router;
  private final ConferenceTracker conferences;
  private final Relays relays;
  private final Map<String, Follower> followers = new HashMap<>();
  private final java.util.Random random = new java.security.SecureRandom();
  private final Map<String, Member> members = new LinkedHashMap<>();
  /** Every local publication by track id, for subscribers on this node. */
  private final Map<String, Publication> localTracks = new HashMap<>();
  private final Map<String, SimulcastSource> localSimulcast = new HashMap<>();
  private final Map<String, Endpoint> watchers = new HashMap<>();
  /** Each WHEP viewer's session (the Watch's replyTo), told when its connection ends so it leaves the room. */
  private final Map<String, ActorRef<MediaEvent>> watchSessions = new HashMap<>();
  /** Participants' sessions under death watch (one participant each). */
  private final Set<ActorRef<MediaEvent>> watchedSessions = new HashSet<>();
  /** WHEP viewers' tracks published on other nodes, by track id: they are wired when the relay brings them. */
  private final Map<String, List<RelayedWatch>> relayedWatches = new HashMap<>();

  /** A WHEP viewer's stream of a track that comes over a relay. */
  private record RelayedWatch(String viewerId, Endpoint endpoint, int payloadType) {}
  private boolean draining;
  private boolean moveOnDrain;
  /**
   * Audio slots per receiver: each receiver gets Opus audio in at most this many fixed streams (the same SSRCs
   * whoever speaks), carrying the loudest of the sources it may hear; 0 = one stream per source.
   */
  private final int audioSlots;
  /** Packets of each audio candidate at the last selection: one that got none since is silent, whatever it said. */
  private Map<Publication, Long> packetsAtLastSelection = new HashMap<>();
  private final Set<Publication> stalled = new HashSet<>();

  public static Behavior<Command> create(MediaRouter router) {
    return create(router, new ConferenceTracker());
  }

  /** A router actor that reports its conferences' lives to {@code conferences} (for statistics). */
  public static Behavior<Command> create(MediaRouter router, ConferenceTracker conferences) {
    return create(router, conferences, "127.0.0.1");
  }

  /** ... and that other nodes' routers reach for relays at {@code relayHost} on the media port. */
  public static Behavior<Command> create(MediaRouter router, ConferenceTracker conferences, String relayHost) {
    return create(router, conferences, relayHost, DEFAULT_AUDIO_SLOTS);
  }

  public static final int DEFAULT_AUDIO_SLOTS = 5;
  /** The stream id (msid) of the audio slots' tracks: audio of whoever is loudest, not of one participant. */
  public static final String AUDIO_SLOTS_STREAM = "lchat-audio";
  private static final java.time.Duration AUDIO_SELECTION_INTERVAL = java.time.Duration.ofMillis(200);

  /** ... with {@code audioSlots} loudest-audio streams per receiver (0: every audio source in a stream of its own). */
  public static Behavior<Command> create(MediaRouter router, ConferenceTracker conferences, String relayHost,
                                         int audioSlots) {
    if (audioSlots < 0) {
      throw new IllegalArgumentException("lchat.media.audio-slots: 0 (off) or more, not " + audioSlots);
    }
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      if (audioSlots > 0) {
        timers.startTimerWithFixedDelay(new SelectAudio(), AUDIO_SELECTION_INTERVAL);
      }
      return new MediaRouterActor(ctx, router, conferences, relayHost, audioSlots);
    }));
  }

  /** The speaker listener a router should be started with so that this actor hears speaker changes. */
  public static MediaRouter.SpeakerListener speakerListener(java.util.function.Supplier<ActorRef<Command>> self) {
    return (group, endpoint) -> {
      ActorRef<Command> ref = self.get();
      if (ref != null) {
        ref.tell(new SpeakerChanged(endpoint.id()));
      }
    };
  }

  private MediaRouterActor(ActorContext<Command> ctx, MediaRouter router, ConferenceTracker conferences,
                           String relayHost, int audioSlots) {
    super(ctx);
    this.audioSlots = audioSlots;
    this.router = router;
    this.conferences = conferences;
    this.relays = new Relays(router, ctx.getSelf(), ctx.getSystem().address().toString(), relayHost);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Attach.class, this::onAttach)
        .onMessage(SessionGone.class, m -> {
          Member member = members.get(m.participantId());
          if (member == null || !member.client.equals(m.client())) {
            return this; // detached already, or resumed over another session
          }
          getContext().getLog().info("media router: the session of {} is gone; dropping its media",
              m.participantId());
          return detach(m.participantId());
        })
        .onMessage(Detach.class, m -> {
          Member member = members.get(m.participantId());
          if (m.client() != null && member != null && !member.client.equals(m.client())) {
            return this; // from a session the participant has resumed away from
          }
          return detach(m.participantId());
        })
        .onMessage(Publish.class, this::onPublish)
        .onMessage(SetSources.class, this::onSetSources)
        .onMessage(SubscribeAnswer.class, this::onSubscribeAnswer)
        .onMessage(RestartIce.class, this::onRestartIce)
        .onMessage(Watch.class, this::onWatch)
        .onMessage(WatchSpeaker.class, this::onWatchSpeaker)
        .onMessage(Unwatch.class, this::onUnwatch)
        .onMessage(RecordTrack.class, this::onRecordTrack)
        .onMessage(RecorderReady.class, this::onRecorderReady)
        .onMessage(WatchDeadline.class, this::onWatchDeadline)
        .onMessage(GetStatus.class, this::onGetStatus)
        .onMessage(Drain.class, this::onDrain)
        .onMessage(Shed.class, this::onShed)
        .onMessage(SelectAudio.class, m -> selectAudio())
        .onMessage(EndpointClosed.class, this::onEndpointClosed)
        .onMessage(SpeakerChanged.class, this::onSpeakerChanged)
        .onMessage(OpenRelay.class, m -> {
          try {
            relays.onOpen(m);
          } catch (IllegalArgumentException e) {
            getContext().getLog().warn("relay from {} refused: {}", m.replyTo(), e.getMessage());
          }
          return this;
        })
        .onMessage(RelayOpened.class, m -> {
          relays.onOpened(m);
          return this;
        })
        .onMessage(RelayTrack.class, m -> {
          relays.onRelayTrack(m, localTracks::get, localSimulcast::get);
          return this;
        })
        .onMessage(TrackRelayed.class, this::onTrackRelayed)
        .onMessage(RelayRefused.class, m -> {
          relays.onRefused(m);
          return this;
        })
        .onMessage(RouterGone.class, m -> {
          List<String> lost = relays.gone(m.router());
          getContext().getLog().info("relay link to {} closed: its node left ({} tracks were coming over it)",
              m.router(), lost.size());
          return this;
        })
        .onMessage(UnrelayTrack.class, m -> {
          relays.onUnrelay(m);
          return this;
        })
        .onSignal(PostStop.class, s -> {
          router.close();
          return this;
        })
        .build();
  }

  private Behavior<Command> onAttach(Attach m) {
    Member existing = members.get(m.participantId());
    if (existing != null && existing.roomId.equals(m.roomId())) {
      // The participant's signaling resumed over another connection: its media carries on untouched. An offer
      // the old connection may not have delivered is made again on the new one.
      unwatchSession(existing.client);
      existing.client = m.client();
      watchSession(m.participantId(), m.client());
      if (existing.awaitingAnswer) {
        existing.awaitingAnswer = false;
        existing.dirty = true;
        sendOfferIfDue(existing);
      }
    } else {
      if (existing != null) {
        detach(m.participantId());
      }
      members.put(m.participantId(), new Member(m.roomId(), m.participantId(), m.client()));
      watchSession(m.participantId(), m.client());
      conferences.joined(m.roomId(), m.participantId());
    }
    if (draining && moveOnDrain) {
      m.client().tell(new MoveMedia(getContext().getSelf()));
    }
    return this;
  }

  private Behavior<Command> onDrain(Drain m) {
    draining = true;
    moveOnDrain = m.moveParticipants();
    getContext().getLog().info("media router draining ({} participants{})", members.size(),
        moveOnDrain ? ", moving them to other nodes" : ", waiting for them to leave");
    if (moveOnDrain) {
      for (Member member : members.values()) {
        member.client.tell(new MoveMedia(getContext().getSelf()));
      }
    }
    return this;
  }

  private Behavior<Command> onShed(Shed m) {
    if (draining || m.to().equals(getContext().getSelf())) {
      m.replyTo().tell(0);
      return this;
    }
    Map<String, List<ShedChoice.Candidate>> rooms = new LinkedHashMap<>();
    for (Member member : members.values()) {
      rooms.computeIfAbsent(member.roomId, r -> new ArrayList<>())
          .add(new ShedChoice.Candidate(member.participantId, !member.publications.isEmpty()));
    }
    List<String> moving = ShedChoice.choose(rooms, m.count());
    getContext().getLog().info("media router sheds load: moving {} of {} participants to {}", moving.size(),
        members.size(), m.to());
    for (String id : moving) {
      members.get(id).client.tell(new MoveMedia(getContext().getSelf(), m.to()));
    }
    m.replyTo().tell(moving.size());
    return this;
  }

  /**
   * A session that dies without detaching (its node was killed: no socket close reaches anyone) must not leave its
   * endpoints here until the browser's consent runs out; the death watch ends them at once.
   */
  private void watchSession(String participantId, ActorRef<MediaEvent> client) {
    if (watchedSessions.add(client)) {
      getContext().watchWith(client, new SessionGone(participantId, client));
    }
  }

  private void unwatchSession(ActorRef<MediaEvent> client) {
    if (watchedSessions.remove(client)) {
      getContext().unwatch(client);
    }
  }

  private Behavior<Command> detach(String participantId) {
    Member member = members.remove(participantId);
    if (member == null) {
      return this;
    }
    unwatchSession(member.client);
    conferences.left(member.roomId, participantId);
    member.publications.keySet().forEach(localTracks::remove);
    member.simulcast.keySet().forEach(localSimulcast::remove);
    if (member.publish != null) {
      router.removeEndpoint(member.publish, "left");
    }
    if (member.subscribe != null) {
      router.removeEndpoint(member.subscribe, "left");
    }
    // Receivers of this participant's tracks on this node hear of it from the room's next SetSources.
    for (Follower f : followers.values()) {
      if (participantId.equals(f.following)) {
        follow(f, anyPublisher(f.roomId));
      }
    }
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
      SessionDescription offer = SessionDescription.parse(m.offerSdp());
      MediaDescription first = offer.media().get(0);
      byte[] fingerprint = SessionDescription.sha256Fingerprint(first.fingerprint());
      Endpoint endpoint = member.publish;
      boolean renegotiation = endpoint != null && !endpoint.isClosed()
          && java.util.Arrays.equals(fingerprint, member.publishFingerprint);
      if (renegotiation && first.ice() != null && !Objects.equals(first.ice().ufrag(), member.publishRemoteUfrag)) {
        router.restartIce(endpoint); // the browser restarted ICE; DTLS and SRTP carry on
      }
      if (!renegotiation) {
        endpoint = router.createEndpoint(member.participantId + "/pub", member.roomId, listener());
        conferences.mediaAttempted(member.roomId, member.participantId);
      }
      SdpWriter.Answer answer;
      try {
        answer = member.publishSdp.answer(offer, router.localTransport(endpoint), d -> null);
      } catch (SdpException e) {
        if (!renegotiation) {
          router.removeEndpoint(endpoint, "bad offer");
        }
        throw e;
      }
      if (!renegotiation) {
        if (member.publish != null) {
          router.removeEndpoint(member.publish, "republished");
        }
        member.publications.keySet().forEach(localTracks::remove);
        member.publications.clear();
        member.simulcast.keySet().forEach(localSimulcast::remove);
        member.simulcast.clear();
        member.trackInfos.clear();
        member.publish = endpoint;
        member.publishFingerprint = fingerprint;
        router.setRemoteFingerprint(endpoint, fingerprint);
      }
      router.setRemoteIce(endpoint, first.ice(), first.candidates());
      member.publishRemoteUfrag = first.ice() == null ? null : first.ice().ufrag();
      int absSendTime = 0;
      for (MediaDescription section : offer.media()) {
        absSendTime = Math.max(absSendTime, section.sends() ? section.extensionId(SdpWriter.ABS_SEND_TIME) : 0);
      }
      router.enableAbsSendTime(endpoint, absSendTime, -1);
      List<TrackInfo> tracks = updatePublications(member, endpoint, answer.incoming());
      m.replyTo().tell(new Published(answer.sdp(), tracks));
      for (Follower f : followers.values()) {
        if (f.roomId.equals(member.roomId) && (f.following == null || f.following.equals(member.participantId))) {
          follow(f, member.participantId);
        }
      }
      // Receivers on this node that were already told about these track ids can now be wired.
      for (Member other : members.values()) {
        if (other != member) {
          reconcile(other);
        }
      }
    } catch (SdpException e) {
      m.replyTo().tell(new MediaFailed("bad_sdp", e.getMessage()));
    }
    return this;
  }

  /**
   * Makes the member's publications match the tracks of its latest offer: new SSRCs are published, gone ones
   * unpublished, unchanged ones left alone (so receivers see no interruption on a renegotiation). A track id names
   * one SSRC of one m-section.
   */
  private List<TrackInfo> updatePublications(Member member, Endpoint endpoint, List<NegotiatedTrack> incoming) {
    Map<String, NegotiatedTrack> wanted = new LinkedHashMap<>();
    for (NegotiatedTrack t : incoming) {
      String key = t.simulcast() ? member.participantId + "-" + t.mid() + "-" + String.join(".", t.rids())
          : member.participantId + "-" + t.mid() + "-" + Long.toHexString(t.ssrc());
      wanted.put(key, t);
    }
    for (java.util.Iterator<Map.Entry<String, SimulcastSource>> it = member.simulcast.entrySet().iterator();
         it.hasNext(); ) {
      Map.Entry<String, SimulcastSource> e = it.next();
      if (!wanted.containsKey(e.getKey())) {
        router.unpublish(e.getValue());
        localSimulcast.remove(e.getKey());
        member.trackInfos.remove(e.getKey());
        it.remove();
      }
    }
    for (java.util.Iterator<Map.Entry<String, Publication>> it = member.publications.entrySet().iterator();
         it.hasNext(); ) {
      Map.Entry<String, Publication> e = it.next();
      if (!wanted.containsKey(e.getKey())) {
        router.unpublish(e.getValue());
        localTracks.remove(e.getKey());
        member.trackInfos.remove(e.getKey());
        it.remove();
      }
    }
    List<TrackInfo> tracks = new ArrayList<>();
    for (Map.Entry<String, NegotiatedTrack> e : wanted.entrySet()) {
      NegotiatedTrack t = e.getValue();
      if (t.transportCcExtension() > 0) {
        router.enableTransportCc(endpoint, t.transportCcExtension());
      }
      if (t.simulcast()) {
        if (!member.simulcast.containsKey(e.getKey())) {
          SimulcastSource src = router.publishSimulcast(endpoint, t.mid(), t.rids(), t.ridExtension(),
              t.codec().payloadType(), t.codec().clockRate());
          Codec c = t.codec();
          member.simulcast.put(e.getKey(), src);
          localSimulcast.put(e.getKey(), src);
          member.trackInfos.put(e.getKey(), new TrackInfo(member.participantId, e.getKey(), t.kind(), src.ssrc(),
              c.name(), c.clockRate(), c.channels(), c.fmtp(), getContext().getSelf()));
        }
      } else if (!member.publications.containsKey(e.getKey())) {
        Publication p = router.publish(endpoint, t.ssrc(), t.kind(), t.codec().payloadType(),
            t.codec().clockRate(), t.audioLevelExtension());
        Codec c = t.codec();
        member.publications.put(e.getKey(), p);
        member.trackInfos.put(e.getKey(), new TrackInfo(member.participantId, e.getKey(), t.kind(), t.ssrc(),
            c.name(), c.clockRate(), c.channels(), c.fmtp(), getContext().getSelf()));
        localTracks.put(e.getKey(), p);
      }
      tracks.add(member.trackInfos.get(e.getKey()));
    }
    return List.copyOf(tracks);
  }

  private Behavior<Command> onSetSources(SetSources m) {
    Member member = members.get(m.participantId());
    if (member == null) {
      return this;
    }
    member.wanted = List.copyOf(m.sources());
    reconcile(member);
    releaseUnusedRelays();
    return this;
  }

  /** Brings a member's receiving connection in line with what the room wants it to receive. */
  private void reconcile(Member member) {
    boolean changed = false;
    if (member.subscribe == null) {
      if (member.wanted.isEmpty()) {
        return; // nothing to receive yet: no connection (a two-person direct call never needs one)
      }
      member.subscribe = router.createEndpoint(member.participantId + "/sub", member.roomId, listener());
      conferences.mediaAttempted(member.roomId, member.participantId);
    }
    Map<String, TrackInfo> wanted = new LinkedHashMap<>();
    Map<String, TrackInfo> audio = new LinkedHashMap<>();
    for (TrackInfo t : member.wanted) {
      if (audioSlots > 0 && t.isAudio() && t.codec().equalsIgnoreCase("opus")) {
        audio.put(t.trackId(), t); // heard through the audio slots
      } else {
        wanted.put(t.trackId(), t);
      }
    }
    member.audioCandidates = audio;
    for (Slot slot : member.slots) {
      if (slot.rewriter != null) {
        continue; // an audio slot: assigned below
      }
      if (slot.track != null && !wanted.containsKey(slot.track.trackId())) {
        if (slot.subscription != null) {
          router.unsubscribe(slot.subscription);
        }
        slot.track = null;
        slot.subscription = null;
        slot.reusable = false;
        changed = true;
      } else if (slot.track != null) {
        TrackInfo now = wanted.remove(slot.track.trackId());
        if (!now.equals(slot.track)) {
          // The same track published again (its publisher moved to another router): new SSRC, maybe new origin.
          slot.track = now;
          slot.codec = codecFor(member, now);
          changed = true;
        }
        wire(member, slot);
      }
    }
    for (TrackInfo t : wanted.values()) {
      // An m-section the client has seen go inactive carries the new track (last-N switches would otherwise add
      // one section per switch); the client sees the new msid as a new track.
      Slot slot = null;
      for (Slot s : member.slots) {
        if (s.reusable && s.track == null && s.kind.equals(t.kind())) {
          slot = s;
          break;
        }
      }
      if (slot == null) {
        slot = new Slot(Integer.toString(member.slots.size()), t.kind());
        member.slots.add(slot);
      }
      slot.reusable = false;
      slot.inactiveOffered = false;
      slot.track = t;
      slot.codec = codecFor(member, t);
      slot.rtxPayloadType = -1;
      slot.rtxSsrc = -1;
      if (!t.isAudio() && !localSimulcast.containsKey(t.trackId())) {
        slot.rtxPayloadType = rtxPayloadTypeFor(member, slot.codec.payloadType());
        slot.rtxSsrc = random.nextInt() & 0xFFFFFFFFL;
      }
      wire(member, slot);
      changed = true;
    }
    if (audioSlots > 0) {
      changed |= addAudioSlots(member);
      for (TrackInfo t : audio.values()) {
        if (publicationOf(t) == null) {
          relays.need(t); // every source counts in the ranking, so each comes here (once per node)
        }
      }
      assignAudio(member, ranked(member.audioCandidates.values()));
    }
    if (changed) {
      member.dirty = true;
    }
    sendOfferIfDue(member);
  }

  /**
   * Enough audio slots for the member's sources, up to {@link #audioSlots}; slots are never taken away (the
   * receiving connection keeps its m-sections). True if any was added.
   */
  private boolean addAudioSlots(Member member) {
    int want = Math.min(audioSlots, member.audioCandidates.size());
    boolean added = false;
    while (member.audioSlots.size() < want) {
      TrackInfo like = member.audioCandidates.values().iterator().next();
      long ssrc = random.nextInt() & 0xFFFFFFFFL;
      Slot slot = new Slot(Integer.toString(member.slots.size()), "audio");
      slot.rewriter = new StreamRewriter(ssrc, false, like.clockRate());
      slot.track = new TrackInfo(AUDIO_SLOTS_STREAM, AUDIO_SLOTS_STREAM + "-" + member.audioSlots.size(), "audio",
          ssrc, like.codec(), like.clockRate(), like.channels(), like.fmtp(), getContext().getSelf());
      slot.codec = codecFor(member, slot.track);
      member.slots.add(slot);
      member.audioSlots.add(slot);
      added = true;
    }
    return added;
  }

  /** The publication here of a track: published on this node, or arrived over a relay from its origin. */
  private Publication publicationOf(TrackInfo t) {
    Publication p = localTracks.get(t.trackId());
    return p != null ? p : relays.published(t.trackId(), t.origin());
  }

  /** A source's loudness now; one that sent nothing since the last selection is silent (muted, gone quiet). */
  private double loudness(Publication p) {
    return p == null || stalled.contains(p) ? 0 : p.loudness();
  }

  /** Tracks that are here, loudest first. */
  private List<TrackInfo> ranked(java.util.Collection<TrackInfo> tracks) {
    List<TrackInfo> here = new ArrayList<>();
    for (TrackInfo t : tracks) {
      if (publicationOf(t) != null) {
        here.add(t);
      }
    }
    here.sort(java.util.Comparator.comparingDouble((TrackInfo t) -> loudness(publicationOf(t))).reversed());
    return here;
  }

  /**
   * Gives the member's audio slots the loudest of its sources ({@code ranking}: a room's sources loudest first;
   * those the member may not hear are skipped) and re-subscribes the slots whose source changed.
   */
  private void assignAudio(Member member, List<TrackInfo> ranking) {
    if (member.audioSlots.isEmpty() || member.subscribe == null) {
      return;
    }
    List<String> top = new ArrayList<>();
    Map<String, Publication> publications = new HashMap<>();
    int enough = member.audioSlots.size() + 1;
    for (int i = 0; i < ranking.size() && top.size() < enough; i++) {
      TrackInfo t = ranking.get(i);
      if (member.audioCandidates.containsKey(t.trackId())) {
        top.add(t.trackId());
        publications.put(t.trackId(), publicationOf(t));
      }
    }
    String[] holders = new String[member.audioSlots.size()];
    for (int i = 0; i < holders.length; i++) {
      Slot s = member.audioSlots.get(i);
      holders[i] = s.source;
      TrackInfo held = s.source == null ? null : member.audioCandidates.get(s.source);
      if (held != null && !publications.containsKey(s.source)) {
        publications.put(s.source, publicationOf(held));
      }
    }
    String[] next = AudioSelection.assign(holders,
        top, id -> member.audioCandidates.containsKey(id) && publications.get(id) != null,
        id -> loudness(publications.get(id)));
    for (int i = 0; i < next.length; i++) {
      Slot s = member.audioSlots.get(i);
      Publication p = next[i] == null ? null : publications.get(next[i]);
      if (Objects.equals(next[i], s.source) && (s.subscription == null ? p == null : s.subscription.publication() == p)) {
        continue;
      }
      if (s.subscription != null) {
        router.unsubscribe(s.subscription);
        s.subscription = null;
      }
      s.source = next[i];
      if (p != null) {
        s.subscription = router.subscribe(p, member.subscribe, s.codec.payloadType(), s.rewriter, false, -1, -1);
      }
    }
  }

  /** The timer: every receiver's audio slots follow who is loudest now, ranked once per room. */
  private Behavior<Command> selectAudio() {
    Map<String, Map<String, TrackInfo>> byRoom = new HashMap<>();
    for (Member m : members.values()) {
      if (!m.audioSlots.isEmpty()) {
        Map<String, TrackInfo> room = byRoom.computeIfAbsent(m.roomId, r -> new LinkedHashMap<>());
        m.audioCandidates.values().forEach(t -> room.putIfAbsent(t.trackId(), t));
      }
    }
    Map<Publication, Long> packets = new HashMap<>();
    stalled.clear();
    for (Map<String, TrackInfo> room : byRoom.values()) {
      for (TrackInfo t : room.values()) {
        Publication p = publicationOf(t);
        if (p != null) {
          packets.put(p, p.packets());
          if (Objects.equals(packetsAtLastSelection.get(p), p.packets())) {
            stalled.add(p);
          }
        }
      }
    }
    packetsAtLastSelection = packets;
    Map<String, List<TrackInfo>> rankings = new HashMap<>();
    byRoom.forEach((room, tracks) -> rankings.put(room, ranked(tracks.values())));
    for (Member m : members.values()) {
      if (!m.audioSlots.isEmpty()) {
        assignAudio(m, rankings.get(m.roomId));
      }
    }
    return this;
  }

  /** A track from another node arrived over a relay: every slot here waiting for it subscribes now. */
  private Behavior<Command> onTrackRelayed(TrackRelayed m) {
    Publication arrived = relays.onTrackRelayed(m);
    if (arrived == null) {
      return this;
    }
    for (RelayedWatch w : relayedWatches.getOrDefault(m.trackId(), List.of())) {
      router.subscribe(arrived, w.endpoint(), w.payloadType());
    }
    for (Member member : members.values()) {
      for (Slot slot : member.slots) {
        if (slot.rewriter == null && slot.track != null && slot.track.trackId().equals(m.trackId())
            && member.subscribe != null) {
          wire(member, slot);
        }
      }
      if (member.audioCandidates.containsKey(m.trackId())) {
        assignAudio(member, ranked(member.audioCandidates.values()));
      }
    }
    return this;
  }

  /** Relayed tracks no slot on this node uses any more go back (the far router stops sending them). */
  private void releaseUnusedRelays() {
    Set<String> used = new HashSet<>();
    for (Member member : members.values()) {
      for (Slot slot : member.slots) {
        if (slot.track != null) {
          used.add(slot.track.trackId());
        }
      }
      used.addAll(member.audioCandidates.keySet());
    }
    used.addAll(relayedWatches.keySet());
    for (String trackId : relays.inboundTrackIds()) {
      if (!used.contains(trackId) || localTracks.containsKey(trackId) || localSimulcast.containsKey(trackId)) {
        relays.release(trackId);
      }
    }
  }

  /**
   * Subscribes the slot to its track here (published locally, or arrived over a relay), or asks the relay for it.
   * The offer does not change, only what feeds the slot.
   */
  private void wire(Member member, Slot slot) {
    SimulcastSource src = localSimulcast.get(slot.track.trackId());
    Publication p = src == null ? publicationOf(slot.track) : null;
    if (slot.subscription != null) {
      if ((p != null && slot.subscription.publication() == p) || (src != null && slot.wiredTo == src)) {
        return;
      }
      router.unsubscribe(slot.subscription);
      slot.subscription = null;
      slot.wiredTo = null;
    }
    if (p != null) {
      slot.subscription = router.subscribe(p, member.subscribe, slot.codec.payloadType(), null, false,
          slot.rtxPayloadType, slot.rtxSsrc);
    } else if (src != null) {
      slot.subscription = router.subscribe(src, member.subscribe, slot.codec.payloadType(), null,
          slot.codec.is("VP8"), -1, -1);
      slot.wiredTo = src;
    }
    if (p == null && src == null) {
      relays.need(slot.track); // published on another node: it comes over a relay, then this slot is wired
    }
  }

  private static int rtxPayloadTypeFor(Member member, int payloadType) {
    String key = "rtx/" + payloadType;
    Integer pt = member.payloadTypes.get(key);
    if (pt == null) {
      pt = freePayloadType(member);
      member.payloadTypes.put(key, pt);
    }
    return pt;
  }

  /** The lowest dynamic payload type (RFC 3551 §6: 96-127) not yet used, keeping 111 for Opus. */
  private static int freePayloadType(Member member) {
    for (int pt = 96; pt <= 127; pt++) {
      if (pt != 111 && !member.payloadTypes.containsValue(pt)) {
        return pt;
      }
    }
    return 127; // more than 31 distinct codec configurations: an offer this odd is not worth refusing
  }

  /** One payload type per distinct codec configuration on this receiving connection (RFC 8843 §9.1). */
  private static Codec codecFor(Member member, TrackInfo t) {
    String key = t.codec().toLowerCase() + "/" + t.clockRate() + "/" + t.channels() + "/" + t.fmtp();
    Integer pt = member.payloadTypes.get(key);
    if (pt == null) {
      pt = t.isAudio() && t.codec().equalsIgnoreCase("opus") ? 111 : freePayloadType(member);
      member.payloadTypes.put(key, pt);
    }
    List<String> feedback = t.isAudio() ? List.of() : List.of("nack", "nack pli", "ccm fir");
    return new Codec(pt, t.codec(), t.clockRate(), t.channels(), t.fmtp(), feedback);
  }

  private void sendOfferIfDue(Member member) {
    if (!member.dirty || member.awaitingAnswer || member.slots.isEmpty()) {
      return;
    }
    List<OutgoingTrack> tracks = new ArrayList<>();
    for (Slot s : member.slots) {
      s.inactiveOffered = s.track == null;
      if (s.track == null) {
        Codec idle = s.codec;
        tracks.add(new OutgoingTrack(s.mid, s.kind, idle, -1, null, null));
      } else {
        tracks.add(new OutgoingTrack(s.mid, s.kind, s.codec, s.track.ssrc(), s.track.participantId(),
            s.track.trackId(), s.rtxPayloadType, s.rtxSsrc));
      }
    }
    member.dirty = false;
    member.awaitingAnswer = true;
    boolean fresh = member.freshConnection;
    member.freshConnection = false;
    member.client.tell(new SubscribeOffer(member.subscribeSdp.offer(router.localTransport(member.subscribe),
        tracks), fresh));
  }

  /** The client lost its receiving connection's path: new ICE credentials and a re-offer (RFC 8445 §2.4). */
  private Behavior<Command> onRestartIce(RestartIce m) {
    Member member = members.get(m.participantId());
    if (member != null && member.subscribe != null && !member.subscribe.isClosed()) {
      router.restartIce(member.subscribe);
      member.dirty = true;
      sendOfferIfDue(member);
    }
    return this;
  }

  private Behavior<Command> onSubscribeAnswer(SubscribeAnswer m) {
    Member member = members.get(m.participantId());
    if (member == null || member.subscribe == null) {
      return this;
    }
    try {
      SessionDescription answer = SessionDescription.parse(m.answerSdp());
      router.setRemoteFingerprint(member.subscribe,
          SessionDescription.sha256Fingerprint(answer.media().get(0).fingerprint()));
      router.setRemoteIce(member.subscribe, answer.media().get(0).ice(), answer.media().get(0).candidates());
      // The browser accepts abs-send-time by naming it in its answer (under the id we offered).
      router.enableAbsSendTime(member.subscribe, -1,
          Math.max(0, answer.media().get(0).extensionId(SdpWriter.ABS_SEND_TIME)));
      member.awaitingAnswer = false;
      for (Slot s : member.slots) {
        s.reusable = s.inactiveOffered && s.track == null;
      }
      sendOfferIfDue(member);
    } catch (SdpException e) {
      member.awaitingAnswer = false;
      member.client.tell(new MediaFailed("bad_sdp", e.getMessage()));
    }
    return this;
  }

  /** WHEP: a receive-only offer answered with the given sources, one per offered section of the same kind. */
  private Behavior<Command> onWatch(Watch m) {
    try {
      SessionDescription offer = SessionDescription.parse(m.offerSdp());
      byte[] fingerprint = SessionDescription.sha256Fingerprint(offer.media().get(0).fingerprint());
      Endpoint endpoint = router.createEndpoint(m.viewerId() + "/watch", m.roomId(), listener());
      List<TrackInfo> remaining = new ArrayList<>(m.sources());
      SdpWriter.Answer answer;
      answer = new SdpWriter().answer(offer, router.localTransport(endpoint), d -> take(remaining, d));
      router.setRemoteFingerprint(endpoint, fingerprint);
      router.setRemoteIce(endpoint, offer.media().get(0).ice(), offer.media().get(0).candidates());
      for (OutgoingTrack out : answer.outgoing()) {
        Publication p = localTracks.get(out.trackId());
        SimulcastSource src = localSimulcast.get(out.trackId());
        if (p != null) {
          router.subscribe(p, endpoint, out.codec().payloadType());
        } else if (src != null) {
          router.subscribe(src, endpoint, out.codec().payloadType(), null, out.codec().is("VP8"), -1, -1);
        } else {
          // Published on another node: it comes over the relay (once, whoever else needs it here).
          for (TrackInfo t : m.sources()) {
            if (t.trackId().equals(out.trackId())) {
              Publication relayed = relays.published(t.trackId(), t.origin());
              if (relayed != null) {
                router.subscribe(relayed, endpoint, out.codec().payloadType());
              }
              relayedWatches.computeIfAbsent(t.trackId(), id -> new ArrayList<>())
                  .add(new RelayedWatch(m.viewerId(), endpoint, out.codec().payloadType()));
              relays.need(t);
            }
          }
        }
      }
      watchers.put(m.viewerId(), endpoint);
      watchSessions.put(m.viewerId(), m.replyTo());
      awaitConnection(m.viewerId());
      m.replyTo().tell(new Subscribed(answer.sdp()));
    } catch (SdpException e) {
      m.replyTo().tell(new MediaFailed("bad_sdp", e.getMessage()));
    }
    return this;
  }

  /**
   * Egress: a recorder's sink is a receiver like a WHEP viewer's (kept with the viewers, ended by {@link Unwatch}),
   * but it gets plain RTP on loopback, so it needs no offer, ICE or DTLS.
   */
  private Behavior<Command> onRecordTrack(RecordTrack m) {
    Endpoint endpoint;
    try {
      endpoint = router.createPlainSink(m.sinkId(), m.roomId(),
          new InetSocketAddress(InetAddress.getLoopbackAddress(), m.port()));
    } catch (IllegalArgumentException e) {
      getContext().getLog().warn("recorder sink {} refused: {}", m.sinkId(), e.getMessage());
      return this;
    }
    TrackInfo t = m.track();
    Publication p = localTracks.get(t.trackId());
    SimulcastSource src = localSimulcast.get(t.trackId());
    if (p != null) {
      router.subscribe(p, endpoint, m.payloadType());
    } else if (src != null) {
      router.subscribe(src, endpoint, m.payloadType(), null, "VP8".equalsIgnoreCase(t.codec()), -1, -1);
    } else {
      Publication relayed = relays.published(t.trackId(), t.origin());
      if (relayed != null) {
        router.subscribe(relayed, endpoint, m.payloadType());
      }
      relayedWatches.computeIfAbsent(t.trackId(), id -> new ArrayList<>())
          .add(new RelayedWatch(m.sinkId(), endpoint, m.payloadType()));
      relays.need(t);
    }
    watchers.put(m.sinkId(), endpoint);
    return this;
  }

  private Behavior<Command> onRecorderReady(RecorderReady m) {
    SimulcastSource src = localSimulcast.get(m.track().trackId());
    if (src != null) {
      router.requestKeyframe(src);
      return this;
    }
    Publication p = localTracks.get(m.track().trackId());
    if (p == null) {
      p = relays.published(m.track().trackId(), m.track().origin());
    }
    if (p != null && p.isVideo()) {
      router.requestKeyframe(p);
    }
    return this;
  }

  private Behavior<Command> onWatchSpeaker(WatchSpeaker m) {
    try {
      SessionDescription offer = SessionDescription.parse(m.offerSdp());
      byte[] fingerprint = SessionDescription.sha256Fingerprint(offer.media().get(0).fingerprint());
      Endpoint endpoint = router.createEndpoint(m.viewerId() + "/watch", m.roomId(), listener());
      long audioSsrc = random.nextInt() & 0xFFFFFFFFL;
      long videoSsrc = random.nextInt() & 0xFFFFFFFFL;
      SdpWriter.Answer answer = new SdpWriter().answer(offer, router.localTransport(endpoint), d -> {
        boolean audio = d.kind().equals("audio");
        Codec c = audio ? new Codec(0, "opus", 48000, 2, null, List.of())
            : new Codec(0, "VP8", 90000, 1, null, List.of());
        return new OutgoingTrack(d.mid(), d.kind(), c, audio ? audioSsrc : videoSsrc, "speaker",
            "speaker-" + d.kind());
      });
      int audioPt = -1;
      int videoPt = -1;
      for (OutgoingTrack out : answer.outgoing()) {
        if (out.kind().equals("audio") && audioPt < 0) {
          audioPt = out.codec().payloadType();
        } else if (out.kind().equals("video") && videoPt < 0) {
          videoPt = out.codec().payloadType();
        }
      }
      if (audioPt < 0 && videoPt < 0) {
        router.removeEndpoint(endpoint, "nothing to send");
        throw new SdpException("the offer must receive Opus audio or VP8 video");
      }
      router.setRemoteFingerprint(endpoint, fingerprint);
      router.setRemoteIce(endpoint, offer.media().get(0).ice(), offer.media().get(0).candidates());
      Follower f = new Follower(m.roomId(), endpoint, new StreamRewriter(audioSsrc, false, 48000), audioPt,
          new StreamRewriter(videoSsrc, true, 90000), videoPt);
      followers.put(m.viewerId(), f);
      watchSessions.put(m.viewerId(), m.replyTo());
      awaitConnection(m.viewerId());
      String start = m.initialSpeaker() != null && hasLocalTracks(m.initialSpeaker()) ? m.initialSpeaker()
          : anyPublisher(m.roomId());
      follow(f, start);
      m.replyTo().tell(new Subscribed(answer.sdp()));
    } catch (SdpException e) {
      m.replyTo().tell(new MediaFailed("bad_sdp", e.getMessage()));
    }
    return this;
  }

  /** Points a follower's streams at {@code participantId}'s local publications (null: nobody for now). */
  private void follow(Follower f, String participantId) {
    if (Objects.equals(f.following, participantId) && !f.subscriptions.isEmpty()) {
      return;
    }
    for (Subscription s : f.subscriptions) {
      router.unsubscribe(s);
    }
    f.subscriptions.clear();
    f.following = participantId;
    Member member = participantId == null ? null : members.get(participantId);
    if (member == null) {
      return;
    }
    boolean audioTaken = false;
    boolean videoTaken = false;
    for (Publication p : member.publications.values()) {
      if (!p.isVideo() && !audioTaken && f.audioPt >= 0) {
        f.subscriptions.add(router.subscribe(p, f.endpoint, f.audioPt, f.audio, false));
        audioTaken = true;
      } else if (p.isVideo() && !videoTaken && f.videoPt >= 0) {
        f.subscriptions.add(router.subscribe(p, f.endpoint, f.videoPt, f.video, true));
        videoTaken = true;
      }
    }
    for (SimulcastSource src : member.simulcast.values()) {
      if (!videoTaken && f.videoPt >= 0) {
        f.subscriptions.add(router.subscribe(src, f.endpoint, f.videoPt, f.video, true, -1, -1));
        videoTaken = true;
      }
    }
  }

  private boolean hasLocalTracks(String participantId) {
    Member m = members.get(participantId);
    return m != null && (!m.publications.isEmpty() || !m.simulcast.isEmpty());
  }

  private String anyPublisher(String roomId) {
    for (Member m : members.values()) {
      if (m.roomId.equals(roomId) && (!m.publications.isEmpty() || !m.simulcast.isEmpty())) {
        return m.participantId;
      }
    }
    return null;
  }

  /** A WHEP viewer is gone: its relayed tracks are released unless someone else here uses them. */
  private void forgetWatches(String viewerId) {
    relayedWatches.values().forEach(list -> list.removeIf(w -> w.viewerId().equals(viewerId)));
    relayedWatches.values().removeIf(List::isEmpty);
    releaseUnusedRelays();
  }

  private void awaitConnection(String viewerId) {
    getContext().scheduleOnce(router.consentTimeout(), getContext().getSelf(), new WatchDeadline(viewerId));
  }

  /** A WHEP viewer whose ICE and DTLS never completed within a consent timeout has gone away after its POST. */
  private Behavior<Command> onWatchDeadline(WatchDeadline m) {
    Follower f = followers.get(m.viewerId());
    Endpoint e = f != null ? f.endpoint : watchers.get(m.viewerId());
    if (e != null && !e.connected() && !e.isClosed()) {
      getContext().getLog().info("WHEP viewer {} never connected; closing it", m.viewerId());
      router.removeEndpoint(e, "never connected");
    }
    return this;
  }

  private Behavior<Command> onUnwatch(Unwatch m) {
    watchSessions.remove(m.viewerId());
    forgetWatches(m.viewerId());
    Endpoint e = watchers.remove(m.viewerId());
    Follower f = followers.remove(m.viewerId());
    if (f != null) {
      e = f.endpoint;
    }
    if (e != null) {
      router.removeEndpoint(e, "left");
    }
    m.replyTo().tell(e != null);
    return this;
  }

  private static OutgoingTrack take(List<TrackInfo> remaining, MediaDescription section) {
    for (int i = 0; i < remaining.size(); i++) {
      TrackInfo t = remaining.get(i);
      if (t.kind().equals(section.kind())) {
        remaining.remove(i);
        Codec codec = new Codec(0, t.codec(), t.clockRate(), t.channels(), t.fmtp(), List.of());
        return new OutgoingTrack(section.mid(), t.kind(), codec, t.ssrc(), t.participantId(), t.trackId());
      }
    }
    return null;
  }

  private Behavior<Command> onGetStatus(GetStatus m) {
    RouterCounters c = router.counters();
    m.replyTo().tell(new RouterStatus(router.port(), router.endpointCount(), c.packetsReceived(), c.packetsSent(),
        c.bytesReceived(), c.bytesSent(), members.size(), draining));
    return this;
  }

  private Behavior<Command> onEndpointClosed(EndpointClosed m) {
    String participantId = m.endpointId().substring(0, m.endpointId().lastIndexOf('/'));
    if (m.endpointId().endsWith("/watch")) {
      watchers.remove(participantId);
      followers.remove(participantId);
      forgetWatches(participantId);
      ActorRef<MediaEvent> session = watchSessions.remove(participantId);
      if (session != null && !m.reason().equals("left")) {
        session.tell(new MediaFailed("transport_closed", m.reason()));
      }
      return this;
    }
    Member member = members.get(participantId);
    if (member == null) {
      return this;
    }
    if (member.publish != null && m.endpointId().equals(member.publish.id()) && member.publish.isClosed()
        && !m.reason().equals("republished") && !m.reason().equals("left")) {
      member.publications.keySet().forEach(localTracks::remove);
      member.publications.clear();
      member.publish = null;
      member.client.tell(new MediaFailed("publish_closed", m.reason()));
    } else if (member.subscribe != null && m.endpointId().equals(member.subscribe.id())
        && member.subscribe.isClosed() && !m.reason().equals("left")) {
      member.subscribe = null;
      member.slots.clear();
      member.audioSlots.clear();
      member.payloadTypes.clear();
      member.awaitingAnswer = false;
      member.freshConnection = true;
      member.client.tell(new MediaFailed("transport_closed", m.reason()));
      reconcile(member); // a new receiving connection right away, offered as fresh
    }
    return this;
  }

  private Behavior<Command> onSpeakerChanged(SpeakerChanged m) {
    String participantId = m.endpointId().substring(0, m.endpointId().lastIndexOf('/'));
    Member member = members.get(participantId);
    if (member != null) {
      member.client.tell(new SpeakerActive(participantId));
      for (Follower f : followers.values()) {
        if (f.roomId.equals(member.roomId)) {
          follow(f, participantId);
        }
      }
    }
    return this;
  }

  private EndpointListener listener() {
    ActorRef<Command> self = getContext().getSelf();
    return new EndpointListener() {
      @Override
      public void connected(Endpoint endpoint) {
        String id = endpoint.id();
        if (!id.endsWith("/watch")) {
          conferences.mediaConnected(endpoint.group(), id.substring(0, id.lastIndexOf('/')));
        }
      }

      @Override
      public void closed(Endpoint endpoint, String reason) {
        self.tell(new EndpointClosed(endpoint.id(), Objects.requireNonNullElse(reason, "closed")));
      }
    };
  }
}
