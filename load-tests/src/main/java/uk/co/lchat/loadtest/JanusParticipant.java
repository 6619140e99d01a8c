package uk.co.lchat.loadtest;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import uk.co.lchat.media.sdp.MediaDescription;
import uk.co.lchat.media.sdp.SessionDescription;
import uk.co.lchat.testpeer.SimulatedPeer;

/**
 * A simulated participant of a Janus VideoRoom (janus.plugin.videoroom, over Janus's HTTP API), for running the
 * load tool's fan-out against Janus exactly as against lchat: the same {@link SimulatedPeer} (ICE, DTLS-SRTP),
 * the same synthetic media and the same measurement of what arrives ({@link Reception}, {@link SampledDecryption}).
 * A publisher joins with ptype "publisher" and sends "publish" with its offer; a subscriber joins with ptype
 * "subscriber" and the publisher's feed, gets Janus's offer in the "attached" event and answers with "start".
 * Janus is a full ICE agent and checks our side too: the peer answers those checks, and trickles its one host
 * candidate before saying it has no more.
 */
final class JanusParticipant implements LoadParticipant {
  static final String VIDEOROOM = "janus.plugin.videoroom";

  private final JanusSession session;
  private final long handle;
  private final SimulatedPeer peer;
  private final long room;
  private final String id;
  private final boolean publishes;
  private final SyntheticMedia media;
  private final Reception reception;
  /** RTP packets received, audio and video (a subscriber's). */
  private final LongAdder audioReceived;
  private final LongAdder videoReceived;
  private volatile boolean closed;

  private JanusParticipant(JanusSession session, long handle, SimulatedPeer peer, long room, String id,
                           boolean publishes, SyntheticMedia media, Reception reception, LongAdder audioReceived,
                           LongAdder videoReceived) {
    this.session = session;
    this.handle = handle;
    this.peer = peer;
    this.room = room;
    this.id = id;
    this.publishes = publishes;
    this.media = media;
    this.reception = reception;
    this.audioReceived = audioReceived;
    this.videoReceived = videoReceived;
  }

  /**
   * Creates room {@code room} (one publisher, Opus and VP8, no bitrate cap) on the Janus at {@code base}, joins
   * it as its publisher and connects; returns when media can flow. {@code local}: the address its peer binds.
   */
  static JanusParticipant publisher(HttpClient http, URI base, InetAddress local, long room, String name,
                                    boolean simulcast, Measurements m) throws Exception {
    JanusSession session = JanusSession.create(http, base);
    SimulatedPeer peer = new SimulatedPeer(local);
    try {
      long handle = session.attach(VIDEOROOM);
      ObjectNode create = body("create").put("room", room).put("publishers", 1).put("audiocodec", "opus")
          .put("videocodec", "vp8").put("bitrate", 0).put("fir_freq", 0).put("notify_joining", false);
      JsonNode created = JanusSession.data(session.message(handle, create, null));
      if (!created.path("videoroom").asText().equals("created")) {
        throw new IOException("Janus did not create room " + room + ": " + created);
      }
      JsonNode joined = JanusSession.data(session.message(handle,
          body("join").put("ptype", "publisher").put("room", room).put("display", name), null));
      if (!joined.path("videoroom").asText().equals("joined")) {
        throw new IOException(name + " could not join room " + room + ": " + joined);
      }
      String feed = joined.path("id").asText();
      SyntheticMedia media = new SyntheticMedia(true, true, simulcast, m);
      // Janus answers an "actpass" offer as the DTLS client, as browsers do; the simulated peer is always the
      // client, so it offers "active" (RFC 5763 §5 lets the offerer choose) and Janus is the server.
      peer.stampSendTime(true);
      peer.useTransportCc(SdpMaker.TRANSPORT_CC_EXT);
      JsonNode answer = session.message(handle, body("publish").put("audio", true).put("video", true),
          jsep("offer", media.offer(peer, "active")));
      String sdp = answer.path("jsep").path("sdp").asText("");
      if (sdp.isEmpty()) {
        throw new IOException(name + ": Janus answered publish without SDP: " + answer);
      }
      connect(session, handle, peer, SessionDescription.parse(sdp), local);
      return new JanusParticipant(session, handle, peer, room, feed, true, media, null, new LongAdder(),
          new LongAdder());
    } catch (Exception e) {
      peer.close();
      session.close();
      throw e;
    }
  }

  /** Joins room {@code room} as a subscriber to {@code feed} and connects; returns when media can flow. */
  static JanusParticipant subscriber(HttpClient http, URI base, InetAddress local, long room, String feed,
                                     String name, DecryptionSample decryption, Measurements m) throws Exception {
    JanusSession session = JanusSession.create(http, base);
    SimulatedPeer peer = new SimulatedPeer(local);
    try {
      long handle = session.attach(VIDEOROOM);
      ObjectNode join = body("join").put("ptype", "subscriber").put("room", room);
      join.putArray("streams").addObject().put("feed", Long.parseLong(feed));
      JsonNode attached = session.message(handle, join, null);
      String sdp = attached.path("jsep").path("sdp").asText("");
      if (!JanusSession.data(attached).path("videoroom").asText().equals("attached") || sdp.isEmpty()) {
        throw new IOException(name + " could not subscribe to " + feed + ": " + attached);
      }
      SessionDescription offer = SessionDescription.parse(sdp);
      Reception reception = new Reception(m);
      // Janus names its own msids; the tracks are the feed's, which is how the tick knows they are still sent.
      List<Reception.OfferedTrack> tracks = new ArrayList<>();
      for (Reception.OfferedTrack t : Reception.tracksOf(offer)) {
        tracks.add(new Reception.OfferedTrack(t.ssrc(), feed, t.trackId(), t.video()));
      }
      reception.offer(tracks);
      // The kind of each stream from Janus's offer (its payload types are its own choice).
      Map<Long, Boolean> videoSsrcs = new HashMap<>();
      tracks.forEach(t -> videoSsrcs.put(t.ssrc(), t.video()));
      LongAdder audio = new LongAdder();
      LongAdder video = new LongAdder();
      peer.onSrtp(new SampledDecryption(decryption, (buf, len, arrival, decrypted) -> {
        long ssrc = ((long) (buf[8] & 0xFF) << 24) | ((buf[9] & 0xFF) << 16) | ((buf[10] & 0xFF) << 8)
            | (buf[11] & 0xFF);
        int seq = ((buf[2] & 0xFF) << 8) | (buf[3] & 0xFF);
        m.packets.increment();
        m.bytes.add(len);
        boolean isVideo = videoSsrcs.getOrDefault(ssrc, (buf[1] & 0x7F) != SyntheticMedia.OPUS);
        (isVideo ? video : audio).increment();
        long sent = decrypted ? SimulatedPeer.sendTimeOf(buf, len) : 0;
        boolean stamped = sent > 0 && arrival - sent >= 0 && arrival - sent < 60_000_000_000L;
        reception.packet(ssrc, isVideo, seq, stamped ? sent : 0, arrival);
      }));
      JsonNode started = session.message(handle, body("start"),
          jsep("answer", SdpMaker.answer(offer, peer.ice(), peer.fingerprintAttribute())));
      if (!JanusSession.data(started).path("started").asText().equals("ok")) {
        throw new IOException(name + ": Janus did not start the subscription: " + started);
      }
      connect(session, handle, peer, offer, local);
      return new JanusParticipant(session, handle, peer, room, name, false, null, reception, audio, video);
    } catch (Exception e) {
      peer.close();
      session.close();
      throw e;
    }
  }

  /** Trickles our host candidate and the end of candidates (RFC 8838 §4), then ICE and DTLS with Janus. */
  private static void connect(JanusSession session, long handle, SimulatedPeer peer, SessionDescription remote,
                              InetAddress local) throws Exception {
    InetSocketAddress ours = peer.localAddress();
    session.trickle(handle, "candidate:1 1 udp 2130706431 " + local.getHostAddress() + " " + ours.getPort()
        + " typ host");
    session.trickle(handle, null);
    MediaDescription first = remote.media().get(0);
    peer.connect(SimParticipant.serverAddress(first), first.ice(),
        SessionDescription.sha256Fingerprint(first.fingerprint()));
  }

  private static ObjectNode body(String request) {
    return SignalingClient.JSON.createObjectNode().put("request", request);
  }

  private static ObjectNode jsep(String type, String sdp) {
    return SignalingClient.JSON.createObjectNode().put("type", type).put("sdp", sdp);
  }

  /** The publisher's feed id (the subscribers name it), or the subscriber's own name. */
  String id() {
    return id;
  }

  SimulatedPeer peer() {
    return peer;
  }

  long audioReceived() {
    return audioReceived.sum();
  }

  long videoReceived() {
    return videoReceived.sum();
  }

  @Override
  public void sendAudio(boolean talking) throws IOException {
    if (publishes && !closed) {
      media.sendAudio(peer, talking);
    }
  }

  @Override
  public void sendVideoFrame() throws IOException {
    if (publishes && !closed) {
      media.sendVideoFrame(peer);
    }
  }

  @Override
  public Publishers.Publisher publishing() {
    boolean sends = publishes && !closed;
    return new Publishers.Publisher(id, Long.toString(room), sends, sends);
  }

  @Override
  public void countMissing(long now, Publishers publishers) {
    if (reception != null) {
      reception.countMissing(now, publishers, Long.toString(room), id);
    }
  }

  @Override
  public void close() {
    closed = true;
    peer.close();
    session.close();
  }
}
