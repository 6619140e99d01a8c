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
import uk.co.lchat.media.ice.IceAgent;
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
 * A node's media router: one UDP port for every endpoint (STUN, DTLS, SRTP/SRTCP demultiplexed per RFC 7983), read
 * by one receive loop that decrypts each packet once and encrypts it once per subscriber. Each client endpoint has an
 * ice4j agent ({@link IceAgent}) that the loop hands its STUN to; relays to other nodes need none.
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
  /** The group of relay endpoints: they take no part in any room's dominant speaker detection. */
  static final String RELAY_GROUP = "\u0000relay";
  private static final int SPEAKER_TICKS = 3;
  private static final int REPORT_TICKS = 10;
  private static final long TCP_ANONYMOUS_NANOS = 10_000_000_000L;
  private static final int MAX_TCP_CONNECTIONS = 4096;

  /** Tells the control plane when a group's dominant speaker changes. */
  public interface SpeakerListener {
    void dominantSpeakerChanged(String group, Endpoint speaker);
  }

  private final RouterSettings settings;
  private final SpeakerListener speakerListener;
  private final DatagramChannel channel;
  private final Selector selector;
  private final SelectionKey udpKey;
  /** Listens for ICE-TCP on the media port number; null when ICE-TCP is off or the port was taken. */
  private final java.nio.channels.ServerSocketChannel tcpListener;
  private final List<IceTcpConnection> tcpConnections = new ArrayList<>();
  /** Endpoints whose UDP send queue holds packets, in the order they filled up. */
  private final java.util.ArrayDeque<Endpoint> udpBacklog = new java.util.ArrayDeque<>();
  private final IceTcpConnection.FrameSink tcpFrames = (c, buf, len) -> handle(c.remote, len, c);
  private final BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
  private final DtlsIdentity identity;
  private final SecureRandom random = new SecureRandom();
  /** The local address agents see as their host candidate: the first advertised address on the media port. */
  private final InetSocketAddress agentAddress;
  private final ConcurrentHashMap<String, Endpoint> byUfrag = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Endpoint> byId = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final Thread loop;
  private volatile boolean running = true;

  // loop-owned
  private final Map<InetSocketAddress, Endpoint> byAddress = new HashMap<>();
  /** UDP addresses that sent an endpoint a valid check: its agent's STUN answers from there go to that endpoint. */
  private final Map<InetSocketAddress, Endpoint> checkedFrom = new HashMap<>();
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
  private final RouterStatistics.Meter meter = new RouterStatistics.Meter();
  private volatile RouterStatistics statistics = RouterStatistics.EMPTY;

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
    this.udpKey = channel.register(selector, SelectionKey.OP_READ);
    this.tcpListener = settings.iceTcp() ? listenTcp(settings.bindHost(), port()) : null;
    this.loop = Thread.ofPlatform().name("media-router-" + port()).daemon().unstarted(this::run);
    this.agentAddress = new InetSocketAddress(firstAdvertised(settings), port());
  }

  private static java.net.InetAddress firstAdvertised(RouterSettings settings) {
    try {
      return settings.advertisedAddresses().isEmpty() ? java.net.InetAddress.getLoopbackAddress()
          : java.net.InetAddress.getByName(settings.advertisedAddresses().get(0));
    } catch (java.net.UnknownHostException e) {
      return java.net.InetAddress.getLoopbackAddress();
    }
  }

  private java.nio.channels.ServerSocketChannel listenTcp(String host, int port) {
    try {
      java.nio.channels.ServerSocketChannel server = java.nio.channels.ServerSocketChannel.open();
      server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      server.bind(new InetSocketAddress(host, port), 128);
      server.configureBlocking(false);
      server.register(selector, SelectionKey.OP_ACCEPT);
      return server;
    } catch (IOException e) {
      LOG.warn("ICE-TCP disabled: cannot listen on tcp {}:{}: {}", host, port, e.toString());
      return null;
    }
  }

  /** Binds the port and starts the receive loop. */
  public static MediaRouter start(RouterSettings settings, SpeakerListener speakerListener) throws IOException {
    MediaRouter router = new MediaRouter(settings, speakerListener);
    router.loop.start();
    LOG.info("media router on port {}; SRTP AES-GCM through {}", router.port(), SrtpSession.aesImplementation());
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

  /** The streams' loss, jitter, RTT and counts as of the last once-a-second measurement. */
  public RouterStatistics statistics() {
    return statistics;
  }

  public String fingerprint() {
    return identity.fingerprintAttribute();
  }

  // ---- control plane API (any thread) ---------------------------------------------------------------------------

  /** A new endpoint with its own ICE agent and fresh credentials (RFC 8839 §5.4). */
  public Endpoint createEndpoint(String id, String group, EndpointListener listener) {
    AgentEvents events = new AgentEvents();
    IceAgent agent = newAgent(events);
    Endpoint e = new Endpoint(id, group, agent.local(), listener, this::sendDtls);
    e.agent = agent;
    events.endpoint = e;
    byUfrag.put(e.ice.ufrag(), e);
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
    AgentEvents events = new AgentEvents();
    events.endpoint = e;
    IceAgent agent = newAgent(events);
    IceAgent previous = e.agent;
    // The peer's next SDP brings its new credentials; until then its old ones are the best guess (a peer that
    // moved without restarting keeps them).
    if (e.remoteIce != null) {
      agent.setRemote(e.remoteIce, List.of());
    }
    IceParameters fresh = agent.local();
    IceParameters old = e.ice;
    e.agent = agent;
    e.icePassword = fresh.pwd().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    e.ice = fresh;
    byUfrag.put(fresh.ufrag(), e);
    byUfrag.remove(old.ufrag(), e);
    if (previous != null) {
      previous.close();
    }
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
    if (tcpListener != null) {
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
  public Endpoint createRelay(String id, InetSocketAddress remote, uk.co.lchat.media.srtp.SrtpKeys keys) {
    Endpoint e = new Endpoint(id, RELAY_GROUP, new IceParameters(randomToken(8), randomToken(24)),
        new EndpointListener() {}, this::sendDtls);
    e.remote = remote;
    e.srtp = new SrtpSession(keys);
    e.absSendTimeIn = RELAY_ABS_SEND_TIME_ID;
    e.absSendTimeOut = RELAY_ABS_SEND_TIME_ID;
    Endpoint previous = byId.put(id, e);
    if (previous != null) {
      removeEndpoint(previous, "replaced");
    }
    enqueue(() -> {
      e.nominated = true;
      byAddress.put(remote, e);
    });
    counters.relaysOpened.increment();
    return e;
  }

  /**
   * A recorder's sink (egress, docs/architecture.md "Recording"): a receiver that gets the streams subscribed to it
   * as plain RTP at {@code remote}, which must be a loopback address: media leaves this process unencrypted only to
   * a recorder on the same machine. The packet path treats it as any receiver and only skips the encryption.
   */
  public Endpoint createPlainSink(String id, String group, InetSocketAddress remote) {
    if (!remote.getAddress().isLoopbackAddress()) {
      throw new IllegalArgumentException("plain RTP only to loopback, not " + remote);
    }
    Endpoint e = new Endpoint(id, group, new IceParameters(randomToken(8), randomToken(24)),
        new EndpointListener() {}, this::sendDtls, true);
    e.remote = remote;
    Endpoint previous = byId.put(id, e);
    if (previous != null) {
      removeEndpoint(previous, "replaced");
    }
    enqueue(() -> e.nominated = true);
    return e;
  }

  /** How many relay links to other nodes' routers are open. */
  public int relayCount() {
    int n = 0;
    for (Endpoint e : byId.values()) {
      if (e.isRelay()) {
        n++;
      }
    }
    return n;
  }

  /** Relay links open now, with the streams each carries in and out (a diagnostic snapshot). */
  public List<RelayStatus> relays() {
    List<RelayStatus> out = new ArrayList<>();
    for (Endpoint e : byId.values()) {
      if (e.isRelay()) {
        int[] n = {0, 0};
        e.incoming.forEach(p -> n[0]++);
        e.outgoing.forEach(x -> n[1]++);
        out.add(new RelayStatus(e.id, e.remote, n[0], n[1], e.packetsReceived, e.packetsSent));
      }
    }
    return out;
  }

  /** One relay link: streams received over it and sent over it, and its packet counts. */
  public record RelayStatus(String id, InetSocketAddress remote, int streamsIn, int streamsOut, long packetsIn,
                            long packetsOut) {}

  /**
   * The peer's ICE credentials and candidates from its SDP: the endpoint's agent checks the path back with them
   * (RFC 8445 §7.2.5.2 triggered checks) and keeps consent on it (RFC 7675).
   */
  public void setRemoteIce(Endpoint e, IceParameters remote, List<String> candidates) {
    IceAgent agent = e.agent;
    if (agent == null || remote == null) {
      return;
    }
    e.remoteIce = remote;
    agent.setRemote(remote, candidates);
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

  /** The extension id relays use for abs-send-time (both ends of a link are ours). */
  public static final int RELAY_ABS_SEND_TIME_ID = 2;

  /**
   * abs-send-time: the endpoint's packets carry it under {@code inId}, and it understands it under {@code outId} in
   * what we send (-1 leaves either as it is, 0 turns it off). We stamp our own send time on every forwarded packet
   * that carries it, so receivers' delay-based estimates measure the path from us.
   */
  public void enableAbsSendTime(Endpoint e, int inId, int outId) {
    enqueue(() -> {
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

  /**
   * A simulcast receiver that reports heavy loss gets the lowest layer until it has reported little loss for a while
   * (its path cannot carry the high one). Over a relay the far router's reports carry its receivers' worst loss, so
   * the whole far node steps down.
   */
  private void adaptToLoss(Subscription s) {
    if (s.source == null) {
      return;
    }
    if (s.reportedLoss > Subscription.LOSS_TOO_HIGH) {
      s.goodReports = 0;
      if (!s.lossLimited) {
        s.lossLimited = true;
        counters.lossDowngrades++;
        chooseLayer(s);
      }
    } else if (s.reportedLoss < Subscription.LOSS_FINE) {
      if (s.lossLimited && ++s.goodReports >= Subscription.GOOD_REPORTS_TO_RECOVER) {
        s.lossLimited = false;
        s.goodReports = 0;
        chooseLayer(s);
      }
    } else {
      s.goodReports = 0;
    }
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
      target = s.quality == Subscription.HIGH && !s.lossLimited ? ranked[ranked.length - 1] : ranked[0];
      if (target != ranked[0] && s.maxBitrate >= 0) {
        // The highest layer that fits the receiver's estimate (ranked from lowest to highest rate), else the lowest.
        target = ranked[0];
        for (int layer : ranked) {
          if (src.bitrates[layer] <= s.maxBitrate) {
            target = layer;
          }
        }
      }
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
    IceAgent agent = e.agent;
    if (agent != null) {
      agent.close();
    }
    enqueue(() -> {
      if (e.remote != null) {
        byAddress.remove(e.remote, e);
      }
      checkedFrom.values().removeIf(v -> v == e);
      IceTcpConnection tcp = e.tcp;
      if (tcp != null) {
        closeTcp(tcp);
      }
      e.udpQueue.clear();
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
    counters.endpointsClosed.increment();
    e.listener.closed(e, reason);
  }

  public void requestKeyframe(Publication p) {
    enqueue(() -> requestKeyframe(p, true));
  }

  /** Asks for a keyframe on every layer of a simulcast track (a recorder starting: it takes whichever comes first). */
  public void requestKeyframe(SimulcastSource src) {
    enqueue(() -> {
      for (Publication layer : src.layers) {
        if (layer != null) {
          requestKeyframe(layer, true);
        }
      }
    });
  }

  public int endpointCount() {
    return byId.size();
  }

  /** How long a path may go without consent (RFC 7675) before its endpoint closes. */
  public java.time.Duration consentTimeout() {
    return settings.consentTimeout();
  }

  /** Whether an endpoint of this id is open ({@code participantId + "/pub"}, {@code "/sub"}, {@code "/watch"}). */
  public boolean hasEndpoint(String id) {
    return byId.containsKey(id);
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
        for (SelectionKey key : selector.selectedKeys()) {
          if (!key.isValid()) {
            continue;
          }
          if (key.attachment() instanceof IceTcpConnection c) {
            serviceTcp(c, key);
          } else if (key.isAcceptable()) {
            acceptTcp();
          }
        }
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
          handle((InetSocketAddress) from, rx.position(), null);
        }
        if (!udpBacklog.isEmpty()) {
          drainUdpBacklog();
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

  /** One packet in {@code rx}, from a UDP address ({@code via} null) or an ICE-TCP connection. */
  private void handle(InetSocketAddress from, int len, IceTcpConnection via) {
    byte[] buf = rx.array();
    counters.packetsReceived++;
    counters.bytesReceived += len;
    switch (PacketKind.of(buf, 0, len)) {
      case STUN -> handleStun(from, buf, len, via);
      case DTLS -> {
        Endpoint e = endpointFor(from, via);
        if (e == null || !e.dtlsTransport.offer(buf, 0, len)) {
          counters.dropped++;
        }
      }
      case RTP -> {
        Endpoint e = endpointFor(from, via);
        if (e != null && e.srtp != null) {
          handleRtp(e, len);
        } else {
          counters.dropped++;
        }
      }
      case RTCP -> {
        Endpoint e = endpointFor(from, via);
        if (e != null && e.srtp != null) {
          handleRtcp(e, len);
        } else {
          counters.dropped++;
        }
      }
      default -> counters.dropped++;
    }
  }

  /** The endpoint latched to this path: a UDP address, or an ICE-TCP connection that is its current path. */
  private Endpoint endpointFor(InetSocketAddress from, IceTcpConnection via) {
    if (via == null) {
      return byAddress.get(from);
    }
    Endpoint e = via.endpoint;
    return e != null && e.tcp == via ? e : null;
  }

  /**
   * STUN on the shared port. A binding request names its endpoint by ufrag (RFC 8445 §7.3); once it verifies, the
   * media path follows the peer's checks and nomination, and the endpoint's ice4j agent answers it (and checks back).
   * Other STUN (answers to the agent's own checks and consent requests) goes to the endpoint whose peer checked from
   * that address or connection.
   */
  private void handleStun(InetSocketAddress from, byte[] buf, int len, IceTcpConnection via) {
    StunMessage m = StunMessage.parse(buf, 0, len);
    if (m == null) {
      counters.dropped++;
      return;
    }
    if (m.type() != StunMessage.BINDING_REQUEST) {
      Endpoint e = via != null ? via.checkedBy : checkedFrom.get(from);
      IceAgent agent = e == null ? null : e.agent;
      if (agent == null || !agent.deliver(buf, 0, len, from)) {
        counters.dropped++;
      }
      return;
    }
    String username = m.username();
    int colon = username == null ? -1 : username.indexOf(':');
    Endpoint e = colon > 0 ? byUfrag.get(username.substring(0, colon)) : null;
    if (e == null || e.agent == null || !m.verifyFingerprint()) {
      counters.stunRejected++;
      return;
    }
    if (!m.verifyIntegrity(e.icePassword)) {
      counters.stunRejected++;
      sendStun(StunMessage.bindingError(m.transactionId(), 401, "Unauthorized", null), from, via);
      return;
    }
    e.lastConsentNanos = System.nanoTime();
    if (via == null) {
      checkedFrom.put(from, e);
    } else {
      via.checkedBy = e;
    }
    // Media starts on the first verified path, so DTLS need not wait for the agent's check back, and moves when
    // the peer nominates another one (or checks from a new one after an ICE restart).
    boolean samePath = from.equals(e.remote) && e.tcp == via;
    if (e.remote == null || (m.useCandidate() && !samePath) || (!e.nominated && !samePath && e.srtp != null)) {
      latch(e, from, via);
    }
    if (m.useCandidate()) {
      e.nominated = true;
    }
    if (!e.agent.deliver(buf, 0, len, from)) {
      counters.dropped++;
    }
  }

  /** Sends the endpoint's media to this path from now on. */
  private void latch(Endpoint e, InetSocketAddress path, IceTcpConnection via) {
    if (e.remote != null && e.tcp == null) {
      byAddress.remove(e.remote, e);
    }
    e.udpQueue.clear();
    e.remote = path;
    e.tcp = via;
    if (via == null) {
      byAddress.put(path, e);
    } else {
      via.endpoint = e;
    }
    if (!e.nominated) {
      (via == null ? counters.iceSucceededUdp : counters.iceSucceededTcp).increment();
    }
  }

  private IceAgent newAgent(AgentEvents events) {
    try {
      return new IceAgent(agentAddress, (message, to) -> enqueue(() -> sendAgentStun(message, to)), events);
    } catch (IOException ex) {
      throw new java.io.UncheckedIOException("cannot start an ICE agent", ex);
    }
  }

  /** An agent's STUN for its peer: over the ICE-TCP connection the peer's checks came on, else over UDP. */
  private void sendAgentStun(byte[] message, InetSocketAddress to) {
    for (IceTcpConnection c : tcpConnections) {
      if (!c.closed && c.remote.equals(to)) {
        sendStun(message, to, c);
        return;
      }
    }
    sendStun(message, to, null);
  }

  /** What one endpoint's agent reports, handed to the loop thread. */
  private final class AgentEvents implements IceAgent.Listener {
    volatile Endpoint endpoint;

    @Override
    public void consentRefreshed() {
      Endpoint e = endpoint;
      if (e != null) {
        enqueue(() -> e.lastConsentNanos = System.nanoTime());
      }
    }

    @Override
    public void failed() {
      Endpoint e = endpoint;
      LOG.debug("ICE failed for {}: no checked path both ways", e);
    }
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
      Publication repaired = e.rtxIncoming.get((int) rtp.ssrc());
      if (repaired == null || (plain = unwrapRtx(repaired, buf, plain)) < 0) {
        counters.unknownSsrc++;
        return;
      }
      p = repaired; // a retransmission over a relay: from here on, the original packet, late
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
    // abs-send-time: found once here; each copy has it at the same place.
    int absIn = p.publisher.absSendTimeIn;
    int absAt = absIn > 0 ? rtp.findExtension(absIn) : -1;
    if (absAt >= 0 && rtp.extensionDataLength() != 3) {
      absAt = -1;
    }
    int absNow = absAt >= 0 ? RtpPacket.absSendTime(now) : 0;
    for (Subscription s : subs) {
      if (p.source != null) {
        // Simulcast: forward the current layer; switch to the pending one at its keyframe. A receiver that has
        // nothing yet starts with whichever layer's keyframe comes first and moves up later.
        if (keyframe && (p.layerIndex == s.pendingLayer || s.currentLayer < 0)) {
          s.currentLayer = p.layerIndex;
          if (p.layerIndex == s.pendingLayer) {
            s.pendingLayer = -1;
          }
        }
        if (p.layerIndex != s.currentLayer) {
          continue;
        }
      }
      Endpoint to = s.subscriber;
      SrtpSession srtp = to.srtp;
      if ((srtp == null && !to.plainRtp) || to.remote == null || to.closed) {
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
      if (absAt >= 0 && to.absSendTimeOut > 0) {
        if (to.absSendTimeOut == absIn) {
          RtpPacket.putAbsSendTime(out, absAt, absNow);
        } else {
          txRtp.stampAbsSendTime(absIn, to.absSendTimeOut, absNow);
        }
      }
      txPacket.set(0, plain);
      // A recorder's sink (plainRtp) has no SRTP: it gets the packet as the other receivers would before encryption.
      if (srtp != null && srtp.protectRtp(txPacket) != SrtpResult.OK) {
        counters.srtpFailures++;
        continue;
      }
      int n = txPacket.getLength();
      if (send(n, to)) {
        s.lastTimestamp = txRtp.timestamp();
        s.lastTimestampNanos = now;
        s.octets += plain - txRtp.headerLength();
        s.packets++;
        to.packetsSent++;
        to.bytesSent += n;
      }
    }
  }

  /**
   * Turns an RTX packet (RFC 4588: the original sequence number before the payload) back into the original packet
   * of {@code p} in place; returns its length, or -1 when it is malformed or {@code p} already has that packet.
   */
  private int unwrapRtx(Publication p, byte[] buf, int len) {
    int header = rtp.headerLength();
    if (rtp.payloadLength() < 2 || p.cache == null) {
      return -1;
    }
    int seq = ((buf[header] & 0xFF) << 8) | (buf[header + 1] & 0xFF);
    if (p.cache.has(seq)) {
      counters.duplicateRetransmissions++;
      return -1;
    }
    System.arraycopy(buf, header + 2, buf, header, len - header - 2);
    len -= 2;
    buf[0] &= (byte) ~0x20; // no padding: the payload ends where the packet does
    buf[1] = (byte) ((buf[1] & 0x80) | p.payloadType);
    buf[2] = (byte) (seq >>> 8);
    buf[3] = (byte) seq;
    RtcpFeedback.putU32(buf, 8, p.ssrc() & 0xFFFFFFFFL);
    if (!rtp.wrap(buf, 0, len)) {
      return -1;
    }
    counters.repairedOverRelays++;
    return len;
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
      adaptToLoss(s);
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
      if (s == null) {
        return;
      }
      // The packet behind the sequence number the receiver saw: the same one, or through the stream rewriter
      // (simulcast layers, relayed simulcast) the current source's.
      Publication p = s.current();
      int sourceSeq = s.rewriter == null ? seq : s.rewriter.sourceSequence(seq);
      if (p == null || p.cache == null || s.rtxPayloadType < 0 || sourceSeq < 0) {
        counters.nacksUnanswered++;
        return;
      }
      if (!retransmit(s, p, sourceSeq, seq) && p.publisher.isRelay()) {
        nackUpstream(p, sourceSeq); // lost on the relay: the far router has it
      }
    }

    @Override
    public void remb(long mediaSsrc, long bitrate) {
      Subscription s = from.outgoing.get((int) mediaSsrc);
      if (s != null && s.source != null) {
        counters.rembsReceived++;
        s.maxBitrate = bitrate;
        chooseLayer(s);
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
          // A relay's requests were already rate-limited by the far router: pass each one on.
          requestKeyframe(p, from.isRelay());
        }
      }
    }
  }

  /**
   * Resends a cached packet to one receiver as RTX (RFC 4588 §4): RTX payload type and SSRC, the RTX stream's own
   * sequence number, and the original sequence number in front of the payload. A plain resend under the original
   * SSRC and sequence number would reuse an SRTP index, which the sending context rightly refuses.
   */
  private boolean retransmit(Subscription s, Publication p, int sourceSeq, int seq) {
    Endpoint to = s.subscriber;
    SrtpSession srtp = to.srtp;
    if (srtp == null || to.remote == null) {
      return true;
    }
    byte[] cached = rtxScratch;
    int len = p.cache.get(sourceSeq, cached);
    if (len < 0 || !rtxView.wrap(cached, 0, len)) {
      counters.nacksUnanswered++;
      return false;
    }
    int header = rtxView.headerLength();
    int payload = rtxView.payloadLength();
    byte[] out = txPacket.getBuffer();
    System.arraycopy(cached, 0, out, 0, header);
    out[0] &= (byte) ~0x20; // the padding, if any, is not copied
    if (s.rewriter != null) {
      RtcpFeedback.putU32(out, 4, s.rewriter.outTimestamp(rtxView.timestamp()));
    }
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
    if (srtp.protectRtp(txPacket) == SrtpResult.OK && send(txPacket.getLength(), to)) {
      s.retransmitted++;
      counters.retransmissions++;
    }
    return true;
  }

  /**
   * Asks the router at the other end of a relay for a packet that never arrived over it (generic NACK, RFC 4585
   * §6.2.1), once per packet however many receivers here miss it; it answers with RTX, which
   * {@link #handleRtp} turns back into the original packet for everyone here.
   */
  private void nackUpstream(Publication p, int seq) {
    long now = System.nanoTime();
    if (!p.nackDue(seq, now)) {
      return;
    }
    Endpoint relay = p.publisher;
    SrtpSession srtp = relay.srtp;
    if (srtp == null || relay.remote == null || relay.closed) {
      return;
    }
    int n = RtcpReports.writeNack(txPacket.getBuffer(), 0, ROUTER_SSRC, p.ssrc() & 0xFFFFFFFFL, seq, 0);
    sendRtcp(srtp, n, relay);
    counters.nacksSentUpstream++;
  }

  /** Over a relay, retransmissions of {@code p} come as RTX on {@code rtxSsrc}; they repair {@code p}. */
  public void expectRtx(Endpoint relay, Publication p, long rtxSsrc) {
    enqueue(() -> relay.rtxIncoming.put((int) rtxSsrc, p));
  }

  /** Once a second: a receiver report to each publisher and a sender report to each receiver (RFC 3550 §6.2). */
  private void sendReports(long nowNanos) {
    long ntp = RtcpReports.ntp(System.currentTimeMillis());
    for (Endpoint e : byId.values()) {
      SrtpSession srtp = e.srtp;
      if (srtp == null || e.remote == null || e.closed) {
        continue;
      }
      e.incoming.forEach(p -> {
        if (p.stats.started()) {
          byte[] out = txPacket.getBuffer();
          int n = RtcpReports.writeReceiverReport(out, 0, ROUTER_SSRC, p.stats.report(p.ssrc(), nowNanos));
          n += RtcpReports.writeSdesCname(out, n, ROUTER_SSRC, "lchat");
          if (e.isRelay() && p.isVideo()) {
            // Over a relay: how much of the stream this node's receivers can take (REMB), from their loss reports;
            // the router at the other end sends the simulcast layer that fits.
            long estimate = p.relayEstimate(nowNanos);
            if (estimate >= 0) {
              n += RtcpReports.writeRemb(out, n, ROUTER_SSRC, estimate, p.ssrc());
            }
          }
          sendRtcp(srtp, n, e);
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
          sendRtcp(srtp, n, e);
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
      if (twcc == null || srtp == null || e.remote == null || e.closed) {
        continue;
      }
      long[] media = {0};
      e.incoming.forEach(p -> media[0] = p.ssrc());
      int n = twcc.feedback(txPacket.getBuffer(), 0, ROUTER_SSRC, media[0]);
      if (n > 0) {
        sendRtcp(srtp, n, e);
        counters.transportFeedbackSent++;
      }
    }
  }

  private void sendRtcp(SrtpSession srtp, int len, Endpoint to) {
    txPacket.set(0, len);
    if (srtp.protectRtcp(txPacket) == SrtpResult.OK) {
      send(txPacket.getLength(), to);
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
    if (srtp == null || publisher.remote == null || publisher.closed) {
      return;
    }
    p.lastKeyframeRequestNanos = now;
    int n = RtcpFeedback.writePli(txPacket.getBuffer(), 0, ROUTER_SSRC, p.ssrc());
    txPacket.set(0, n);
    if (srtp.protectRtcp(txPacket) == SrtpResult.OK) {
      send(txPacket.getLength(), publisher);
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
    for (int i = tcpConnections.size() - 1; i >= 0; i--) {
      IceTcpConnection c = tcpConnections.get(i);
      // A connection that never proved it knows an endpoint's ICE password holds a socket for nothing.
      if (c.endpoint == null && now - c.openedNanos > TCP_ANONYMOUS_NANOS) {
        closeTcp(c);
      }
    }
    if (++ticks % SPEAKER_TICKS == 0) {
      detectSpeakers();
    }
    if (ticks % REPORT_TICKS == 0) {
      sendReports(now);
      rankSimulcastLayers();
      for (Endpoint e : byId.values()) {
        meter.endpoint(e);
      }
      statistics = meter.finish();
    }
    sendTransportFeedback();
  }

  private void detectSpeakers() {
    Map<String, Publication> loudest = new HashMap<>();
    for (Endpoint e : byId.values()) {
      if (e.isRelay()) {
        continue;
      }
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

  /**
   * Sends the first {@code len} bytes of {@code tx} to the endpoint over its current path. When the UDP socket is
   * momentarily full the packet waits in the endpoint's send queue (and so do the ones after it, to keep order).
   */
  private boolean send(int len, Endpoint to) {
    IceTcpConnection c = to.tcp;
    try {
      boolean ok;
      if (c != null) {
        ok = c.send(tx.array(), 0, len);
      } else if (!to.udpQueue.isEmpty()) {
        ok = to.udpQueue.offer(tx.array(), 0, len);
      } else {
        tx.clear().limit(len);
        ok = channel.send(tx, to.remote) > 0;
        if (!ok && to.udpQueue.offer(tx.array(), 0, len)) {
          ok = true;
          counters.sendQueued++;
          if (!to.inUdpBacklog) {
            to.inUdpBacklog = true;
            udpBacklog.add(to);
            udpKey.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
          }
        }
      }
      if (ok) {
        counters.packetsSent++;
        counters.bytesSent += len;
      } else {
        counters.sendDropped++;
      }
      return ok;
    } catch (IOException e) {
      counters.sendDropped++;
      if (c != null) {
        closeTcp(c);
      }
      return false;
    }
  }

  /** Sends queued datagrams, oldest endpoint first, until the socket is full again. */
  private void drainUdpBacklog() {
    while (!udpBacklog.isEmpty()) {
      Endpoint e = udpBacklog.peek();
      InetSocketAddress to = e.remote;
      if (!e.closed && e.tcp == null && to != null) {
        try {
          e.udpQueue.drainTo(channel, to);
        } catch (IOException ex) {
          e.udpQueue.clear();
        }
        if (!e.udpQueue.isEmpty()) {
          return; // the socket is full: wait for OP_WRITE
        }
      } else {
        e.udpQueue.clear();
      }
      e.inUdpBacklog = false;
      udpBacklog.poll();
    }
    udpKey.interestOps(SelectionKey.OP_READ);
  }

  private void sendStun(byte[] message, InetSocketAddress to, IceTcpConnection via) {
    try {
      if (via != null) {
        via.send(message, 0, message.length);
      } else {
        channel.send(ByteBuffer.wrap(message), to);
      }
    } catch (IOException e) {
      counters.sendDropped++;
      if (via != null) {
        closeTcp(via);
      }
    }
  }

  /** DTLS records from handshake threads go to wherever ICE latched the endpoint. */
  private void sendDtls(Endpoint e, byte[] b, int o, int l) throws IOException {
    InetSocketAddress to = e.remote;
    IceTcpConnection c = e.tcp;
    if (to == null || e.closed) {
      return;
    }
    if (c != null) {
      // TCP streams are written only by the loop thread, which owns the connection's queue.
      byte[] record = java.util.Arrays.copyOfRange(b, o, o + l);
      enqueue(() -> {
        if (!c.closed) {
          try {
            c.send(record, 0, record.length);
          } catch (IOException ex) {
            closeTcp(c);
          }
        }
      });
    } else {
      channel.send(ByteBuffer.wrap(b, o, l), to);
    }
  }

  // ---- ICE-TCP (RFC 6544, RFC 4571 framing) ---------------------------------------------------------------------

  private void acceptTcp() {
    try {
      java.nio.channels.SocketChannel sc;
      while ((sc = tcpListener.accept()) != null) {
        if (tcpConnections.size() >= MAX_TCP_CONNECTIONS) {
          sc.close();
          continue;
        }
        sc.configureBlocking(false);
        sc.setOption(StandardSocketOptions.TCP_NODELAY, true);
        SelectionKey key = sc.register(selector, SelectionKey.OP_READ);
        IceTcpConnection c = new IceTcpConnection(sc, key, System.nanoTime());
        key.attach(c);
        tcpConnections.add(c);
        counters.tcpConnectionsAccepted++;
      }
    } catch (IOException e) {
      LOG.debug("ICE-TCP accept: {}", e.toString());
    }
  }

  private void serviceTcp(IceTcpConnection c, SelectionKey key) {
    try {
      if (key.isReadable() && !c.read(rx.array(), tcpFrames)) {
        closeTcp(c);
        return;
      }
      if (key.isValid() && key.isWritable()) {
        c.flush();
      }
    } catch (IOException e) {
      closeTcp(c);
    }
  }

  /** Closes the connection; its endpoint, if it was latched there, has no path until ICE finds a new one. */
  private void closeTcp(IceTcpConnection c) {
    if (c.closed) {
      return;
    }
    c.close();
    tcpConnections.remove(c);
    Endpoint e = c.endpoint;
    if (e != null && e.tcp == c) {
      e.tcp = null;
      e.remote = null;
      e.nominated = false;
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
      if (tcpListener != null) {
        tcpListener.close();
      }
      for (IceTcpConnection c : tcpConnections) {
        c.close();
      }
    } catch (IOException e) {
      LOG.debug("closing media socket", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
