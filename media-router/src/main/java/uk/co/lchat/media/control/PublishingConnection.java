package uk.co.lchat.media.control;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import uk.co.lchat.media.control.MediaRouterProtocol.Published;
import uk.co.lchat.media.router.Endpoint;
import uk.co.lchat.media.router.MediaRouter;
import uk.co.lchat.media.router.Publication;
import uk.co.lchat.media.router.SimulcastSource;
import uk.co.lchat.media.rtp.VideoCodec;
import uk.co.lchat.media.sdp.Codec;
import uk.co.lchat.media.sdp.MediaDescription;
import uk.co.lchat.media.sdp.NegotiatedTrack;
import uk.co.lchat.media.sdp.SdpException;
import uk.co.lchat.media.sdp.SdpWriter;
import uk.co.lchat.media.sdp.SessionDescription;

/**
 * The connection a participant publishes on (browser sendonly transceivers, or WHIP): its offer, our answer, and the
 * tracks it publishes here, one per SSRC of an m-section (or one per simulcast section). A renegotiation over the
 * same DTLS connection keeps the tracks that did not change, so their receivers see no interruption.
 */
final class PublishingConnection {
  private final Member owner;
  private final MediaRouter router;
  private final Endpoints endpoints;
  private final LocalTracks tracks;
  private final SdpWriter sdp = new SdpWriter();
  private Endpoint endpoint;
  private byte[] fingerprint;
  private String remoteUfrag;
  private final Map<String, Publication> publications = new LinkedHashMap<>();
  private final Map<String, SimulcastSource> simulcast = new LinkedHashMap<>();
  private final Map<String, TrackInfo> trackInfos = new HashMap<>();

  PublishingConnection(Member owner, MediaRouter router, Endpoints endpoints, LocalTracks tracks) {
    this.owner = owner;
    this.router = router;
    this.endpoints = endpoints;
    this.tracks = tracks;
  }

  /**
   * Answers a publish offer: a renegotiation when it comes over the same DTLS connection (an ICE restart if its
   * credentials changed), else a new connection in place of the old one.
   */
  Published publish(String offerSdp) throws SdpException {
    SessionDescription offer = SessionDescription.parse(offerSdp);
    MediaDescription first = offer.media().get(0);
    byte[] offeredFingerprint = SessionDescription.sha256Fingerprint(first.fingerprint());
    Endpoint e = endpoint;
    boolean renegotiation = e != null && !e.isClosed() && Arrays.equals(offeredFingerprint, fingerprint);
    if (renegotiation && first.ice() != null && !Objects.equals(first.ice().ufrag(), remoteUfrag)) {
      router.restartIce(e); // the browser restarted ICE; DTLS and SRTP carry on
    }
    if (!renegotiation) {
      e = endpoints.publishing(owner.roomId, owner.participantId);
    }
    SdpWriter.Answer answer;
    try {
      answer = sdp.answer(offer, router.localTransport(e), d -> null);
    } catch (SdpException ex) {
      if (!renegotiation) {
        router.removeEndpoint(e, "bad offer");
      }
      throw ex;
    }
    if (!renegotiation) {
      if (endpoint != null) {
        router.removeEndpoint(endpoint, "republished");
      }
      publications.keySet().forEach(tracks::removePublished);
      publications.clear();
      simulcast.keySet().forEach(tracks::removeSimulcast);
      simulcast.clear();
      trackInfos.clear();
      endpoint = e;
      fingerprint = offeredFingerprint;
      router.setRemoteFingerprint(e, offeredFingerprint);
    }
    router.setRemoteIce(e, first.ice(), first.candidates());
    remoteUfrag = first.ice() == null ? null : first.ice().ufrag();
    int absSendTime = 0;
    for (MediaDescription section : offer.media()) {
      absSendTime = Math.max(absSendTime, section.sends() ? section.extensionId(SdpWriter.ABS_SEND_TIME) : 0);
    }
    router.enableAbsSendTime(e, absSendTime, -1);
    return new Published(answer.sdp(), update(e, answer.incoming()));
  }

  /**
   * Makes the publications match the tracks of the latest offer: new SSRCs are published, gone ones unpublished,
   * unchanged ones left alone. A track id names one SSRC of one m-section.
   */
  private List<TrackInfo> update(Endpoint e, List<NegotiatedTrack> incoming) {
    Map<String, NegotiatedTrack> wanted = new LinkedHashMap<>();
    for (NegotiatedTrack t : incoming) {
      String key = t.simulcast() ? owner.participantId + "-" + t.mid() + "-" + String.join(".", t.rids())
          : owner.participantId + "-" + t.mid() + "-" + Long.toHexString(t.ssrc());
      wanted.put(key, t);
    }
    for (Iterator<Map.Entry<String, SimulcastSource>> it = simulcast.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, SimulcastSource> entry = it.next();
      if (!wanted.containsKey(entry.getKey())) {
        router.unpublish(entry.getValue());
        tracks.removeSimulcast(entry.getKey());
        trackInfos.remove(entry.getKey());
        it.remove();
      }
    }
    for (Iterator<Map.Entry<String, Publication>> it = publications.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Publication> entry = it.next();
      if (!wanted.containsKey(entry.getKey())) {
        router.unpublish(entry.getValue());
        tracks.removePublished(entry.getKey());
        trackInfos.remove(entry.getKey());
        it.remove();
      }
    }
    List<TrackInfo> published = new ArrayList<>();
    for (Map.Entry<String, NegotiatedTrack> entry : wanted.entrySet()) {
      String id = entry.getKey();
      NegotiatedTrack t = entry.getValue();
      Codec c = t.codec();
      if (t.transportCcExtension() > 0) {
        router.enableTransportCc(e, t.transportCcExtension());
      }
      if (t.simulcast()) {
        if (!simulcast.containsKey(id)) {
          SimulcastSource src = router.publishSimulcast(e, t.mid(), t.rids(), t.ridExtension(), c.payloadType(),
              c.clockRate(), VideoCodec.of(c.name()));
          simulcast.put(id, src);
          tracks.add(id, src);
          trackInfos.put(id, new TrackInfo(owner.participantId, id, t.kind(), src.ssrc(), c.name(), c.clockRate(),
              c.channels(), c.fmtp(), tracks.origin()));
        }
      } else if (!publications.containsKey(id)) {
        Publication p = router.publish(e, t.ssrc(), t.kind(), c.payloadType(), c.clockRate(),
            t.audioLevelExtension());
        publications.put(id, p);
        trackInfos.put(id, new TrackInfo(owner.participantId, id, t.kind(), t.ssrc(), c.name(), c.clockRate(),
            c.channels(), c.fmtp(), tracks.origin()));
        tracks.add(id, p);
      }
      published.add(trackInfos.get(id));
    }
    return List.copyOf(published);
  }

  /** Whether anything is published here (plain or simulcast). */
  boolean hasTracks() {
    return !publications.isEmpty() || !simulcast.isEmpty();
  }

  /** Whether a plain (not simulcast) track is published here: what shedding counts as publishing. */
  boolean hasPublications() {
    return !publications.isEmpty();
  }

  Collection<Publication> publications() {
    return publications.values();
  }

  Collection<SimulcastSource> simulcastSources() {
    return simulcast.values();
  }

  /**
   * The connection's endpoint closed by itself (ICE consent, DTLS), not because it was replaced or left: its plain
   * tracks are gone. True if that is what {@code endpointId} was; the participant must publish again.
   */
  boolean lost(String endpointId, String reason) {
    if (endpoint == null || !endpointId.equals(endpoint.id()) || !endpoint.isClosed() || reason.equals("republished")
        || reason.equals("left")) {
      return false;
    }
    publications.keySet().forEach(tracks::removePublished);
    publications.clear();
    endpoint = null;
    return true;
  }

  /** The participant's media is over: its tracks are no longer here, and the endpoint goes. */
  void close() {
    publications.keySet().forEach(tracks::removePublished);
    simulcast.keySet().forEach(tracks::removeSimulcast);
    if (endpoint != null) {
      router.removeEndpoint(endpoint, "left");
    }
  }
}
