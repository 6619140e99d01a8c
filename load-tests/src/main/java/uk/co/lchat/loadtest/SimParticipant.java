package uk.co.lchat.loadtest;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

import com.fasterxml.jackson.databind.JsonNode;

import uk.co.lchat.media.peer.SimulatedPeer;
import uk.co.lchat.media.sdp.MediaDescription;
import uk.co.lchat.media.sdp.SessionDescription;

/**
 * One headless participant speaking the real protocol: the signaling WebSocket, an SDP offer like a browser's, ICE,
 * DTLS-SRTP, then synthetic Opus (50 packets/s with audio levels) and VP8 in three simulcast layers; and as a
 * receiver it answers the router's offers and measures what arrives ({@link Reception}). When its signaling
 * connection drops without the server asking (the node was killed), it reopens it ({@link ReconnectSchedule}) and
 * resumes the same participant, as the web client does.
 */
final class SimParticipant implements AutoCloseable {
  /** Packets per frame of each simulcast layer at 30 frames/s: about 150 kbit/s, 500 kbit/s and 2.5 Mbit/s. */
  private static final int[] LAYER_PACKETS = {1, 2, 9};
  private static final int[] LAYER_BYTES = {600, 1000, 1150};

  private final HttpClient http;
  /** Every node's signaling URL, for reconnecting after a drop. */
  private final List<URI> nodes;
  private volatile SignalingClient signaling;
  /** One signaling move (a drain's or a reconnect after a drop) at a time. */
  private final ReentrantLock moving = new ReentrantLock();
  private final AtomicBoolean redialing = new AtomicBoolean();
  private volatile boolean closed;
  private String sessionToken;
  private final String name;
  private final Measurements measurements;
  private final Reception reception;
  private final boolean audio;
  private final boolean video;
  private volatile SimulatedPeer publisher;
  private volatile SimulatedPeer subscriber;
  private final long audioSsrc = 0x10000000L + (long) (Math.random() * 0x6FFFFFFFL);
  private final long[] layerSsrcs = new long[3];
  private final int[] layerSeq = new int[3];
  private int audioSeq;
  private long frames;
  /** When the first video frame was sent (nanoTime): frames are stamped by the clock, as a camera's are. */
  private long firstFrameNanos;
  private long keyframeRequestsSeen;
  private final Set<Integer> rtxPayloadTypes = new HashSet<>();
  private volatile String participantId;
  private volatile String room;
  private volatile JsonNode joinedMessage;
  /** Last arrival (nanoTime) per received SSRC, for checks that every expected stream is flowing. */
  private final Map<Long, Long> lastArrival = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<Long, Long> lastAudioArrival = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<Long, Long> lastLoudArrival = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<Long, Long> lastVideoArrival = new java.util.concurrent.ConcurrentHashMap<>();
  /** Whose stream each SSRC is, from the msid lines of the router's offers. */
  private final Map<Long, String> senderOf = new java.util.concurrent.ConcurrentHashMap<>();
  /** Talkers send level 20 (-20 dBov), the others 110: anything up to this is a talker's packet. */
  private static final int LOUD_LEVEL = 40;
  /** The longest time between two audio packets of one stream since {@link #resetGaps()}. */
  private final java.util.concurrent.atomic.AtomicLong longestAudioGap = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicInteger mediaMoves = new java.util.concurrent.atomic.AtomicInteger();
  /** Times its signaling connection moved to another connection (a drain's move or a reconnect after a drop). */
  private final java.util.concurrent.atomic.AtomicInteger reconnects = new java.util.concurrent.atomic.AtomicInteger();

  SimParticipant(HttpClient http, URI base, String name, boolean audio, boolean video, Measurements measurements) {
    this(http, base, List.of(base), name, audio, video, measurements);
  }

  /** {@code nodes}: every node's HTTP base URL, tried in turn when the connection to {@code base} drops. */
  SimParticipant(HttpClient http, URI base, List<URI> nodes, String name, boolean audio, boolean video,
                 Measurements measurements) {
    this.http = http;
    this.nodes = nodes.stream().map(SimParticipant::signalingUrl).toList();
    this.signaling = new SignalingClient(http, signalingUrl(base));
    this.name = name;
    this.audio = audio;
    this.video = video;
    this.measurements = measurements;
    this.reception = new Reception(measurements);
    for (int i = 0; i < 3; i++) {
      layerSsrcs[i] = 0x10000000L + (long) (Math.random() * 0x6FFFFFFFL);
    }
    wire(signaling);
  }

  private static URI signalingUrl(URI base) {
    return URI.create(base.toString().replaceFirst("^http", "ws").replaceAll("/+$", "") + "/ws");
  }

  private void wire(SignalingClient s) {
    s.on("subscribeOffer", m -> Thread.ofVirtual().start(() -> answer(m, s)));
    s.on("mediaMoved", m -> Thread.ofVirtual().start(this::mediaMoved));
    s.on("reconnect", m -> Thread.ofVirtual().start(() -> reconnect(m.path("url").asText(""))));
    s.onDropped(() -> dropped(s));
  }

  /** The room's "joined" message (roster, chat history, ...). */
  JsonNode joined() {
    return joinedMessage;
  }

  /** As the room's moderator: each receiver gets video from at most {@code lastN} others. */
  void setLastN(int lastN) {
    SignalingClient s = signaling;
    s.send(s.message("setLastN").put("lastN", lastN));
  }

  void chat(String text) {
    SignalingClient s = signaling;
    s.send(s.message("chat").put("text", text));
  }

  /** Times the router moved this participant's media, and its signaling connection moved. */
  int mediaMoves() {
    return mediaMoves.get();
  }

  int reconnects() {
    return reconnects.get();
  }

  long longestAudioGapNanos() {
    return longestAudioGap.get();
  }

  void resetGaps() {
    longestAudioGap.set(0);
  }

  /** The router drains: publish to the new one; the new router's (fresh) offer replaces the receiving side. */
  private synchronized void mediaMoved() {
    try {
      if (audio || video) {
        publish();
      }
      mediaMoves.incrementAndGet();
    } catch (Exception e) {
      measurements.failures.increment();
    }
  }

  /**
   * The signaling node drains: continue over a connection to {@code url} (empty: the same one), resuming this
   * participant there; if that fails, as after a drop.
   */
  private void reconnect(String url) {
    URI to = url.isEmpty() ? signaling.uri() : URI.create(url);
    moving.lock();
    try {
      if (resumeOn(to)) {
        reconnects.incrementAndGet();
        return;
      }
    } finally {
      moving.unlock();
    }
    measurements.failures.increment();
    redial(to);
  }

  /** The connection dropped without the server asking: reopen it, unless this is an old one or we are leaving. */
  private void dropped(SignalingClient s) {
    if (!closed && s == signaling && participantId != null) {
      Thread.ofVirtual().start(() -> redial(s.uri()));
    }
  }

  /** Tries to resume this participant as {@link ReconnectSchedule} says; gives up after its last try. */
  private void redial(URI from) {
    if (!redialing.compareAndSet(false, true)) {
      return; // already at it
    }
    try {
      ReconnectSchedule schedule = new ReconnectSchedule(from, nodes);
      for (int n = 1; n <= ReconnectSchedule.TRIES; n++) {
        Thread.sleep(ReconnectSchedule.delayBefore(n));
        if (closed) {
          return;
        }
        moving.lock();
        try {
          if (resumeOn(schedule.target(n))) {
            measurements.reconnects.increment();
            reconnects.incrementAndGet();
            return;
          }
        } finally {
          moving.unlock();
        }
      }
      measurements.reconnectsGivenUp.increment();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      redialing.set(false);
    }
  }

  /**
   * Opens a connection to {@code url} and resumes this participant over it (docs/protocol.md, "When a node
   * leaves"); answers keep going over the old connection until the room has resumed us on the new one. A room that
   * no longer knows us (the resume grace passed, or it saw our old session end with its node) takes us as a new
   * participant, who publishes again. False if either failed.
   */
  private boolean resumeOn(URI url) {
    SignalingClient old = signaling;
    SignalingClient next = null;
    try {
      next = new SignalingClient(http, url);
      wire(next);
      var resumed = next.next("resumed", "joined", "refused");
      next.send(next.message("join").put("room", room).put("name", name).put("viewer", !audio && !video)
          .put("sessionToken", sessionToken).put("resume", participantId));
      JsonNode reply = resumed.get(20, TimeUnit.SECONDS);
      if (reply.path("type").asText().equals("refused")) {
        throw new IOException(name + " could not resume: " + reply);
      }
      participantId = reply.path("participantId").asText();
      signaling = next;
      old.close();
      if (reply.path("type").asText().equals("joined")) {
        joinedMessage = reply;
        if (audio || video) {
          synchronized (this) {
            publish();
          }
        }
      }
      return true;
    } catch (Exception e) {
      if (next != null && signaling != next) {
        next.close();
      }
      return false;
    }
  }

  String id() {
    return participantId;
  }

  String room() {
    return room;
  }

  /** How many distinct streams delivered a packet within the last {@code windowNanos}. */
  int streamsFlowing(long windowNanos) {
    return recent(lastArrival, windowNanos);
  }

  /** Whose video arrived within the last {@code windowNanos} (participant ids, from the offers' msid lines). */
  java.util.Set<String> videoSenders(long windowNanos) {
    long now = System.nanoTime();
    java.util.Set<String> who = new java.util.TreeSet<>();
    lastVideoArrival.forEach((ssrc, t) -> {
      if (now - t < windowNanos) {
        who.add(senderOf.getOrDefault(ssrc, "?" + ssrc));
      }
    });
    return who;
  }

  /** How many distinct audio streams (SSRCs) ever delivered a packet. */
  int audioStreamsSeen() {
    return lastAudioArrival.size();
  }

  /** How many audio streams delivered a packet within the last {@code windowNanos}. */
  int audioStreamsFlowing(long windowNanos) {
    return recent(lastAudioArrival, windowNanos);
  }

  /** How many audio streams delivered a talker's packet (a loud RFC 6464 level) within the last {@code windowNanos}. */
  int loudStreams(long windowNanos) {
    return recent(lastLoudArrival, windowNanos);
  }

  private static int recent(Map<Long, Long> arrivals, long windowNanos) {
    long now = System.nanoTime();
    int n = 0;
    for (long t : arrivals.values()) {
      if (now - t < windowNanos) {
        n++;
      }
    }
    return n;
  }

  /** The RFC 6464 level (0 loudest .. 127) in a packet's one-byte header extensions, or -1. */
  static int audioLevel(byte[] buf, int len) {
    if ((buf[0] & 0x10) == 0) {
      return -1;
    }
    int at = 12 + 4 * (buf[0] & 0x0F);
    if (at + 4 > len || (buf[at] & 0xFF) != 0xBE || (buf[at + 1] & 0xFF) != 0xDE) {
      return -1;
    }
    int end = at + 4 + 4 * (((buf[at + 2] & 0xFF) << 8) | (buf[at + 3] & 0xFF));
    for (int i = at + 4; i < end && i < len; ) {
      int id = (buf[i] & 0xF0) >> 4;
      int length = (buf[i] & 0x0F) + 1;
      if (id == 0) {
        i++; // padding
        continue;
      }
      if (id == 15) {
        return -1;
      }
      if (id == SdpMaker.AUDIO_LEVEL_EXT && i + 1 < len) {
        return buf[i + 1] & 0x7F;
      }
      i += 1 + length;
    }
    return -1;
  }

  /** Joins the room (as a viewer when it publishes nothing) and publishes; returns when media can flow. */
  void join(String room) throws Exception {
    this.room = room;
    var joined = signaling.next("joined", "refused", "lobby");
    signaling.send(signaling.message("join").put("room", room).put("name", name).put("viewer", !audio && !video));
    JsonNode reply = joined.get(20, TimeUnit.SECONDS);
    if (!reply.path("type").asText().equals("joined")) {
      throw new IOException(name + " could not join: " + reply);
    }
    participantId = reply.path("participantId").asText();
    joinedMessage = reply;
    sessionToken = signaling.helloToken();
    if (audio || video) {
      publish();
    }
  }

  private void publish() throws Exception {
    SimulatedPeer next = new SimulatedPeer();
    next.stampSendTime(true);
    next.useTransportCc(SdpMaker.TRANSPORT_CC_EXT);
    String offer = SdpMaker.publishOffer(next.ice(), next.fingerprintAttribute(), audioSsrc, video);
    var answerF = signaling.next("publishAnswer", "error");
    signaling.send(signaling.message("publish").put("sdp", offer));
    JsonNode answer = answerF.get(20, TimeUnit.SECONDS);
    if (!answer.path("type").asText().equals("publishAnswer")) {
      throw new IOException(name + ": publish refused: " + answer);
    }
    SessionDescription sd = SessionDescription.parse(answer.path("sdp").asText());
    MediaDescription first = sd.media().get(0);
    next.connect(serverAddress(first), first.ice(), SessionDescription.sha256Fingerprint(first.fingerprint()));
    SimulatedPeer old = publisher;
    publisher = next;
    if (old != null) {
      old.close();
    }
  }

  /** The router's offer of what this participant receives: answer it, and connect once. */
  private synchronized void answer(JsonNode msg, SignalingClient via) {
    try {
      SessionDescription offer = SessionDescription.parse(msg.path("sdp").asText());
      boolean fresh = msg.path("fresh").asBoolean(false);
      SimulatedPeer peer = subscriber;
      boolean connect = peer == null || fresh;
      if (connect) {
        if (peer != null) {
          peer.close();
        }
        peer = new SimulatedPeer();
        peer.onRtp(this::receive);
        subscriber = peer;
      }
      reception.offer(Reception.tracksOf(offer));
      for (MediaDescription m : offer.media()) {
        m.ssrcMsid().forEach((ssrc, msid) -> senderOf.put(ssrc, msid.split(" ")[0]));
        m.codecs().forEach(c -> {
          if (c.name().equalsIgnoreCase("rtx")) {
            rtxPayloadTypes.add(c.payloadType());
          }
        });
      }
      // The answer goes back over the connection the offer came on (while moving, that may be the old one).
      via.send(via.message("subscribeAnswer").put("sdp",
          SdpMaker.answer(offer, peer.ice(), peer.fingerprintAttribute())));
      if (connect) {
        MediaDescription first = offer.media().get(0);
        peer.connect(serverAddress(first), first.ice(), SessionDescription.sha256Fingerprint(first.fingerprint()));
      }
    } catch (Exception e) {
      measurements.failures.increment(); // this receiver measures nothing from now on
    }
  }

  private void receive(byte[] buf, int len, long arrival) {
    if (len < 12 + 8) {
      return;
    }
    int pt = buf[1] & 0x7F;
    if (rtxPayloadTypes.contains(pt)) {
      return; // retransmissions are not a stream of their own
    }
    long ssrc = ((long) (buf[8] & 0xFF) << 24) | ((buf[9] & 0xFF) << 16) | ((buf[10] & 0xFF) << 8) | (buf[11] & 0xFF);
    int seq = ((buf[2] & 0xFF) << 8) | (buf[3] & 0xFF);
    measurements.packets.increment();
    measurements.bytes.add(len);
    Long previous = lastArrival.put(ssrc, arrival);
    if (pt != 111) {
      lastVideoArrival.put(ssrc, arrival);
    }
    if (pt == 111) {
      if (previous != null) {
        longestAudioGap.accumulateAndGet(arrival - previous, Math::max);
      }
      lastAudioArrival.put(ssrc, arrival);
      int level = audioLevel(buf, len);
      if (level >= 0 && level <= LOUD_LEVEL) {
        lastLoudArrival.put(ssrc, arrival);
      }
    }
    long sent = SimulatedPeer.sendTimeOf(buf, len);
    boolean stamped = sent > 0 && arrival - sent >= 0 && arrival - sent < 60_000_000_000L;
    reception.packet(ssrc, pt != 111, seq, stamped ? sent : 0, arrival);
  }

  /** What it sends now, for the receivers' {@link Publishers}. */
  Publishers.Publisher publishing() {
    boolean sends = !closed && publisher != null;
    return new Publishers.Publisher(participantId, room, sends && audio, sends && video);
  }

  /** The report tick for a whole run: every receiver counts what it should have got and did not. */
  static void countMissing(java.util.Collection<SimParticipant> everyone) {
    List<Publishers.Publisher> now = new java.util.ArrayList<>();
    for (SimParticipant p : everyone) {
      now.add(p.publishing());
    }
    Publishers publishers = Publishers.of(now);
    long at = System.nanoTime();
    for (SimParticipant p : everyone) {
      p.countMissing(at, publishers);
    }
  }

  /** The report tick: counts what this receiver should have got and did not (see {@link Reception}). */
  void countMissing(long now, Publishers publishers) {
    reception.countMissing(now, publishers, room, participantId);
  }

  private static InetSocketAddress serverAddress(MediaDescription m) throws IOException {
    for (String c : m.candidates()) {
      String[] f = c.split(" ");
      if (f.length >= 8 && f[2].equalsIgnoreCase("udp")) {
        return new InetSocketAddress(f[4], Integer.parseInt(f[5]));
      }
    }
    throw new IOException("no UDP candidate in the router's SDP");
  }

  /** 20 ms of audio: one Opus packet with an audio level (talkers are loud, others quiet). */
  void sendAudio(boolean talking) throws IOException {
    SimulatedPeer publisher = this.publisher;
    if (publisher == null || !audio) {
      return;
    }
    publisher.sendRtpWithAudioLevel(111, audioSsrc, audioSeq, audioSeq * 960L, SdpMaker.AUDIO_LEVEL_EXT,
        talking ? 20 : 110);
    audioSeq = (audioSeq + 1) & 0xFFFF;
    measurements.packetsSent.increment();
  }

  /** One video frame in each layer; a keyframe every 2 s or when the router asked for one. */
  void sendVideoFrame() throws IOException {
    SimulatedPeer publisher = this.publisher;
    if (publisher == null || !video) {
      return;
    }
    long asked = publisher.keyframeRequests();
    boolean keyframe = frames % 60 == 0 || asked > keyframeRequestsSeen;
    keyframeRequestsSeen = asked;
    // RTP timestamps follow the capture clock (90 kHz, RFC 7741 §4.1), whatever rate the caller sends frames at:
    // a recorder (or a player) times the video by them.
    long nowNanos = System.nanoTime();
    if (frames == 0) {
      firstFrameNanos = nowNanos;
    }
    long timestamp = (nowNanos - firstFrameNanos) * 9 / 100_000;
    for (int layer = 0; layer < 3; layer++) {
      for (int p = 0; p < LAYER_PACKETS[layer]; p++) {
        publisher.sendVp8Layer(96, layerSsrcs[layer], layerSeq[layer], timestamp, keyframe && p == 0,
            SdpMaker.RID_EXT, SdpMaker.RIDS.get(layer), LAYER_BYTES[layer], p == 0, p == LAYER_PACKETS[layer] - 1);
        layerSeq[layer] = (layerSeq[layer] + 1) & 0xFFFF;
        measurements.packetsSent.increment();
      }
    }
    frames++;
  }

  @Override
  public void close() {
    closed = true;
    SignalingClient signaling = this.signaling;
    try {
      signaling.send(signaling.message("leave"));
    } catch (RuntimeException e) {
      // already gone
    }
    signaling.close();
    if (publisher != null) {
      publisher.close();
    }
    SimulatedPeer s = subscriber;
    if (s != null) {
      s.close();
    }
  }
}
