package uk.co.lchat.media.router;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import uk.co.lchat.media.dtls.DtlsAssociation;
import uk.co.lchat.media.dtls.DtlsCrypto;
import uk.co.lchat.media.dtls.DtlsIdentity;
import uk.co.lchat.media.packet.PacketKind;
import uk.co.lchat.media.rtp.RtcpReports;
import uk.co.lchat.media.rtp.RtpPacket;
import uk.co.lchat.media.rtp.VideoCodec;
import uk.co.lchat.media.sdp.IceParameters;
import uk.co.lchat.media.sdp.LocalTransport;
import uk.co.lchat.media.srtp.PacketBuffer;
import uk.co.lchat.media.srtp.SrtpKeys;
import uk.co.lchat.media.srtp.SrtpSession;

/**
 * A node's media router: one UDP port for every transport (STUN, DTLS, SRTP/SRTCP demultiplexed per RFC 7983),
 * served by one {@link ReceiveLoop}, a single-thread Netty event loop (epoll's recvmmsg and sendmmsg on Linux). Each
 * packet is decrypted once by the {@link ReceivePipeline} and fanned out to its publication's subscriptions, each of
 * which encrypts it for its receiver ({@link Subscription#forward}); the {@link SocketSender} batches what they send
 * and the loop flushes it once per read burst. ICE is lite (RFC 8445 §2.5): {@link IceRouting} answers each client
 * {@link Endpoint}'s checks on the loop and the client, always the controlling agent, nominates; a {@link Relay} to
 * another node's router needs no ICE.
 *
 * <p>This class is the router's face to the control plane (the methods below, callable from any thread) and the
 * loop's dispatcher: demultiplexing, the fan-out and the tick. Other threads change forwarding state only by
 * enqueueing a task, which the loop runs between packets; the packet path takes no locks, and between the sockets
 * allocates nothing (at the sockets Netty's envelope of each datagram, its source address and, per datagram sent,
 * the promise that counts it).
 */
public final class MediaRouter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MediaRouter.class);
  /** SSRC we use as the sender of RTCP we originate (RFC 4585 §6.1 "packet sender"). */
  static final long ROUTER_SSRC = 1;
  /** The extension id relays use for abs-send-time (both ends of a link are ours). */
  public static final int RELAY_ABS_SEND_TIME_ID = Relay.ABS_SEND_TIME_ID;
  /** {@link #setMaxHeight}: no limit on the height. */
  public static final int ANY_HEIGHT = LayerSelector.ANY_HEIGHT;
  private static final long RESTART_FORCES_KEYFRAME_NANOS = 1_000_000_000L;
  private static final int SPEAKER_TICKS = 3;
  private static final int REPORT_TICKS = 10;

  /** Tells the control plane when a group's dominant speaker changes. */
  public interface SpeakerListener {
    void dominantSpeakerChanged(String group, Endpoint speaker);
  }

  private final RouterSettings settings;
  private final BcTlsCrypto crypto = new DtlsCrypto(new SecureRandom());
  private final DtlsIdentity identity;
  private final SecureRandom random = new SecureRandom();
  private final RouterCounters counters = new RouterCounters();
  private final ConcurrentHashMap<String, Endpoint> endpoints = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Relay> relays = new ConcurrentHashMap<>();
  /** The loop's send buffer: every packet we send is built here, then encrypted in place. */
  private final PacketBuffer tx = new PacketBuffer();
  private final RtpPacket txRtp = new RtpPacket();
  private final ReceiveLoop loop;
  private final SocketSender sender;
  private final IceRouting ice;
  private final KeyframeRequests keyframeRequests;
  private final Retransmission retransmission;
  private final ReceivePipeline receive;
  private final ReceivedPacket in;
  private final ReportSender reports;
  private final SpeakerDetection speakers;
  private final RouterStatistics.Meter meter = new RouterStatistics.Meter();
  private volatile RouterStatistics statistics = RouterStatistics.EMPTY;
  private int ticks;
  /** Ticks in a row with no endpoint and no relay; past a report's worth the statistics say so and ticks can stop. */
  private int emptyTicks;

  private MediaRouter(RouterSettings settings, SpeakerListener speakerListener) throws IOException {
    this.settings = settings;
    this.identity = DtlsIdentity.generate(crypto);
    this.loop = new ReceiveLoop(settings.bindHost(), settings.port(), settings.iceTcp(), settings.batchSends(),
        counters, new LoopHandler());
    this.sender = loop.sender();
    this.ice = new IceRouting(loop, counters);
    this.keyframeRequests = new KeyframeRequests(settings.keyframeInterval(), tx, counters);
    this.retransmission = new Retransmission(tx, counters);
    this.receive = new ReceivePipeline(counters, ice::follow, keyframeRequests,
        new RtcpTermination(retransmission, keyframeRequests, tx, counters));
    this.in = new ReceivedPacket(loop.received());
    this.reports = new ReportSender(tx, counters);
    this.speakers = new SpeakerDetection(speakerListener);
  }

  /** Binds the port and starts the receive loop. */
  public static MediaRouter start(RouterSettings settings, SpeakerListener speakerListener) throws IOException {
    MediaRouter router = new MediaRouter(settings, speakerListener);
    router.loop.start();
    LOG.info("media router on port {} ({}, sends {}); SRTP AES-GCM through {}", router.port(),
        ReceiveLoop.transportName(), settings.batchSends() ? "batched" : "flushed one by one",
        SrtpSession.aesImplementation());
    return router;
  }

  public int port() {
    int port = loop.port();
    return port >= 0 ? port : settings.port();
  }

  public RouterCounters counters() {
    return counters;
  }

  /** The streams' loss, jitter, RTT and counts as of the last once-a-second measurement. */
  public RouterStatistics statistics() {
    return statistics;
  }

  /** Each receive stage's packet and drop counts now, in chain order. */
  public List<StageCount> receiveStages() {
    return receive.counts();
  }

  public String fingerprint() {
    return identity.fingerprintAttribute();
  }

  // ---- control plane API (any thread) ---------------------------------------------------------------------------

  /** A new endpoint with fresh ICE credentials (RFC 8839 §5.4). */
  public Endpoint createEndpoint(String id, String group, EndpointListener listener) {
    Endpoint e = new Endpoint(id, group, ice.freshCredentials(), listener, sender::sendDtls, sender, counters);
    ice.register(e);
    Endpoint previous = endpoints.put(id, e);
    if (previous != null) {
      removeEndpoint(previous, "replaced");
    }
    counters.endpointsCreated.increment();
    return e;
  }

  /**
   * ICE restart (RFC 8445 §2.4): fresh credentials for the endpoint; the DTLS association and SRTP keys stay. The
   * old credentials stop working at once; the address is re-latched when the peer's checks with the new ones arrive.
   */
  public IceParameters restartIce(Endpoint e) {
    IceParameters fresh = ice.restart(e);
    counters.iceRestarts.increment();
    return fresh;
  }

  /** Our SDP transport attributes for this endpoint: ICE credentials, fingerprint, one host candidate per address. */
  public LocalTransport localTransport(Endpoint e) {
    List<String> candidates = new ArrayList<>();
    int foundation = 1;
    for (String address : settings.advertisedAddresses()) {
      // RFC 8445 §5.1.2.1 host priority: type preference 126, local preference descending per address.
      long priority = (126L << 24) | ((65535L - foundation) << 8) | 255;
      candidates.add(foundation + " 1 udp " + priority + " " + address + " " + port() + " typ host");
      foundation++;
    }
    if (loop.tcpEnabled()) {
      for (String address : settings.advertisedAddresses()) {
        // RFC 6544 §4.2: TCP ranks below UDP (lower type preference) so clients use it only when UDP fails.
        long priority = (90L << 24) | ((65535L - foundation) << 8) | 255;
        candidates.add(foundation + " 1 tcp " + priority + " " + address + " " + port()
            + " typ host tcptype passive");
        foundation++;
      }
    }
    return new LocalTransport(e.ice(), identity.fingerprintAttribute(), candidates);
  }

  /**
   * A relay to another node's media router (DESIGN.md "Rooms across nodes"): a plain UDP link between the two
   * routers' media ports, SRTP-protected with keys the routers agreed over the cluster, so no ICE or DTLS. Packets
   * from {@code remote} belong to it; streams are published on it and subscribed to it like on any endpoint.
   */
  public Relay createRelay(String id, InetSocketAddress remote, SrtpKeys keys) {
    Relay r = new Relay(id, remote, new SrtpSession(keys), sender, counters);
    Relay previous = relays.put(id, r);
    if (previous != null) {
      removeRelay(previous, "replaced");
    }
    loop.enqueue(() -> ice.latch(r));
    counters.relaysOpened.increment();
    return r;
  }

  /** How many relay links to other nodes' routers are open. */
  public int relayCount() {
    return relays.size();
  }

  /** Relay links open now, with the streams each carries in and out (a diagnostic snapshot). */
  public List<RelayStatus> relays() {
    List<RelayStatus> out = new ArrayList<>();
    for (Relay r : relays.values()) {
      out.add(new RelayStatus(r.id, r.remote, r.incoming.size(), r.outgoing.size(), r.packetsReceived,
          r.packetsSent));
    }
    return out;
  }

  /**
   * Each simulcast track's layers and what each of its receivers gets (a diagnostic snapshot, read off the loop:
   * figures may be a packet old).
   */
  public List<SimulcastStatus> simulcast() {
    List<SimulcastStatus> out = new ArrayList<>();
    for (Transport t : endpoints.values()) {
      for (SimulcastSource src : t.simulcast) {
        for (Subscription sub : src.subscriptions) {
          out.add(new SimulcastStatus(t.id(), sub.subscriber.toString(), src.heights.clone(), src.bitrates.clone(),
              src.ranked.clone(), sub.layers.current(), sub.layers.pending(), sub.layers.maxHeight(),
              sub.layers.lossLimited(), sub.layers.maxBitrate(), sub.probe != null && sub.probe.probing()));
        }
      }
    }
    return out;
  }

  /**
   * One receiver of a simulcast track: the publisher's layers (heights from their keyframes, measured bit rates, the
   * ranking) and the receiver's layer now, the one it waits for, its height limit, loss state, last REMB (-1: none)
   * and whether a probe raises it now.
   */
  public record SimulcastStatus(String publisher, String receiver, int[] heights, long[] bitrates, int[] ranked,
                                int current, int pending, int maxHeight, boolean lossLimited, long estimate,
                                boolean probing) {
    @Override
    public String toString() {
      return publisher + " -> " + receiver + ": heights " + Arrays.toString(heights) + ", bit/s "
          + Arrays.toString(bitrates) + ", ranked " + Arrays.toString(ranked) + ", on " + current + ", awaiting "
          + pending + ", max height " + maxHeight + (lossLimited ? ", loss-limited" : "") + ", REMB " + estimate
          + (probing ? ", probing" : "");
    }
  }

  /** One relay link: streams received over it and sent over it, and its packet counts. */
  public record RelayStatus(String id, InetSocketAddress remote, int streamsIn, int streamsOut, long packetsIn,
                            long packetsOut) {}

  /**
   * The peer's ICE credentials and candidates from its SDP. A lite agent sends no checks of its own (RFC 8445
   * §2.5), so the candidates are not needed: the peer's checks show where it is. The credentials are kept for
   * what reports the endpoint.
   */
  public void setRemoteIce(Endpoint e, IceParameters remote, List<String> candidates) {
    if (remote != null) {
      e.remoteIce = remote;
    }
  }

  /**
   * Starts the DTLS server for the endpoint once the peer's certificate fingerprint is known from its SDP. A later
   * SDP for the same endpoint may name another certificate before the handshake has checked one: the latest wins.
   * That happens when a participant's media moves here while an answer of its old receiving connection (to the old
   * router's offer) is still on its way: it arrives first and names the certificate of a connection that will
   * never come; the answer to our own offer follows with the one that will.
   */
  public void setRemoteFingerprint(Endpoint e, byte[] sha256) {
    if (e.closed) {
      return;
    }
    if (e.dtls != null) {
      e.dtls.expectPeer(sha256);
      return;
    }
    DtlsAssociation dtls = DtlsAssociation.serve(crypto, identity, sha256, e.dtlsTransport, e.id);
    e.dtls = dtls;
    dtls.keys().whenComplete((keys, error) -> {
      if (error != null) {
        counters.dtlsFailures.increment();
        removeEndpoint(e, "DTLS failed: " + error.getMessage());
      } else {
        e.srtp = new SrtpSession(keys);
        loop.enqueue(() -> onConnected(e));
      }
    });
  }

  /** A stream the transport publishes under {@code ssrc}. */
  public Publication publish(Transport t, long ssrc, String kind, int payloadType, int clockRate,
      int audioLevelExtension) {
    Publication p = new Publication(t, (int) ssrc, kind, payloadType, clockRate, audioLevelExtension);
    loop.enqueue(() -> t.incoming.put(p.ssrc, p));
    return p;
  }

  /**
   * abs-send-time: the endpoint's packets carry it under {@code inId}, and it understands it under {@code outId} in
   * what we send (-1 leaves either as it is, 0 turns it off). We stamp our own send time on every forwarded packet
   * that carries it, so receivers' delay-based estimates measure the path from us.
   */
  public void enableAbsSendTime(Endpoint e, int inId, int outId) {
    loop.enqueue(() -> {
      if (inId >= 0) {
        e.absSendTimeIn = inId;
      }
      if (outId >= 0) {
        e.absSendTimeOut = outId;
      }
    });
  }

  /** Gives the endpoint transport-wide congestion feedback for packets carrying extension {@code extensionId}. */
  public void enableTransportCc(Endpoint e, int extensionId) {
    if (extensionId > 0) {
      loop.enqueue(() -> e.transportCc = new TransportCcRecorder(extensionId));
    }
  }

  /** A VP8 simulcast track: {@link #publishSimulcast(Endpoint, String, List, int, int, int, VideoCodec)}. */
  public SimulcastSource publishSimulcast(Endpoint e, String mid, List<String> rids, int ridExtension,
      int payloadType, int clockRate) {
    return publishSimulcast(e, mid, rids, ridExtension, payloadType, clockRate, VideoCodec.VP8);
  }

  /**
   * A simulcast track of {@code e}: its layers' SSRCs are bound from the rid extension as packets arrive.
   * Receivers see it under the returned source's own SSRC; they switch layers at the {@code codec}'s keyframes.
   */
  public SimulcastSource publishSimulcast(Endpoint e, String mid, List<String> rids, int ridExtension,
      int payloadType, int clockRate, VideoCodec codec) {
    SimulcastSource src = new SimulcastSource(e, mid, rids.toArray(new String[0]), ridExtension, payloadType,
        clockRate, codec, random.nextInt() & 0xFFFFFFFFL);
    loop.enqueue(() -> {
      SimulcastSource[] next = Arrays.copyOf(e.simulcast, e.simulcast.length + 1);
      next[next.length - 1] = src;
      e.simulcast = next;
    });
    return src;
  }

  public void unpublish(SimulcastSource src) {
    loop.enqueue(() -> {
      Transport t = src.publisher;
      t.simulcast = Arrays.stream(t.simulcast).filter(x -> x != src).toArray(SimulcastSource[]::new);
      for (Publication layer : src.layers) {
        if (layer != null) {
          t.incoming.remove(layer.ssrc);
        }
      }
      for (Subscription s : src.subscriptions) {
        s.subscriber.removed(s);
        src.remove(s);
      }
    });
  }

  public void unpublish(Publication p) {
    loop.enqueue(() -> {
      p.publisher.incoming.remove(p.ssrc);
      for (Subscription s : p.subscriptions) {
        s.subscriber.removed(s);
      }
      p.subscriptions = new Subscription[0];
    });
  }

  /**
   * Forwards one layer of a simulcast track to {@code subscriber} under the source's SSRC (or {@code rewriter}'s,
   * for a stream that follows several sources), switching layers only at keyframes; {@code vp8}: a switch of source
   * waits for one too, of the source's codec.
   */
  public Subscription subscribe(SimulcastSource src, PacketSink subscriber, int payloadType, StreamRewriter rewriter,
      boolean vp8, int rtxPayloadType, long rtxSsrc) {
    StreamRewriter w = rewriter != null ? rewriter : new StreamRewriter(src.ssrc, true, src.clockRate);
    Subscription s = new Subscription(src, subscriber, payloadType, w, vp8 ? src.codec : null);
    s.rtxPayloadType = rtxPayloadType;
    s.rtxSsrc = rtxSsrc;
    s.rtxSeq = random.nextInt(1 << 15);
    loop.enqueue(() -> {
      if (subscriber.isClosed() || src.publisher.closed) {
        return;
      }
      src.add(s);
      subscriber.added(s);
      s.chooseLayer(keyframeRequests);
    });
    return s;
  }

  /** Asks for the high (default) or low quality layer of a simulcast subscription; no effect on plain ones. */
  public void setQuality(Subscription s, boolean high) {
    loop.enqueue(() -> {
      if (s.layers != null) {
        s.layers.quality(high);
        s.chooseLayer(keyframeRequests);
      }
    });
  }

  /**
   * The receiver's constraint on a video subscription: the tallest picture it wants, pixels (0: none, no video is
   * sent; {@link #ANY_HEIGHT}: no limit). A simulcast track then gets the highest layer whose last keyframe's height
   * fits (still within its bandwidth estimate and loss state; a switch asks for the layer's keyframe, within the
   * keyframe interval); a plain stream is sent whole, or withheld for 0 and asked a keyframe for when it starts again.
   */
  public void setMaxHeight(Subscription s, int maxHeight) {
    // A receiver changing its mind in a loop must not make the publisher send nothing but keyframes to everyone
    // else: a layer switch asks within the keyframe interval (and again until the keyframe comes), and a plain
    // stream's restart forces its request only when the last restart was a while ago.
    loop.enqueue(() -> {
      if (s.maxHeight(maxHeight)) {
        long now = System.nanoTime();
        boolean force = now - s.restartedNanos > RESTART_FORCES_KEYFRAME_NANOS;
        s.restartedNanos = now;
        keyframeRequests.request(s.publication, force);
      }
      s.chooseLayer(keyframeRequests, false);
    });
  }

  /** Forwards {@code p} to {@code subscriber}, rewriting the payload type to the subscriber's. */
  public Subscription subscribe(Publication p, PacketSink subscriber, int payloadType) {
    return subscribe(p, subscriber, payloadType, null, false);
  }

  /**
   * Forwards {@code p} into an outgoing stream whose SSRC, sequence numbers and timestamps {@code rewriter} keeps
   * continuous across sources; {@code vp8} lets a video switch wait for the new source's keyframe.
   */
  public Subscription subscribe(Publication p, PacketSink subscriber, int payloadType, StreamRewriter rewriter,
      boolean vp8) {
    return subscribe(p, subscriber, payloadType, rewriter, vp8, -1, -1);
  }

  /** As above, answering the receiver's NACKs with RTX packets of {@code rtxPayloadType} on {@code rtxSsrc}. */
  public Subscription subscribe(Publication p, PacketSink subscriber, int payloadType, StreamRewriter rewriter,
      boolean vp8, int rtxPayloadType, long rtxSsrc) {
    Subscription s = new Subscription(p, subscriber, payloadType, rewriter, vp8 ? VideoCodec.VP8 : null);
    s.rtxPayloadType = rtxPayloadType;
    s.rtxSsrc = rtxSsrc;
    s.rtxSeq = random.nextInt(1 << 15);
    loop.enqueue(() -> {
      if (subscriber.isClosed() || p.publisher.closed) {
        return;
      }
      p.add(s);
      subscriber.added(s);
      keyframeRequests.request(p, true); // the new receiver can decode nothing before one (audio needs none)
    });
    return s;
  }

  public void unsubscribe(Subscription s) {
    loop.enqueue(() -> {
      s.detach();
      s.subscriber.removed(s);
    });
  }

  public void removeEndpoint(Endpoint e, String reason) {
    if (e.closed) {
      return;
    }
    e.closed = true;
    ice.unregister(e);
    endpoints.remove(e.id, e);
    loop.enqueue(() -> {
      forget(e);
      speakers.removed(e);
    });
    DtlsAssociation dtls = e.dtls;
    if (dtls != null) {
      dtls.close();
    } else {
      e.dtlsTransport.close();
    }
    counters.endpointsClosed.increment();
    e.listener.closed(e, reason);
  }

  /** Closes the link to another node's router; what came over it is unpublished, what went over it stops. */
  public void removeRelay(Relay r, String reason) {
    if (r.closed) {
      return;
    }
    r.closed = true;
    relays.remove(r.id, r);
    loop.enqueue(() -> forget(r));
    counters.endpointsClosed.increment();
    LOG.debug("{} closed: {}", r, reason);
  }

  /** Loop: a closed transport's paths and streams, in and out. */
  private void forget(Transport t) {
    ice.forget(t);
    IceTcpConnection tcp = t.tcp;
    if (tcp != null) {
      loop.closeTcp(tcp);
    }
    t.incoming.forEach(p -> {
      for (Subscription s : p.subscriptions) {
        s.subscriber.removed(s);
      }
      p.subscriptions = new Subscription[0];
    });
    t.outgoing.forEach(Subscription::detach);
    for (SimulcastSource src : t.simulcast) {
      for (Subscription s : src.subscriptions) {
        s.subscriber.removed(s);
      }
      src.subscriptions = new Subscription[0];
    }
  }

  public void requestKeyframe(Publication p) {
    loop.enqueue(() -> keyframeRequests.request(p, true));
  }

  /** Over a relay, retransmissions of {@code p} come as RTX on {@code rtxSsrc}; they repair {@code p}. */
  public void expectRtx(Relay relay, Publication p, long rtxSsrc) {
    loop.enqueue(() -> relay.rtxIncoming.put((int) rtxSsrc, p));
  }

  /** Open transports: endpoints and relays. */
  public int endpointCount() {
    return endpoints.size() + relays.size();
  }

  /** How long a path may go without consent (RFC 7675) before its endpoint closes. */
  public Duration consentTimeout() {
    return settings.consentTimeout();
  }

  /** Whether a transport of this id is open ({@code participantId + "/pub"}, {@code "/sub"}, {@code "/watch"}). */
  public boolean hasEndpoint(String id) {
    return endpoints.containsKey(id) || relays.containsKey(id);
  }

  // ---- the loop -------------------------------------------------------------------------------------------------

  /** What the receive loop hands the router; private, so none of it is part of the router's API. */
  private final class LoopHandler implements ReceiveLoop.Handler {
    @Override
    public void packet(InetSocketAddress from, int length, IceTcpConnection via) {
      demultiplex(from, length, via);
    }

    @Override
    public void tick(long nowNanos) {
      MediaRouter.this.tick(nowNanos);
    }

    @Override
    public boolean idle() {
      return endpoints.isEmpty() && relays.isEmpty() && emptyTicks > REPORT_TICKS;
    }

    @Override
    public void connectionClosed(IceTcpConnection c) {
      ice.connectionClosed(c);
    }
  }

  /** One packet at the start of the receive buffer: RFC 7983 tells STUN, DTLS, RTP and RTCP apart by first byte. */
  private void demultiplex(InetSocketAddress from, int len, IceTcpConnection via) {
    byte[] buf = in.buffer();
    counters.packetsReceived++;
    counters.bytesReceived += len;
    switch (PacketKind.of(buf, 0, len)) {
      case STUN -> ice.stun(from, buf, len, via);
      case DTLS -> dtls(from, buf, len, via);
      case RTP -> {
        if (arrived(from, len, via) && receive.rtp(in)) {
          fanOut(in, tx, txRtp, keyframeRequests, retransmission);
        }
      }
      case RTCP -> {
        if (arrived(from, len, via)) {
          receive.rtcp(in);
        }
      }
      default -> counters.dropped++;
    }
  }

  /** DTLS goes to the handshake of the endpoint of its path. */
  private void dtls(InetSocketAddress from, byte[] buf, int len, IceTcpConnection via) {
    Transport t = ice.latched(from, via);
    if (t == null) {
      Endpoint e = ice.verified(from, via);
      // Before the keys exist nothing else can tell the peer's chosen path: its handshake shows it.
      if (e != null && e.srtp == null) {
        ice.follow(e, from, via);
      }
      t = e;
    }
    if (t == null || !t.receiveDtls(buf, 0, len)) {
      counters.dropped++;
    }
  }

  /**
   * SRTP or SRTCP: finds its transport (latched to the path, or whose peer checked from it) and starts the receive
   * chain's packet; false when no transport with keys owns the path.
   */
  private boolean arrived(InetSocketAddress from, int len, IceTcpConnection via) {
    Transport t = ice.latched(from, via);
    Endpoint unlatched = null;
    if (t == null) {
      unlatched = ice.verified(from, via);
      t = unlatched;
    }
    if (t == null || t.srtp == null) {
      counters.dropped++;
      return false;
    }
    in.reset(from, via, len, t, unlatched, System.nanoTime());
    return true;
  }

  /**
   * The router's half of the packet path (mediasoup's Router): each subscription of the stream forwards it, through
   * the send buffer {@code tx} viewed by {@code txRtp}. A receiver still waiting for a keyframe (after a switch of
   * source, or for the simulcast layer it should get) asks the publisher again, within the keyframe interval: a PLI
   * is RTCP over UDP and may be lost or come before the publisher's encoder can act on it, and a publisher sends no
   * keyframe unasked (RFC 4585 §6.3.1 leaves repeating the request to the sender of it).
   */
  static void fanOut(ReceivedPacket packet, PacketBuffer tx, RtpPacket txRtp, KeyframeRequests keyframeRequests,
      Retransmission retransmission) {
    packet.prepareFanOut();
    for (Subscription s : packet.publication.subscriptions) {
      switch (s.forward(packet, tx, txRtp)) {
        case SENT -> {
          int copies = s.probeCopies(packet.length(), packet.now);
          if (copies > 0) {
            int seq = txRtp.sequenceNumber(); // what the receiver knows it as; tx is free again once sent
            for (int i = 0; i < copies; i++) {
              retransmission.probe(s, packet.publication, packet.rtp.sequenceNumber(), seq);
            }
          }
        }
        case AWAITING_KEYFRAME -> keyframeRequests.request(packet.publication, false);
        case OTHER_LAYER -> {
          Publication awaited = s.pending();
          if (awaited != null) {
            keyframeRequests.request(awaited, false);
          }
        }
        default -> { }
      }
    }
  }

  private void onConnected(Endpoint e) {
    if (e.closed) {
      return;
    }
    // A receiver that just became reachable needs a keyframe from everything it subscribes to.
    e.outgoing.forEach(s -> {
      Publication p = s.current();
      if (p != null) {
        keyframeRequests.request(p, true);
      } else {
        s.chooseLayer(keyframeRequests);
      }
    });
    e.listener.connected(e);
  }

  /**
   * Every 100 ms: consent expiry and transport-cc feedback; every 300 ms dominant speakers; every second reports,
   * simulcast layer ranking and the statistics snapshot.
   */
  private void tick(long now) {
    List<Endpoint> expired = new ArrayList<>();
    for (Endpoint e : endpoints.values()) {
      if (e.lastConsentNanos != 0 && now - e.lastConsentNanos > settings.consentTimeout().toNanos()) {
        expired.add(e);
      }
    }
    for (Endpoint e : expired) {
      // RFC 7675: no consent for the timeout means the peer is gone.
      removeEndpoint(e, "ICE consent expired");
    }
    if (++ticks % SPEAKER_TICKS == 0) {
      speakers.tick(endpoints.values());
    }
    if (ticks % REPORT_TICKS == 0) {
      long ntp = RtcpReports.ntp(System.currentTimeMillis());
      eachTransport(t -> reports.reports(t, now, ntp));
      eachTransport(this::rankSimulcastLayers);
      eachTransport(meter::transport);
      statistics = meter.finish();
    }
    eachTransport(reports::transportFeedback);
    emptyTicks = endpoints.isEmpty() && relays.isEmpty() ? emptyTicks + 1 : 0;
  }

  private void eachTransport(Consumer<Transport> action) {
    endpoints.values().forEach(action);
    relays.values().forEach(action);
  }

  /** Once a second: measure each simulcast track's layers and move subscriptions to the layer they should get. */
  private void rankSimulcastLayers(Transport t) {
    for (SimulcastSource src : t.simulcast) {
      src.rank();
      for (Subscription s : src.subscriptions) {
        s.chooseLayer(keyframeRequests);
      }
    }
  }

  @Override
  public void close() {
    for (Endpoint e : endpoints.values()) {
      removeEndpoint(e, "router stopped");
    }
    for (Relay r : relays.values()) {
      removeRelay(r, "router stopped");
    }
    loop.close();
  }
}
