package uk.co.lchat.media.control;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import uk.co.lchat.media.control.MediaRouterProtocol.MediaFailed;
import uk.co.lchat.media.control.MediaRouterProtocol.SubscribeOffer;
import uk.co.lchat.media.router.Endpoint;
import uk.co.lchat.media.router.MediaRouter;
import uk.co.lchat.media.router.Publication;
import uk.co.lchat.media.sdp.Codec;
import uk.co.lchat.media.sdp.MediaDescription;
import uk.co.lchat.media.sdp.OutgoingTrack;
import uk.co.lchat.media.sdp.SdpException;
import uk.co.lchat.media.sdp.SdpWriter;
import uk.co.lchat.media.sdp.SessionDescription;

/**
 * The connection a participant receives on: we offer, the client answers. It carries what the room last said the
 * participant receives ({@code SetSources}): one m-section ({@link Slot}) per video or non-Opus track, Opus through
 * the audio slots. Sections are never taken away; one whose source is gone goes inactive and, once the client has
 * seen that, carries the next track of its kind. Changes become one offer at a time: the next waits for the answer.
 */
final class ReceivingConnection {
  private final Member owner;
  private final MediaRouter router;
  private final Endpoints endpoints;
  private final LocalTracks tracks;
  private final AudioSlots audio;
  private final Random random = new SecureRandom();
  private final SdpWriter sdp = new SdpWriter();
  private final List<Slot> slots = new ArrayList<>();
  private final List<Slot> audioSlots = new ArrayList<>();
  private final PayloadTypes payloadTypes = new PayloadTypes();
  private Endpoint endpoint;
  private List<TrackInfo> wanted = List.of();
  /** The participant's own limits on its video ({@link VideoConstraints}); kept for a new connection too. */
  private VideoConstraints constraints = VideoConstraints.NONE;
  /** Audio tracks this participant may hear, of which its audio slots carry the loudest. */
  private Map<String, TrackInfo> audioSources = Map.of();
  private boolean awaitingAnswer;
  private boolean dirty;
  /** The next offer starts a new receiving connection (the client must drop its old one). */
  private boolean freshConnection = true;

  ReceivingConnection(Member owner, MediaRouter router, Endpoints endpoints, LocalTracks tracks, AudioSlots audio) {
    this.owner = owner;
    this.router = router;
    this.endpoints = endpoints;
    this.tracks = tracks;
    this.audio = audio;
  }

  /** The room's forwarding decision: every track the participant should receive now. */
  void receive(List<TrackInfo> sources) {
    wanted = List.copyOf(sources);
    reconcile();
  }

  /** The participant's own limits on the video it receives: applied to every section now, and to later ones. */
  void constrain(VideoConstraints next) {
    constraints = next;
    for (Slot slot : slots) {
      if (slot.track != null) {
        slot.constrain(router, next.maxHeightOf(slot.track));
      }
    }
  }

  /** Brings the connection in line with what the room wants the participant to receive. */
  void reconcile() {
    boolean changed = false;
    if (endpoint == null) {
      if (wanted.isEmpty()) {
        return; // nothing to receive yet: no connection (a two-person direct call never needs one)
      }
      endpoint = endpoints.receiving(owner.roomId, owner.participantId);
    }
    Map<String, TrackInfo> sections = new LinkedHashMap<>();
    Map<String, TrackInfo> heard = new LinkedHashMap<>();
    for (TrackInfo t : wanted) {
      if (audio.carries(t)) {
        heard.put(t.trackId(), t);
      } else {
        sections.put(t.trackId(), t);
      }
    }
    audioSources = heard;
    for (Slot slot : slots) {
      if (slot.isAudioSlot()) {
        continue; // assigned below
      }
      if (slot.track != null && !sections.containsKey(slot.track.trackId())) {
        slot.release(router);
        changed = true;
      } else if (slot.track != null) {
        TrackInfo now = sections.remove(slot.track.trackId());
        if (!now.equals(slot.track)) {
          // The same track published again (its publisher moved to another router): new SSRC, maybe new origin.
          slot.track = now;
          slot.codec = payloadTypes.codecFor(now);
          changed = true;
        }
        slot.constrain(router, constraints.maxHeightOf(now));
        slot.wire(router, tracks, endpoint);
      }
    }
    for (TrackInfo t : sections.values()) {
      Slot slot = sectionFor(t);
      Codec codec = payloadTypes.codecFor(t);
      int rtxPayloadType = -1;
      long rtxSsrc = -1;
      if (!t.isAudio()) { // simulcast too: RTX answers its NACKs and carries the router's bandwidth probes
        rtxPayloadType = payloadTypes.rtxFor(codec.payloadType());
        rtxSsrc = random.nextInt() & 0xFFFFFFFFL;
      }
      slot.carry(t, codec, rtxPayloadType, rtxSsrc);
      slot.constrain(router, constraints.maxHeightOf(t));
      slot.wire(router, tracks, endpoint);
      changed = true;
    }
    if (audio.enabled()) {
      changed |= addAudioSlots();
      for (TrackInfo t : heard.values()) {
        if (tracks.publicationOf(t) == null) {
          tracks.need(t); // every source counts in the ranking, so each comes here (once per node)
        }
      }
      assignAudio(audio.ranked(audioSources.values()));
    }
    if (changed) {
      dirty = true;
    }
    sendOfferIfDue();
  }

  /**
   * The section for a new track: one the client has seen go inactive (last-N switches would otherwise add one
   * section per switch; the client sees the new msid as a new track), else a new one.
   */
  private Slot sectionFor(TrackInfo t) {
    for (Slot s : slots) {
      if (s.reusable && s.track == null && s.kind.equals(t.kind())) {
        return s;
      }
    }
    Slot slot = new Slot(Integer.toString(slots.size()), t.kind());
    slots.add(slot);
    return slot;
  }

  /**
   * Enough audio slots for the participant's sources, up to the node's count; slots are never taken away (the
   * connection keeps its m-sections). True if any was added.
   */
  private boolean addAudioSlots() {
    int want = Math.min(audio.count(), audioSources.size());
    boolean added = false;
    while (audioSlots.size() < want) {
      Slot slot = audio.newSlot(Integer.toString(slots.size()), audioSlots.size(),
          audioSources.values().iterator().next());
      slot.codec = payloadTypes.codecFor(slot.track);
      slots.add(slot);
      audioSlots.add(slot);
      added = true;
    }
    return added;
  }

  boolean hasAudioSlots() {
    return !audioSlots.isEmpty();
  }

  Collection<TrackInfo> audioSources() {
    return audioSources.values();
  }

  /**
   * Gives the audio slots the loudest of the participant's sources ({@code ranking}: its room's sources, loudest
   * first; those it may not hear are skipped) and re-subscribes the slots whose source changed.
   */
  void assignAudio(List<TrackInfo> ranking) {
    if (audioSlots.isEmpty() || endpoint == null) {
      return;
    }
    List<String> top = new ArrayList<>();
    Map<String, Publication> publications = new HashMap<>();
    int enough = audioSlots.size() + 1;
    for (int i = 0; i < ranking.size() && top.size() < enough; i++) {
      TrackInfo t = ranking.get(i);
      if (audioSources.containsKey(t.trackId())) {
        top.add(t.trackId());
        publications.put(t.trackId(), tracks.publicationOf(t));
      }
    }
    String[] holders = new String[audioSlots.size()];
    for (int i = 0; i < holders.length; i++) {
      Slot s = audioSlots.get(i);
      holders[i] = s.source;
      TrackInfo held = s.source == null ? null : audioSources.get(s.source);
      if (held != null && !publications.containsKey(s.source)) {
        publications.put(s.source, tracks.publicationOf(held));
      }
    }
    String[] next = AudioSelection.assign(holders, top,
        id -> audioSources.containsKey(id) && publications.get(id) != null,
        id -> audio.loudness(publications.get(id)));
    for (int i = 0; i < next.length; i++) {
      audioSlots.get(i).carryAudio(next[i], next[i] == null ? null : publications.get(next[i]), router, endpoint);
    }
  }

  /** A track from another node arrived over a relay: the sections waiting for it are fed now. */
  void trackRelayed(String trackId) {
    for (Slot slot : slots) {
      if (!slot.isAudioSlot() && slot.track != null && slot.track.trackId().equals(trackId) && endpoint != null) {
        slot.wire(router, tracks, endpoint);
      }
    }
    if (audioSources.containsKey(trackId)) {
      assignAudio(audio.ranked(audioSources.values()));
    }
  }

  /** Adds the id of every track this connection carries or may hear to {@code used}. */
  void addTrackIds(Set<String> used) {
    for (Slot slot : slots) {
      if (slot.track != null) {
        used.add(slot.track.trackId());
      }
    }
    used.addAll(audioSources.keySet());
  }

  /** The signaling resumed over another session: an offer the old one may not have delivered goes again. */
  void resumed() {
    if (awaitingAnswer) {
      awaitingAnswer = false;
      dirty = true;
      sendOfferIfDue();
    }
  }

  private void sendOfferIfDue() {
    if (!dirty || awaitingAnswer || slots.isEmpty()) {
      return;
    }
    List<OutgoingTrack> offered = new ArrayList<>();
    for (Slot s : slots) {
      offered.add(s.offered());
    }
    dirty = false;
    awaitingAnswer = true;
    boolean fresh = freshConnection;
    freshConnection = false;
    owner.client.tell(new SubscribeOffer(owner.router, sdp.offer(router.localTransport(endpoint), offered), fresh));
  }

  /** The client lost the connection's path: new ICE credentials and a re-offer (RFC 8445 §2.4). */
  void restartIce() {
    if (endpoint != null && !endpoint.isClosed()) {
      router.restartIce(endpoint);
      dirty = true;
      sendOfferIfDue();
    }
  }

  /** The client's answer to our last offer; the next offer, if one is due, goes now. */
  void answered(String answerSdp) {
    if (endpoint == null) {
      return;
    }
    try {
      SessionDescription answer = SessionDescription.parse(answerSdp);
      MediaDescription first = answer.media().get(0);
      router.setRemoteFingerprint(endpoint, SessionDescription.sha256Fingerprint(first.fingerprint()));
      router.setRemoteIce(endpoint, first.ice(), first.candidates());
      // The browser accepts abs-send-time by naming it in its answer (under the id we offered).
      router.enableAbsSendTime(endpoint, -1, Math.max(0, first.extensionId(SdpWriter.ABS_SEND_TIME)));
      awaitingAnswer = false;
      for (Slot s : slots) {
        s.answered();
      }
      sendOfferIfDue();
    } catch (SdpException e) {
      awaitingAnswer = false;
      owner.client.tell(new MediaFailed("bad_sdp", e.getMessage()));
    }
  }

  /**
   * The connection's endpoint closed by itself (ICE consent, DTLS), not because the participant left. True if that
   * is what {@code endpointId} was: everything starts again, and the next offer is for a new connection.
   */
  boolean lost(String endpointId, String reason) {
    if (endpoint == null || !endpointId.equals(endpoint.id()) || !endpoint.isClosed() || reason.equals("left")) {
      return false;
    }
    endpoint = null;
    slots.clear();
    audioSlots.clear();
    payloadTypes.clear();
    awaitingAnswer = false;
    freshConnection = true;
    return true;
  }

  void close() {
    if (endpoint != null) {
      router.removeEndpoint(endpoint, "left");
    }
  }
}
