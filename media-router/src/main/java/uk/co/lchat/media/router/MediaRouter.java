package uk.co.lchat.media.router;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import uk.co.lchat.media.dtls.DtlsAssociation;
import uk.co.lchat.media.dtls.DtlsIdentity;
import uk.co.lchat.media.ice.StunMessage;
import uk.co.lchat.media.packet.PacketKind;
import uk.co.lchat.media.rtp.RtcpFeedback;
import uk.co.lchat.media.rtp.RtcpReports;
import uk.co.lchat.media.rtp.RtpPacket;
import uk.co.lchat.media.rtp.Vp8;
import uk.co.lchat.media.sdp.IceParameters;
import uk.co.lchat.media.sdp.LocalTransport;
import uk.co.lchat.media.srtp.PacketBuffer;
import uk.co.lchat.media.srtp.SrtpResult;
import uk.co.lchat.media.srtp.SrtpSession;

/**
 * A node's media router: one UDP port for every endpoint (ICE-lite, DTLS, SRTP/SRTCP demultiplexed per RFC 7983),
 * read by one receive loop that decrypts each packet once and encrypts it once per subscriber.
 *
 * <p>Threading: the receive loop owns the forwarding tables. Other threads (actors, DTLS handshakes) change them
 * only by enqueueing a task, which the loop runs between packets; the packet path takes no locks and allocates
 * nothing but the source address the JDK hands back per datagram.
 */
public final class MediaRouter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MediaRouter.class);
  /** SSRC we use as the sender of RTCP we originate (RFC 4585 §6.1 "packet sender"). */
  private static final long ROUTER_SSRC = 1;
  private static final long TICK_NANOS = 100_000_000L;
  private static final int SPEAKER_TICKS = 3;
  private static final int REPORT_TICKS = 10;

  /** Tells the control plane when a group's dominant speaker changes. */
  public interface SpeakerListener {
    void dominantSpeakerChanged(String group, Endpoint speaker);
  }

  private final RouterSettings settings;
  private final SpeakerListener speakerListener;
  private final DatagramChannel channel;
  private final Selector selector;
  private final BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
  private final DtlsIdentity identity;
  private final SecureRandom random = new SecureRandom();
  private final ConcurrentHashMap<String, Endpoint> byUfrag = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Endpoint> byId = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final Thread loop;
  private volatile boolean running = true;

  // loop-owned
  private final Map<InetSocketAddress, Endpoint> byAddress = new HashMap<>();
  private final Map<String, DominantSpeaker> speakers = new HashMap<>();
  private final ByteBuffer rx = ByteBuffer.allocate(PacketBuffer.CAPACITY);
  private final PacketBuffer rxPacket = new PacketBuffer(rx.array());
  private final ByteBuffer tx = ByteBuffer.allocate(PacketBuffer.CAPACITY);
  private final PacketBuffer txPacket = new PacketBuffer(tx.array());
  private final RtpPacket rtp = new RtpPacket();
  private final RtpPacket txRtp = new RtpPacket();
  private final RtpPacket rtxView = new RtpPacket();
  private final byte[] rtxScratch = new byte[PacketBuffer.CAPACITY];
  private final RtcpHandler rtcpHandler = new RtcpHandler();
  private long lastTickNanos;
  private int ticks;

  private final RouterCounters counters = new RouterCounters();

  private MediaRouter(RouterSettings settings, SpeakerListener speakerListener) throws IOException {
    this.settings = settings;
    this.speakerListener = speakerListener;
    this.identity = DtlsIdentity.generate(crypto);
    this.channel = DatagramChannel.open();
    channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 * 1024 * 1024);
    channel.setOption(StandardSocketOptions.SO_SNDBUF, 4 * 1024 * 1024);
    channel.bind(new InetSocketAddress(settings.bindHost(), settings.port()));
    channel.configureBlocking(false);
    this.selector = Selector.open();
    channel.register(selector, SelectionKey.OP_READ);
    this.loop = Thread.ofPlatform().name("media-router-" + port()).daemon().unstarted(this::run);
  }

  /** Binds the port and starts the receive loop. */
  public static MediaRouter start(RouterSettings settings, SpeakerListener speakerListener) throws IOException {
    MediaRouter router = new MediaRouter(settings, speakerListener);
    router.loop.start();
    return router;
  }

  public int port() {
    try {
      return ((InetSocketAddress) channel.getLocalAddress()).getPort();
    } catch (IOException e) {
      return settings.port();
    }
  }

  public RouterCounters counters() {
    return counters;
  }

  public String fingerprint() {
    return identity.fingerprintAttribute();
  }

  // ---- control plane API (any thread) ---------------------------------------------------------------------------

  /** A new endpoint with fresh ICE credentials (RFC 8839 §5.4: ufrag >= 4 chars, pwd >= 22 chars). */
  public Endpoint createEndpoint(String id, String group, EndpointListener listener) {
    IceParameters ice = new IceParameters(randomToken(8), randomToken(24));
    Endpoint e = new Endpoint(id, group, ice, listener, this::sendDtls);
    byUfrag.put(ice.ufrag(), e);
    Endpoint previous = byId.put(id, e);
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
    IceParameters fresh = new IceParameters(randomToken(8), randomToken(24));
    IceParameters old = e.ice;
    e.icePassword = fresh.pwd().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    e.ice = fresh;
    byUfrag.put(fresh.ufrag(), e);
    byUfrag.remove(old.ufrag(), e);
    enqueue(() -> e.nominated = false);
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
    return new LocalTransport(e.ice(), identity.fingerprintAttribute(), candidates);
  }

  /** Starts the DTLS server for the endpoint once the peer's certificate fingerprint is known from its SDP. */
  public void setRemoteFingerprint(Endpoint e, byte[] sha256) {
    if (e.dtls != null || e.closed) {
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
        enqueue(() -> onConnected(e));
      }
    });
  }

  public Publication publish(Endpoint e, long ssrc, String kind, int payloadType, int clockRate,
      int audioLevelExtension) {
    Publication p = new Publication(e, (int) ssrc, kind, payloadType, clockRate, audioLevelExtension);
    enqueue(() -> e.incoming.put(p.ssrc, p));
    return p;
  }

  /** Gives the endpoint transport-wide congestion feedback for packets carrying extension {@code extensionId}. */
  public void enableTransportCc(Endpoint e, int extensionId) {
    if (extensionId > 0) {
      enqueue(() -> e.transportCc = new TransportCcRecorder(extensionId));
    }
  }

  /**
   * A simulcast track of {@code e}: its layers' SSRCs are bound from the rid extension as packets arrive.
   * Receivers see it under the returned source's own SSRC.
   */
  public SimulcastSource publishSimulcast(Endpoint e, String mid, java.util.List<String> rids, int ridExtension,
      int payloadType, int clockRate) {
    SimulcastSource src = new SimulcastSource(e, mid, rids.toArray(new String[0]), ridExtension, payloadType,
        clockRate, random.nextInt() & 0xFFFFFFFFL);
    enqueue(() -> {
      SimulcastSource[] next = java.util.Arrays.copyOf(e.simulcast, e.simulcast.length + 1);
      next[next.length - 1] = src;
      e.simulcast = next;
    });
    return src;
  }

  public void unpublish(SimulcastSource src) {
    enqueue(() -> {
      Endpoint e = src.publisher;
      e.simulcast = java.util.Arrays.stream(e.simulcast).filter(x -> x != src).toArray(SimulcastSource[]::new);
      for (Publication layer : src.layers) {
        if (layer != null) {
          e.incoming.remove(layer.ssrc);
        }
      }
      for (Subscription s : src.subscriptions) {
        s.subscriber.outgoing.remove(s.outgoingSsrc());
        src.remove(s);
      }
    });
  }

  /**
   * Forwards one layer of a simulcast track to {@code subscriber} under the source's SSRC (or {@code rewriter}'s,
   * for a stream that follows several sources), switching layers only at keyframes.
   */
  public Subscription subscribe(SimulcastSource src, Endpoint subscriber, int payloadType, StreamRewriter rewriter,
      boolean vp8, int rtxPayloadType, long rtxSsrc) {
    StreamRewriter w = rewriter != null ? rewriter : new StreamRewriter(src.ssrc, true, src.clockRate);
    Subscription s = new Subscription(null, subscriber, payloadType, w, vp8);
    s.source = src;
    s.rtxPayloadType = rtxPayloadType;
    s.rtxSsrc = rtxSsrc;
    enqueue(() -> {
      if (subscriber.closed || src.publisher.closed) {
        return;
      }
      src.add(s);
      subscriber.outgoing.put(s.outgoingSsrc(), s);
      chooseLayer(s);
    });
    return s;
  }

  /** Asks for the high (default) or low quality layer of a simulcast subscription; no effect on plain ones. */
  public void setQuality(Subscription s, boolean high) {
    enqueue(() -> {
      s.quality = high ? Subscription.HIGH : Subscription.LOW;
      chooseLayer(s);
    });
  }

  /** Picks the layer a simulcast subscription should get and, if it differs, waits for that layer's keyframe. */
  private void chooseLayer(Subscription s) {
    SimulcastSource src = s.source;
    if (src == null) {
      return;
    }
    int[] ranked = src.ranked;
    int target;
    if (ranked.length > 0) {
      target = s.quality == Subscription.HIGH ? ranked[ranked.length - 1] : ranked[0];
    } else {
      target = -1;
      for (int i = 0; i < src.layers.length && target < 0; i++) {
        target = src.layers[i] != null ? i : -1; // nothing measured yet: any known layer
      }
    }
    if (target >= 0 && target != s.currentLayer && target != s.pendingLayer) {
      s.pendingLayer = target;
      requestKeyframe(src.layers[target], true);
    }
  }

  public void unpublish(Publication p) {
    enqueue(() -> {
      p.publisher.incoming.remove(p.ssrc);
      for (Subscription s : p.subscriptions) {
        s.subscriber.outgoing.remove(s.outgoingSsrc());
      }
      p.subscriptions = new Subscription[0];
    });
  }

  /** Forwards {@code p} to {@code subscriber}, rewriting the payload type to the subscriber's. */
  public Subscription subscribe(Publication p, Endpoint subscriber, int payloadType) {
    return subscribe(p, subscriber, payloadType, null, false);
  }

  /**
   * Forwards {@code p} into an outgoing stream whose SSRC, sequence numbers and timestamps {@code rewriter} keeps
   * continuous across sources; {@code vp8} lets a video switch wait for the new source's keyframe.
   */
  public Subscription subscribe(Publication p, Endpoint subscriber, int payloadType, StreamRewriter rewriter,
      boolean vp8) {
    return subscribe(p, subscriber, payloadType, rewriter, vp8, -1, -1);
  }

  /** As above, answering the receiver's NACKs with RTX packets of {@code rtxPayloadType} on {@code rtxSsrc}. */
  public Subscription subscribe(Publication p, Endpoint subscriber, int payloadType, StreamRewriter rewriter,
      boolean vp8, int rtxPayloadType, long rtxSsrc) {
    Subscription s = new Subscription(p, subscriber, payloadType, rewriter, vp8);
    s.rtxPayloadType = rtxPayloadType;
    s.rtxSsrc = rtxSsrc;
    s.rtxSeq = random.nextInt(1 << 15);
    enqueue(() -> {
      if (subscriber.closed || p.publisher.closed) {
        return;
      }
      p.add(s);
      subscriber.outgoing.put(s.outgoingSsrc(), s);
      if (p.isVideo()) {
        requestKeyframe(p, true);
      }
    });
    return s;
  }

  public void unsubscribe(Subscription s) {
    enqueue(() -> {
      s.detach();
      if (s.subscriber.outgoing.get(s.outgoingSsrc()) == s) {
        s.subscriber.outgoing.remove(s.outgoingSsrc());
      }
    });
  }

  public void removeEndpoint(Endpoint e, String reason) {
    if (e.closed) {
      return;
    }
    e.closed = true;
    byUfrag.remove(e.ice.ufrag(), e);
    byId.remove(e.id, e);
    enqueue(() -> {
      if (e.remote != null) {
        byAddress.remove(e.remote, e);
      }
      e.incoming.forEach(p -> {
        for (Subscription s : p.subscriptions) {
          s.subscriber.outgoing.remove(s.outgoingSsrc());
        }
        p.subscriptions = new Subscription[0];
      });
      e.outgoing.forEach(Subscription::detach);
      for (SimulcastSource src : e.simulcast) {
        for (Subscription s : src.subscriptions) {
          s.subscriber.outgoing.remove(s.outgoingSsrc());
        }
        src.subscriptions = new Subscription[0];
      }
      DominantSpeaker speaker = speakers.get(e.group);
      if (speaker != null && speaker.current == e) {
        speaker.current = null;
      }
    });
    DtlsAssociation dtls = e.dtls;
    if (dtls != null) {
      dtls.close();
    } else {
      e.dtlsTransport.close();
    }
    SrtpSession srtp = e.srtp;
    if (srtp != null) {
      enqueue(srtp::close);
    }
    counters.endpointsClosed.increment();
    e.listener.closed(e, reason);
  }

  public void requestKeyframe(Publication p) {
    enqueue(() -> requestKeyframe(p, true));
  }

  public int endpointCount() {
    return byId.size();
  }

  private void enqueue(Runnable task) {
    tasks.add(task);
    selector.wakeup();
  }

  // ---- receive loop ---------------------------------------------------------------------------------------------

  private void run() {
    while (running) {
      try {
        selector.select(20);
        selector.selectedKeys().clear();
        Runnable task;
        while ((task = tasks.poll()) != null) {
          task.run();
        }
        for (int i = 0; i < 512; i++) {
          rx.clear();
          SocketAddress from = channel.receive(rx);
          if (from == null) {
            break;
          }
          handle((InetSocketAddress) from, rx.position());
        }
        long now = System.nanoTime();
        if (now - lastTickNanos >= TICK_NANOS) {
          lastTickNanos = now;
          tick(now);
        }
      } catch (IOException e) {
        if (running) {
          LOG.warn("media router receive loop: {}", e.toString());
        }
      } catch (RuntimeException e) {
        // A bug on one packet must not stop the node's media; count it and go on.
        counters.internalErrors.increment();
        LOG.error("media router: unexpected error on a packet", e);
      }
    }
  }

  private void handle(InetSocketAddress from, int len) {
    byte[] buf = rx.array();
    counters.packetsReceived++;
    counters.bytesReceived += len;
    switch (PacketKind.of(buf, 0, len)) {
      case STUN -> handleStun(from, buf, len);
      case DTLS -> {
        Endpoint e = byAddress.get(from);
        if (e == null || !e.dtlsTransport.offer(buf, 0, len)) {
          counters.dropped++;
        }
      }
      case RTP -> {
        Endpoint e = byAddress.get(from);
        if (e != null && e.srtp != null) {
          handleRtp(e, len);
        } else {
          counters.dropped++;
        }
      }
      case RTCP -> {
        Endpoint e = byAddress.get(from);
        if (e != null && e.srtp != null) {
          handleRtcp(e, len);
        } else {
          counters.dropped++;
        }
      }
      default -> counters.dropped++;
    }
  }

  /** ICE-lite (RFC 8445 §7.3): answer valid binding requests, latch the nominated address, track consent. */
  private void handleStun(InetSocketAddress from, byte[] buf, int len) {
    StunMessage m = StunMessage.parse(buf, 0, len);
    if (m == null || m.type() != StunMessage.BINDING_REQUEST) {
      counters.dropped++;
      return;
    }
    String username = m.username();
    int colon = username == null ? -1 : username.indexOf(':');
    Endpoint e = colon > 0 ? byUfrag.get(username.substring(0, colon)) : null;
    if (e == null || !m.verifyFingerprint()) {
      counters.stunRejected++;
      return;
    }
    if (!m.verifyIntegrity(e.icePassword)) {
      counters.stunRejected++;
      send(StunMessage.bindingError(m.transactionId(), 401, "Unauthorized", null), from);
      return;
    }
    e.lastConsentNanos = System.nanoTime();
    if (e.remote == null || (m.useCandidate() && !from.equals(e.remote)) || (!e.nominated && !from.equals(e.remote)
        && e.srtp != null)) {
      if (e.remote != null) {
        byAddress.remove(e.remote, e);
      }
      e.remote = from;
      byAddress.put(from, e);
      if (!e.nominated) {
        counters.iceSucceededUdp.increment();
      }
    }
    if (m.useCandidate()) {
      e.nominated = true;
    }
    send(StunMessage.bindingSuccess(m.transactionId(), from, e.icePassword), from);
  }

  private void handleRtp(Endpoint e, int len) {
    rxPacket.set(0, len);
    if (e.srtp.unprotectRtp(rxPacket) != SrtpResult.OK) {
      e.srtpFailures++;
      counters.srtpFailures++;
      return;
    }
    int plain = rxPacket.getLength();
    byte[] buf = rxPacket.getBuffer();
    if (!rtp.wrap(buf, 0, plain)) {
      counters.dropped++;
      return;
    }
    long now = System.nanoTime();
    TransportCcRecorder twcc = e.transportCc;
    if (twcc != null) {
      int at = rtp.findExtension(twcc.extensionId());
      if (at >= 0 && rtp.extensionDataLength() >= 2) {
        twcc.record(((buf[at] & 0xFF) << 8) | (buf[at + 1] & 0xFF), now);
      }
    }
    Publication p = e.incoming.get((int) rtp.ssrc());
    if (p == null && e.simulcast.length > 0) {
      p = bindSimulcastLayer(e);
    }
    if (p == null) {
      counters.unknownSsrc++;
      return;
    }
    e.packetsReceived++;
    e.bytesReceived += len;
    p.packets++;
    p.bytes += plain;
    p.stats.received(rtp.sequenceNumber(), rtp.timestamp(), now);
    if (p.cache != null) {
      p.cache.put(rtp.sequenceNumber(), buf, plain);
    }
    if (p.audioLevelExtension > 0) {
      int level = rtp.audioLevel(p.audioLevelExtension);
      if (level >= 0) {
        DominantSpeaker.observe(p, level);
      }
    }
    Subscription[] subs = p.subscriptions;
    boolean keyframe = p.source != null && Vp8.isKeyframeStart(buf, rtp.payloadOffset(), rtp.payloadLength());
    for (Subscription s : subs) {
      if (p.source != null) {
        // Simulcast: forward the current layer; switch to the pending one at its keyframe.
        if (p.layerIndex == s.pendingLayer && keyframe) {
          s.currentLayer = s.pendingLayer;
          s.pendingLayer = -1;
        }
        if (p.layerIndex != s.currentLayer) {
          continue;
        }
      }
      Endpoint to = s.subscriber;
      SrtpSession srtp = to.srtp;
      InetSocketAddress address = to.remote;
      if (srtp == null || address == null || to.closed) {
        continue;
      }
      byte[] out = txPacket.getBuffer();
      System.arraycopy(buf, 0, out, 0, plain);
      out[1] = (byte) ((out[1] & 0x80) | s.payloadType);
      txRtp.wrap(out, 0, plain);
      if (s.rewriter != null) {
        if (!s.rewriter.rewrite(txRtp, s.vp8, now)) {
          if (p.isVideo()) {
            requestKeyframe(p, false);
          }
          continue;
        }
      }
      txPacket.set(0, plain);
      if (srtp.protectRtp(txPacket) != SrtpResult.OK) {
        counters.srtpFailures++;
        continue;
      }
      int n = txPacket.getLength();
      if (send(tx, n, address)) {
        s.lastTimestamp = txRtp.timestamp();
        s.lastTimestampNanos = now;
        s.octets += plain - txRtp.headerLength();
        s.packets++;
        to.packetsSent++;
        to.bytesSent += n;
      }
    }
  }

  /** RFC 8852: a packet of an unknown SSRC names its simulcast layer with the rid extension; bind it. */
  private Publication bindSimulcastLayer(Endpoint e) {
    for (SimulcastSource src : e.simulcast) {
      int at = rtp.findExtension(src.ridExtension);
      if (at < 0) {
        continue;
      }
      int layer = src.layerOf(rtp.buffer(), at, rtp.extensionDataLength());
      if (layer < 0 || src.layers[layer] != null) {
        continue;
      }
      Publication p = new Publication(e, (int) rtp.ssrc(), "video", src.payloadType, src.clockRate, -1);
      p.source = src;
      p.layerIndex = layer;
      src.layers[layer] = p;
      e.incoming.put(p.ssrc, p);
      for (Subscription s : src.subscriptions) {
        p.add(s);
        chooseLayer(s);
      }
      return p;
    }
    return null;
  }

  private void handleRtcp(Endpoint e, int len) {
    rxPacket.set(0, len);
    if (e.srtp.unprotectRtcp(rxPacket) != SrtpResult.OK) {
      e.srtpFailures++;
      counters.srtpFailures++;
      return;
    }
    e.packetsReceived++;
    e.bytesReceived += len;
    rtcpHandler.from = e;
    RtcpReports.read(rxPacket.getBuffer(), 0, rxPacket.getLength(), rtcpHandler);
  }

  /**
   * Terminates RTCP from an endpoint: senders' reports feed our receive statistics, receivers' report blocks give
   * RTT and loss, NACKs are answered from the cache, PLI/FIR go on to the publisher. Reused: no lambda per packet.
   */
  private final class RtcpHandler implements RtcpReports.Sink {
    Endpoint from;

    @Override
    public void senderReport(long ssrc, long ntp, long rtpTimestamp, long packets, long octets) {
      Publication p = from.incoming.get((int) ssrc);
      if (p != null) {
        p.stats.senderReport(ntp, System.nanoTime());
      }
    }

    @Override
    public void reportBlock(long reporterSsrc, int fractionLost, int cumulativeLost, long sourceSsrc, long jitter,
        long lsr, long dlsr) {
      Subscription s = from.outgoing.get((int) sourceSsrc);
      if (s == null) {
        return;
      }
      s.reportedLoss = fractionLost / 256.0;
      if (lsr != 0 && lsr == s.lastSrCompactNtp) {
        // RFC 3550 §6.4.1: RTT = arrival - LSR - DLSR, all in 1/65536 s.
        long now = RtcpReports.compactNtp(RtcpReports.ntp(System.currentTimeMillis()));
        long rtt = (now - lsr - dlsr) & 0xFFFFFFFFL;
        if (rtt < 65536L * 10) {
          s.rttMillis = rtt * 1000.0 / 65536;
        }
      }
    }

    @Override
    public void nack(long mediaSsrc, int seq) {
      Subscription s = from.outgoing.get((int) mediaSsrc);
      if (s != null && s.rewriter == null && s.publication != null && s.publication.cache != null
          && s.rtxPayloadType >= 0) {
        retransmit(s, seq);
      } else if (s != null) {
        counters.nacksUnanswered++;
      }
    }

    @Override
    public void keyframeRequest(long mediaSsrc) {
      Subscription s = from.outgoing.get((int) mediaSsrc);
      if (s != null) {
        counters.keyframeRequestsRelayed++;
        Publication p = s.current();
        if (p == null && s.source != null && s.pendingLayer >= 0) {
          p = s.source.layers[s.pendingLayer];
        }
        if (p != null) {
          requestKeyframe(p, false);
        }
      }
    }
  }

  /**
   * Resends a cached packet to one receiver as RTX (RFC 4588 §4): RTX payload type and SSRC, the RTX stream's own
   * sequence number, and the original sequence number in front of the payload. A plain resend under the original
   * SSRC and sequence number would reuse an SRTP index, which the sending context rightly refuses.
   */
  private void retransmit(Subscription s, int seq) {
    Endpoint to = s.subscriber;
    SrtpSession srtp = to.srtp;
    InetSocketAddress address = to.remote;
    if (srtp == null || address == null) {
      return;
    }
    byte[] cached = rtxScratch;
    int len = s.publication.cache.get(seq, cached);
    if (len < 0 || !rtxView.wrap(cached, 0, len)) {
      counters.nacksUnanswered++;
      return;
    }
    int header = rtxView.headerLength();
    int payload = rtxView.payloadLength();
    byte[] out = txPacket.getBuffer();
    System.arraycopy(cached, 0, out, 0, header);
    out[0] &= (byte) ~0x20; // the padding, if any, is not copied
    out[header] = (byte) (seq >>> 8);
    out[header + 1] = (byte) seq;
    System.arraycopy(cached, header, out, header + 2, payload);
    len = header + 2 + payload;
    out[1] = (byte) ((out[1] & 0x80) | s.rtxPayloadType);
    int rtxSeq = s.rtxSeq++ & 0xFFFF;
    out[2] = (byte) (rtxSeq >>> 8);
    out[3] = (byte) rtxSeq;
    RtcpFeedback.putU32(out, 8, s.rtxSsrc);
    txPacket.set(0, len);
    if (srtp.protectRtp(txPacket) == SrtpResult.OK && send(tx, txPacket.getLength(), address)) {
      s.retransmitted++;
      counters.retransmissions++;
    }
  }

  /** Once a second: a receiver report to each publisher and a sender report to each receiver (RFC 3550 §6.2). */
  private void sendReports(long nowNanos) {
    long ntp = RtcpReports.ntp(System.currentTimeMillis());
    for (Endpoint e : byId.values()) {
      SrtpSession srtp = e.srtp;
      InetSocketAddress address = e.remote;
      if (srtp == null || address == null || e.closed) {
        continue;
      }
      e.incoming.forEach(p -> {
        if (p.stats.started()) {
          byte[] out = txPacket.getBuffer();
          int n = RtcpReports.writeReceiverReport(out, 0, ROUTER_SSRC, p.stats.report(p.ssrc(), nowNanos));
          n += RtcpReports.writeSdesCname(out, n, ROUTER_SSRC, "lchat");
          sendRtcp(srtp, n, address);
        }
      });
      e.outgoing.forEach(s -> {
        if (s.packets > 0) {
          long elapsed = (nowNanos - s.lastTimestampNanos) * s.clockRate() / 1_000_000_000L;
          byte[] out = txPacket.getBuffer();
          long ssrc = s.outgoingSsrc() & 0xFFFFFFFFL;
          int n = RtcpReports.writeSenderReport(out, 0, ssrc, ntp, (s.lastTimestamp + elapsed) & 0xFFFFFFFFL,
              s.packets, s.octets);
          n += RtcpReports.writeSdesCname(out, n, ssrc, "lchat");
          s.lastSrCompactNtp = RtcpReports.compactNtp(ntp);
          sendRtcp(srtp, n, address);
        }
      });
    }
  }

  /** Once a second: measure each simulcast track's layers and move subscriptions to the layer they should get. */
  private void rankSimulcastLayers() {
    for (Endpoint e : byId.values()) {
      for (SimulcastSource src : e.simulcast) {
        src.rank();
        for (Subscription s : src.subscriptions) {
          chooseLayer(s);
        }
      }
    }
  }

  /** Every tick (100 ms): transport-wide feedback to each endpoint that sends with the extension. */
  private void sendTransportFeedback() {
    for (Endpoint e : byId.values()) {
      TransportCcRecorder twcc = e.transportCc;
      SrtpSession srtp = e.srtp;
      InetSocketAddress address = e.remote;
      if (twcc == null || srtp == null || address == null || e.closed) {
        continue;
      }
      long[] media = {0};
      e.incoming.forEach(p -> media[0] = p.ssrc());
      int n = twcc.feedback(txPacket.getBuffer(), 0, ROUTER_SSRC, media[0]);
      if (n > 0) {
        sendRtcp(srtp, n, address);
        counters.transportFeedbackSent++;
      }
    }
  }

  private void sendRtcp(SrtpSession srtp, int len, InetSocketAddress address) {
    txPacket.set(0, len);
    if (srtp.protectRtcp(txPacket) == SrtpResult.OK) {
      send(tx, txPacket.getLength(), address);
      counters.rtcpSent++;
    }
  }

  private void requestKeyframe(Publication p, boolean force) {
    long now = System.nanoTime();
    if (!p.isVideo() || (!force && now - p.lastKeyframeRequestNanos < settings.keyframeInterval().toNanos())) {
      return;
    }
    Endpoint publisher = p.publisher;
    SrtpSession srtp = publisher.srtp;
    InetSocketAddress address = publisher.remote;
    if (srtp == null || address == null || publisher.closed) {
      return;
    }
    p.lastKeyframeRequestNanos = now;
    int n = RtcpFeedback.writePli(txPacket.getBuffer(), 0, ROUTER_SSRC, p.ssrc());
    txPacket.set(0, n);
    if (srtp.protectRtcp(txPacket) == SrtpResult.OK) {
      send(tx, txPacket.getLength(), address);
      counters.keyframeRequestsSent++;
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
        requestKeyframe(p, true);
      } else {
        chooseLayer(s);
      }
    });
    e.listener.connected(e);
  }

  private void tick(long now) {
    List<Endpoint> expired = new ArrayList<>();
    for (Endpoint e : byId.values()) {
      if (e.lastConsentNanos != 0 && now - e.lastConsentNanos > settings.consentTimeout().toNanos()) {
        expired.add(e);
      }
    }
    for (Endpoint e : expired) {
      // RFC 7675: no consent for the timeout means the peer is gone.
      removeEndpoint(e, "ICE consent expired");
    }
    if (++ticks % SPEAKER_TICKS == 0) {
      detectSpeakers();
    }
    if (ticks % REPORT_TICKS == 0) {
      sendReports(now);
      rankSimulcastLayers();
    }
    sendTransportFeedback();
  }

  private void detectSpeakers() {
    Map<String, Publication> loudest = new HashMap<>();
    for (Endpoint e : byId.values()) {
      e.incoming.forEach(p -> {
        if (p.audioLevelExtension > 0) {
          Publication best = loudest.get(e.group);
          if (best == null || p.loudness > best.loudness) {
            loudest.put(e.group, p);
          }
        }
      });
    }
    for (Map.Entry<String, Publication> entry : loudest.entrySet()) {
      DominantSpeaker speaker = speakers.computeIfAbsent(entry.getKey(), g -> new DominantSpeaker());
      double currentLevel = speaker.current == null ? 0 : loudnessOf(speaker.current);
      Endpoint changed = speaker.tick(entry.getValue().publisher, entry.getValue().loudness, currentLevel);
      if (changed != null && speakerListener != null) {
        speakerListener.dominantSpeakerChanged(entry.getKey(), changed);
      }
    }
    speakers.keySet().retainAll(loudest.keySet());
  }

  private static double loudnessOf(Endpoint e) {
    double[] max = {0};
    e.incoming.forEach(p -> max[0] = Math.max(max[0], p.loudness));
    return max[0];
  }

  // ---- sending --------------------------------------------------------------------------------------------------

  private boolean send(ByteBuffer buffer, int len, InetSocketAddress to) {
    buffer.clear().limit(len);
    try {
      if (channel.send(buffer, to) > 0) {
        counters.packetsSent++;
        counters.bytesSent += len;
        return true;
      }
      counters.sendDropped++;
    } catch (IOException e) {
      counters.sendDropped++;
    }
    return false;
  }

  private void send(byte[] message, InetSocketAddress to) {
    try {
      channel.send(ByteBuffer.wrap(message), to);
    } catch (IOException e) {
      counters.sendDropped++;
    }
  }

  /** DTLS records from handshake threads go to wherever ICE latched the endpoint. */
  private void sendDtls(Endpoint e, byte[] b, int o, int l) throws IOException {
    InetSocketAddress to = e.remote;
    if (to != null && !e.closed) {
      channel.send(ByteBuffer.wrap(b, o, l), to);
    }
  }

  private String randomToken(int length) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  @Override
  public void close() {
    running = false;
    for (Endpoint e : byId.values()) {
      removeEndpoint(e, "router stopped");
    }
    selector.wakeup();
    try {
      loop.join(2000);
      selector.close();
      channel.close();
    } catch (IOException e) {
      LOG.debug("closing media socket", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
