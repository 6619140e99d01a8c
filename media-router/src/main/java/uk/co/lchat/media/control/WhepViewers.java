package uk.co.lchat.media.control;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

import org.apache.pekko.actor.typed.ActorRef;

import uk.co.lchat.media.control.MediaRouterProtocol.MediaEvent;
import uk.co.lchat.media.control.MediaRouterProtocol.Watch;
import uk.co.lchat.media.control.MediaRouterProtocol.WatchSpeaker;
import uk.co.lchat.media.router.Endpoint;
import uk.co.lchat.media.router.MediaRouter;
import uk.co.lchat.media.router.Publication;
import uk.co.lchat.media.router.SimulcastSource;
import uk.co.lchat.media.router.StreamRewriter;
import uk.co.lchat.media.router.Subscription;
import uk.co.lchat.media.sdp.Codec;
import uk.co.lchat.media.sdp.MediaDescription;
import uk.co.lchat.media.sdp.OutgoingTrack;
import uk.co.lchat.media.sdp.SdpException;
import uk.co.lchat.media.sdp.SdpWriter;
import uk.co.lchat.media.sdp.SessionDescription;

/**
 * This router's WHEP viewers: receive-only connections answered once, never re-offered (WHEP cannot). A viewer of
 * given tracks ({@link Watch}) gets one stream per offered section of the same kind; tracks published on another
 * node come over the relay. A viewer that follows the speaker ({@link WatchSpeaker}) gets one audio and one video
 * stream of fixed SSRCs whose source switches to the room's dominant speaker on this node. Each viewer's session
 * hears when its connection ends by itself, so it leaves the room.
 */
final class WhepViewers {
  /** A viewer that follows the dominant speaker: fixed outgoing streams, switching sources. */
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

  /** A viewer's stream of a track that comes over a relay: wired when the relay brings it. */
  private record RelayedWatch(String viewerId, Endpoint endpoint, int payloadType) {}

  private final MediaRouter router;
  private final Endpoints endpoints;
  private final LocalTracks tracks;
  private final Members members;
  private final Random random = new SecureRandom();
  private final Map<String, Endpoint> watchers = new HashMap<>();
  private final Map<String, Follower> followers = new HashMap<>();
  /** Each viewer's session (the Watch's replyTo), told when its connection ends so it leaves the room. */
  private final Map<String, ActorRef<MediaEvent>> sessions = new HashMap<>();
  /** Viewers' tracks published on other nodes, by track id. */
  private final Map<String, List<RelayedWatch>> relayed = new HashMap<>();

  WhepViewers(MediaRouter router, Endpoints endpoints, LocalTracks tracks, Members members) {
    this.router = router;
    this.endpoints = endpoints;
    this.tracks = tracks;
    this.members = members;
  }

  /** Answers a viewer of {@code m.sources()}; returns the answer's SDP. */
  String watch(Watch m) throws SdpException {
    SessionDescription offer = SessionDescription.parse(m.offerSdp());
    byte[] fingerprint = SessionDescription.sha256Fingerprint(offer.media().get(0).fingerprint());
    Endpoint endpoint = endpoints.viewer(m.roomId(), m.viewerId());
    List<TrackInfo> remaining = new ArrayList<>(m.sources());
    SdpWriter.Answer answer = new SdpWriter().answer(offer, router.localTransport(endpoint),
        d -> take(remaining, d));
    router.setRemoteFingerprint(endpoint, fingerprint);
    router.setRemoteIce(endpoint, offer.media().get(0).ice(), offer.media().get(0).candidates());
    for (OutgoingTrack out : answer.outgoing()) {
      int pt = out.codec().payloadType();
      Publication p = tracks.published(out.trackId());
      SimulcastSource src = tracks.simulcast(out.trackId());
      if (p != null) {
        router.subscribe(p, endpoint, pt);
      } else if (src != null) {
        router.subscribe(src, endpoint, pt, null, out.codec().is("VP8"), -1, -1);
      } else {
        // Published on another node: it comes over the relay (once, whoever else needs it here).
        for (TrackInfo t : m.sources()) {
          if (t.trackId().equals(out.trackId())) {
            Publication arrived = tracks.publicationOf(t);
            if (arrived != null) {
              router.subscribe(arrived, endpoint, pt);
            }
            relayed.computeIfAbsent(t.trackId(), id -> new ArrayList<>())
                .add(new RelayedWatch(m.viewerId(), endpoint, pt));
            tracks.need(t);
          }
        }
      }
    }
    watchers.put(m.viewerId(), endpoint);
    sessions.put(m.viewerId(), m.replyTo());
    return answer.sdp();
  }

  /** Answers a viewer that follows the speaker, starting with {@code m.initialSpeaker()} when it publishes here. */
  String watchSpeaker(WatchSpeaker m) throws SdpException {
    SessionDescription offer = SessionDescription.parse(m.offerSdp());
    byte[] fingerprint = SessionDescription.sha256Fingerprint(offer.media().get(0).fingerprint());
    Endpoint endpoint = endpoints.viewer(m.roomId(), m.viewerId());
    long audioSsrc = random.nextInt() & 0xFFFFFFFFL;
    long videoSsrc = random.nextInt() & 0xFFFFFFFFL;
    SdpWriter.Answer answer = new SdpWriter().answer(offer, router.localTransport(endpoint), d -> {
      boolean audio = d.kind().equals("audio");
      Codec c = audio ? new Codec(0, "opus", 48000, 2, null, List.of())
          : new Codec(0, "VP8", 90000, 1, null, List.of());
      return new OutgoingTrack(d.mid(), d.kind(), c, audio ? audioSsrc : videoSsrc, "speaker", "speaker-" + d.kind());
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
    sessions.put(m.viewerId(), m.replyTo());
    String start = m.initialSpeaker() != null && members.publishes(m.initialSpeaker()) ? m.initialSpeaker()
        : members.anyPublisher(m.roomId());
    follow(f, start);
    return answer.sdp();
  }

  /** {@code member} published: viewers of its room that follow nobody, or follow it, take its new tracks. */
  void published(Member member) {
    for (Follower f : followers.values()) {
      if (f.roomId.equals(member.roomId) && (f.following == null || f.following.equals(member.participantId))) {
        follow(f, member.participantId);
      }
    }
  }

  /** {@code member} is the loudest in its room on this node now. */
  void speakerChanged(Member member) {
    for (Follower f : followers.values()) {
      if (f.roomId.equals(member.roomId)) {
        follow(f, member.participantId);
      }
    }
  }

  /** {@code participantId} left this router: its followers follow another publisher of their room, if any. */
  void publisherLeft(String participantId) {
    for (Follower f : followers.values()) {
      if (participantId.equals(f.following)) {
        follow(f, members.anyPublisher(f.roomId));
      }
    }
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
    for (Publication p : member.publishing.publications()) {
      if (!p.isVideo() && !audioTaken && f.audioPt >= 0) {
        f.subscriptions.add(router.subscribe(p, f.endpoint, f.audioPt, f.audio, false));
        audioTaken = true;
      } else if (p.isVideo() && !videoTaken && f.videoPt >= 0) {
        f.subscriptions.add(router.subscribe(p, f.endpoint, f.videoPt, f.video, true));
        videoTaken = true;
      }
    }
    for (SimulcastSource src : member.publishing.simulcastSources()) {
      if (!videoTaken && f.videoPt >= 0) {
        f.subscriptions.add(router.subscribe(src, f.endpoint, f.videoPt, f.video, true, -1, -1));
        videoTaken = true;
      }
    }
  }

  /** A track from another node arrived over a relay: the viewers waiting for it get it now. */
  void trackRelayed(String trackId, Publication arrived) {
    for (RelayedWatch w : relayed.getOrDefault(trackId, List.of())) {
      router.subscribe(arrived, w.endpoint(), w.payloadType());
    }
  }

  /** Tracks viewers here receive over relays. */
  Set<String> relayedTrackIds() {
    return relayed.keySet();
  }

  /**
   * The viewer's connection, if it has not come up within a consent timeout of its answer (its player went away
   * after the POST), is closed; true if so.
   */
  boolean closeIfNeverConnected(String viewerId) {
    Follower f = followers.get(viewerId);
    Endpoint e = f != null ? f.endpoint : watchers.get(viewerId);
    if (e != null && !e.connected() && !e.isClosed()) {
      router.removeEndpoint(e, "never connected");
      return true;
    }
    return false;
  }

  /** WHEP DELETE: the viewer ends; true if it existed. The caller releases the relayed tracks nobody uses now. */
  boolean unwatch(String viewerId) {
    sessions.remove(viewerId);
    forget(viewerId);
    Endpoint e = watchers.remove(viewerId);
    Follower f = followers.remove(viewerId);
    if (f != null) {
      e = f.endpoint;
    }
    if (e != null) {
      router.removeEndpoint(e, "left");
    }
    return e != null;
  }

  /**
   * The viewer's endpoint closed; returns its session, which is to hear of it unless it left (null: none). The
   * caller releases the relayed tracks nobody uses now.
   */
  ActorRef<MediaEvent> closed(String viewerId) {
    watchers.remove(viewerId);
    followers.remove(viewerId);
    forget(viewerId);
    return sessions.remove(viewerId);
  }

  private void forget(String viewerId) {
    relayed.values().forEach(list -> list.removeIf(w -> w.viewerId().equals(viewerId)));
    relayed.values().removeIf(List::isEmpty);
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
}
