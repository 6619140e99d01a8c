package uk.co.lchat.loadtest;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

import com.fasterxml.jackson.databind.JsonNode;

import uk.co.lchat.media.rtp.RtpPacket;
import uk.co.lchat.media.sdp.MediaDescription;
import uk.co.lchat.media.sdp.SessionDescription;
import uk.co.lchat.testpeer.SimulatedPeer;

/**
 * One headless participant speaking the real protocol: the signaling WebSocket, an SDP offer like a browser's, ICE,
 * DTLS-SRTP, then synthetic Opus (50 packets/s with audio levels) and VP8 in three simulcast layers, or what an
 * {@link FfmpegMedia} encodes ({@link #publishFrom}), with a shared screen from another if it likes; and as a
 * receiver it answers the router's offers and measures what arrives ({@link Reception}). When its signaling
 * connection drops without the server asking (the node was killed), it reopens it ({@link ReconnectSchedule}) and
 * resumes the same participant, as the web client does.
 */
final class SimParticipant implements LoadParticipant {
  private final HttpClient http;
  /** Every node's signaling URL, for reconnecting after a drop. */
  private final List<URI> nodes;
  private volatile SignalingClient signaling;
  /** One signaling move (a drain's or a reconnect after a drop) at a time. */
  private final ReentrantLock moving = new ReentrantLock();
  /**
   * Offers and moves are handled one after another in the order they came, as the web client does (media.js,
   * {@code queue}): a thread each, contending for this object's lock, would take them in any order, and an answer
   * to an older offer sent after a newer one names a connection the router no longer expects.
   */
  private final ExecutorService negotiations = Executors.newSingleThreadExecutor(Thread.ofVirtual().factory());
  private final AtomicBoolean redialing = new AtomicBoolean();
  private volatile boolean closed;
  private String sessionToken;
  private final String name;
  private final Measurements measurements;
  private final Reception reception;
  private final DecryptionSample decryption;
  private final InetAddress localAddress;
  private final boolean audio;
  private final boolean video;
  private volatile SimulatedPeer publisher;
  private volatile SimulatedPeer subscriber;
  private final SyntheticMedia media;
  /** FFmpeg's streams sent as this participant's, instead of {@link #media}'s, once {@link #publishFrom} set them. */
  private volatile RelayedStream relayedAudio;
  private volatile RelayedStream relayedVideo;
  /** The screen it shares from FFmpeg, or null. */
  private volatile RelayedStream relayedScreen;
  private final Set<Integer> rtxPayloadTypes = new HashSet<>();
  private volatile String participantId;
  private volatile String room;
  private volatile JsonNode joinedMessage;
  /** Last arrival (nanoTime) per received SSRC, for checks that every expected stream is flowing. */
  private final Map<Long, Arrivals> arrivals = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * One received SSRC's latest arrivals: a single lookup per packet and no boxed values (four maps of boxed
   * times cost the reader more than the router's work for the packet). Written by the reader thread only.
   */
  private static final class Arrivals {
    final boolean audio;
    volatile long last;
    volatile long lastLoud;

    Arrivals(boolean audio) {
      this.audio = audio;
    }
  }
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
    this(http, base, List.of(base), name, audio, video, measurements, DecryptionSample.ALL, true,
        InetAddress.getLoopbackAddress());
  }

  /** {@code nodes}: every node's HTTP base URL, tried in turn when the connection to {@code base} drops. */
  SimParticipant(HttpClient http, URI base, List<URI> nodes, String name, boolean audio, boolean video,
                 Measurements measurements) {
    this(http, base, nodes, name, audio, video, measurements, DecryptionSample.ALL, true,
        InetAddress.getLoopbackAddress());
  }

  /**
   * {@code nodes}: every node's HTTP base URL, tried in turn when the connection to {@code base} drops;
   * {@code decryption}: which received packets it decrypts (all of them are counted); {@code simulcast}: its video
   * in three layers, or as one stream; {@code localAddress}: what its peers bind (loopback, or this side of a veth
   * pair to nodes in a network namespace).
   */
  SimParticipant(HttpClient http, URI base, List<URI> nodes, String name, boolean audio, boolean video,
                 Measurements measurements, DecryptionSample decryption, boolean simulcast,
                 InetAddress localAddress) {
    this.http = http;
    this.localAddress = localAddress;
    this.decryption = decryption;
    this.nodes = nodes.stream().map(SimParticipant::signalingUrl).toList();
    this.signaling = new SignalingClient(http, signalingUrl(base));
    this.name = name;
    this.audio = audio;
    this.video = video;
    this.measurements = measurements;
    this.reception = new Reception(measurements);
    this.media = new SyntheticMedia(audio, video, simulcast, measurements);
    wire(signaling);
  }

  private static URI signalingUrl(URI base) {
    return URI.create(base.toString().replaceFirst("^http", "ws").replaceAll("/+$", "") + "/ws");
  }

  private void wire(SignalingClient s) {
    s.on("subscribeOffer", m -> negotiate(() -> answer(m, s)));
    s.on("mediaMoved", m -> negotiate(this::mediaMoved));
    s.on("reconnect", m -> Thread.ofVirtual().start(() -> reconnect(m.path("url").asText(""))));
    s.onDropped(() -> dropped(s));
  }

  private void negotiate(Runnable step) {
    try {
      negotiations.execute(step);
    } catch (RejectedExecutionException e) {
      // closed: nothing more to negotiate
    }
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
      measurements.failed(name, "move its media", e);
    }
  }

  /**
   * The signaling node drains: continue over a connection to {@code url} (empty: the same one), resuming this
   * participant there; if that fails, as after a drop.
   */
  private void reconnect(String url) {
    URI to = url.isEmpty() ? signaling.uri() : URI.create(url);
    Exception failure;
    moving.lock();
    try {
      failure = resumeOn(to);
      if (failure == null) {
        reconnects.incrementAndGet();
        return;
      }
    } finally {
      moving.unlock();
    }
    measurements.failed(name, "resume on " + to + " when the server asked", failure);
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
          if (resumeOn(schedule.target(n)) == null) {
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
   * participant, who publishes again. Returns null when it resumed, else why either failed.
   */
  private Exception resumeOn(URI url) {
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
      return null;
    } catch (Exception e) {
      if (next != null && signaling != next) {
        next.close();
      }
      return e;
    }
  }

  /** The session token from {@code hello}: what the node's HTTP side asks of a member (e.g. a presentation's upload). */
  String sessionToken() {
    return sessionToken;
  }

  String id() {
    return participantId;
  }

  String room() {
    return room;
  }

  /** How many distinct streams delivered a packet within the last {@code windowNanos}. */
  int streamsFlowing(long windowNanos) {
    return recent(windowNanos, a -> true, a -> a.last);
  }

  /** Whose video arrived within the last {@code windowNanos} (participant ids, from the offers' msid lines). */
  java.util.Set<String> videoSenders(long windowNanos) {
    long now = System.nanoTime();
    java.util.Set<String> who = new java.util.TreeSet<>();
    arrivals.forEach((ssrc, a) -> {
      if (!a.audio && now - a.last < windowNanos) {
        who.add(senderOf.getOrDefault(ssrc, "?" + ssrc));
      }
    });
    return who;
  }

  /**
   * How many video streams (SSRCs) of {@code participantId} delivered a packet within the last {@code windowNanos}:
   * 2 while it shares a screen beside its camera.
   */
  int videosFrom(String participantId, long windowNanos) {
    long now = System.nanoTime();
    int n = 0;
    for (Map.Entry<Long, Arrivals> e : arrivals.entrySet()) {
      Arrivals a = e.getValue();
      if (!a.audio && now - a.last < windowNanos && participantId.equals(senderOf.get(e.getKey()))) {
        n++;
      }
    }
    return n;
  }

  /** How many distinct audio streams (SSRCs) ever delivered a packet. */
  int audioStreamsSeen() {
    return recent(Long.MAX_VALUE, a -> a.audio, a -> a.last);
  }

  /** How many audio streams delivered a packet within the last {@code windowNanos}. */
  int audioStreamsFlowing(long windowNanos) {
    return recent(windowNanos, a -> a.audio, a -> a.last);
  }

  /** How many audio streams delivered a talker's packet (a loud RFC 6464 level) within the last {@code windowNanos}. */
  int loudStreams(long windowNanos) {
    return recent(windowNanos, a -> a.audio && a.lastLoud != 0, a -> a.lastLoud);
  }

  private int recent(long windowNanos, Predicate<Arrivals> which, ToLongFunction<Arrivals> time) {
    long now = System.nanoTime();
    int n = 0;
    for (Arrivals a : arrivals.values()) {
      if (which.test(a) && now - time.applyAsLong(a) < windowNanos) {
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

  /**
   * Publishes what {@code media} encodes instead of synthetic media; call it before {@link #join}. The offer names
   * one VP8 stream (FFmpeg encodes no simulcast layers) and Opus; each of FFmpeg's packets goes out with this
   * participant's SSRC and payload type, a sequence number of its own, FFmpeg's timestamps rebased and its marker
   * kept. {@link #sendAudio} and {@link #sendVideoFrame} are not for such a participant: they send streams its offer
   * does not name. The caller keeps {@code media} and closes it.
   */
  void publishFrom(FfmpegMedia media) {
    if (participantId != null) {
      throw new IllegalStateException(name + " joined already: its offer is made, so publishFrom comes first");
    }
    relayedAudio = new RelayedStream(SyntheticMedia.OPUS, true);
    relayedVideo = new RelayedStream(SyntheticMedia.VP8, false);
    media.onPacket(this::relay);
  }

  /**
   * As {@link #publishFrom(FfmpegMedia)} with {@code camera}, and shares {@code screen}'s video (its sound, if any,
   * is not sent): the offer's third m-section, a second VP8 stream with an SSRC and msid of its own, after the
   * camera's, which is what makes it the screen for the room, the recorder and every client. Needs video on.
   */
  void publishFrom(FfmpegMedia camera, FfmpegMedia screen) {
    if (!video) {
      throw new IllegalStateException(name + " sends no video, so it has no camera to share a screen beside");
    }
    publishFrom(camera);
    relayedScreen = new RelayedStream(SyntheticMedia.VP8, false);
    screen.onPacket(this::relayScreen);
  }

  /** One of the screen's FFmpeg packets, on its reader thread: video only. */
  private void relayScreen(boolean isVideo, byte[] packet, int length) {
    if (isVideo) {
      relay(relayedScreen, packet, length);
    }
  }

  /** One of FFmpeg's packets, on its reader thread: sent as this participant's once it publishes. */
  private void relay(boolean isVideo, byte[] packet, int length) {
    if (isVideo ? video : audio) {
      relay(isVideo ? relayedVideo : relayedAudio, packet, length);
    }
  }

  private void relay(RelayedStream stream, byte[] packet, int length) {
    SimulatedPeer peer = publisher;
    if (peer == null || closed) {
      return;
    }
    try {
      if (stream.send(peer, packet, length)) {
        measurements.packetsSent.increment();
      }
    } catch (IOException e) {
      // the connection is being replaced (a move) or closed: the next packet goes over the current one
    }
  }

  /**
   * One of FFmpeg's streams sent as this participant's own: its SSRC and payload type, sequence numbers counted from
   * 0, FFmpeg's timestamps moved to start at 0 with their spacing kept (90 kHz for VP8, RFC 7741 §4.1; 48 kHz for
   * Opus, RFC 7587 §4.1). It lives as long as the participant, so a republish after a move continues it, as
   * {@link SyntheticMedia}'s streams continue. Used by that stream's reader thread only.
   */
  private static final class RelayedStream {
    final int payloadType;
    final boolean audio;
    /** Positive as a signed 32-bit number, as {@link SyntheticMedia}'s SSRCs are. */
    final long ssrc = ThreadLocalRandom.current().nextLong(0x10000000L, 0x7FFFFFFFL);
    private final RtpPacket rtp = new RtpPacket();
    private int seq;
    private boolean started;
    private long timestampOffset;

    RelayedStream(int payloadType, boolean audio) {
      this.payloadType = payloadType;
      this.audio = audio;
    }

    /** Sends FFmpeg's packet as ours; false when it was not RTP. */
    boolean send(SimulatedPeer peer, byte[] packet, int length) throws IOException {
      if (!rtp.wrap(packet, 0, length)) {
        return false;
      }
      if (!started) {
        timestampOffset = -rtp.timestamp();
        started = true;
      }
      long timestamp = (rtp.timestamp() + timestampOffset) & 0xFFFFFFFFL;
      if (audio) {
        // The level the router's speaker detection and the receivers' loudness checks read (RFC 6464).
        peer.sendRtpPacketWithAudioLevel(payloadType, ssrc, seq, timestamp, rtp.marker(), packet,
            rtp.payloadOffset(), rtp.payloadLength(), SdpMaker.AUDIO_LEVEL_EXT, FfmpegMedia.TONE_LEVEL);
      } else {
        peer.sendRtpPacket(payloadType, ssrc, seq, timestamp, rtp.marker(), packet, rtp.payloadOffset(),
            rtp.payloadLength());
      }
      seq = (seq + 1) & 0xFFFF;
      return true;
    }
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
    SimulatedPeer next = new SimulatedPeer(localAddress);
    next.stampSendTime(true);
    next.useTransportCc(SdpMaker.TRANSPORT_CC_EXT);
    RelayedStream relayed = relayedVideo;
    RelayedStream screen = relayedScreen;
    String offer = relayed == null ? media.offer(next, "actpass")
        : SdpMaker.publishOffer(next.ice(), next.fingerprintAttribute(), relayedAudio.ssrc, video, relayed.ssrc,
            screen == null ? 0 : screen.ssrc, "actpass");
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
        SimulatedPeer replaced = peer;
        peer = new SimulatedPeer(localAddress);
        peer.onSrtp(new SampledDecryption(decryption, this::receive));
        // The new connection takes over before the old one closes: the old one's connect, if it is still going,
        // then fails as a superseded connection, not as this participant's receiving one (connectReceiving).
        subscriber = peer;
        if (replaced != null) {
          replaced.close();
        }
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
        connectReceiving(peer, offer.media().get(0));
      }
    } catch (Exception e) {
      measurements.failed(name, "answer an offer", e); // this receiver measures nothing from now on
    }
  }

  /**
   * ICE and DTLS of a receiving connection run beside the negotiation, as a browser's do: a connection to a router
   * that dies meanwhile must not hold up the answer to the next router's offer behind its timeout. Its failure
   * counts only while it is still this participant's receiving connection; one a fresh offer replaced (and
   * closed) is abandoned, as a browser abandons a superseded transport.
   */
  private void connectReceiving(SimulatedPeer peer, MediaDescription first) {
    Thread.ofVirtual().start(() -> {
      try {
        peer.connect(serverAddress(first), first.ice(), SessionDescription.sha256Fingerprint(first.fingerprint()));
      } catch (Exception e) {
        if (peer == subscriber && !closed) {
          measurements.failed(name, "connect the receiving connection of an offer", e);
        }
      }
    });
  }

  /** Every packet, decrypted or with its payload still encrypted: loss, order and levels need only its header. */
  private void receive(byte[] buf, int len, long arrival, boolean decrypted) {
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
    Arrivals seen = arrivals.get(ssrc);
    if (seen == null) {
      seen = arrivals.computeIfAbsent(ssrc, k -> new Arrivals(pt == 111));
    }
    long previous = seen.last;
    seen.last = arrival;
    if (pt == 111) {
      if (previous != 0) {
        longestAudioGap.accumulateAndGet(arrival - previous, Math::max);
      }
      int level = audioLevel(buf, len);
      if (level >= 0 && level <= LOUD_LEVEL) {
        seen.lastLoud = arrival;
      }
    }
    long sent = decrypted ? SimulatedPeer.sendTimeOf(buf, len) : 0;
    boolean stamped = sent > 0 && arrival - sent >= 0 && arrival - sent < 60_000_000_000L;
    reception.packet(ssrc, pt != 111, seq, stamped ? sent : 0, arrival);
  }

  /** What it sends now, for the receivers' {@link Publishers}. */
  @Override
  public Publishers.Publisher publishing() {
    boolean sends = !closed && publisher != null;
    return new Publishers.Publisher(participantId, room, sends && audio, sends && video);
  }

  /** The report tick for a whole run: every receiver counts what it should have got and did not. */
  static void countMissing(java.util.Collection<? extends LoadParticipant> everyone) {
    LoadParticipant.countMissing(everyone);
  }

  /** The report tick: counts what this receiver should have got and did not (see {@link Reception}). */
  @Override
  public void countMissing(long now, Publishers publishers) {
    reception.countMissing(now, publishers, room, participantId);
  }

  static InetSocketAddress serverAddress(MediaDescription m) throws IOException {
    for (String c : m.candidates()) {
      String[] f = c.split(" ");
      if (f.length >= 8 && f[2].equalsIgnoreCase("udp")) {
        return new InetSocketAddress(f[4], Integer.parseInt(f[5]));
      }
    }
    throw new IOException("no UDP candidate in the router's SDP");
  }

  /** 20 ms of audio: one Opus packet with an audio level (talkers are loud, others quiet). */
  @Override
  public void sendAudio(boolean talking) throws IOException {
    media.sendAudio(publisher, talking);
  }

  /** One video frame in each layer; a keyframe every 2 s or when the router asked for one. */
  @Override
  public void sendVideoFrame() throws IOException {
    media.sendVideoFrame(publisher);
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
    negotiations.shutdownNow();
    if (publisher != null) {
      publisher.close();
    }
    SimulatedPeer s = subscriber;
    if (s != null) {
      s.close();
    }
  }
}
