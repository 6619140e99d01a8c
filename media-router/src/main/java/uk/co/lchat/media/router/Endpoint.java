package uk.co.lchat.media.router;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import uk.co.lchat.media.dtls.DtlsAssociation;
import uk.co.lchat.media.dtls.PacketQueueTransport;
import uk.co.lchat.media.ice.IceAgent;
import uk.co.lchat.media.sdp.IceParameters;
import uk.co.lchat.media.srtp.SrtpSession;
import uk.co.lchat.media.srtp.SsrcTable;

/**
 * A client's transport on this node (one browser PeerConnection, one WHIP/WHEP session): its ICE agent, the
 * DTLS association, SRTP, and what it publishes and receives. Fields marked loop-owned are touched only by the
 * router's receive loop.
 */
public final class Endpoint {
  final String id;
  final String group;
  volatile IceParameters ice;
  /** The endpoint's ICE agent (ice4j); null for a relay to another node, which needs no ICE. */
  volatile IceAgent agent;
  /** The peer's ICE credentials from its last SDP. */
  volatile IceParameters remoteIce;
  volatile byte[] icePassword;
  final EndpointListener listener;
  final PacketQueueTransport dtlsTransport;
  volatile InetSocketAddress remote;
  /** The ICE-TCP connection the endpoint is latched to, or null when it uses UDP. */
  volatile IceTcpConnection tcp;
  volatile SrtpSession srtp;
  volatile DtlsAssociation dtls;
  volatile boolean closed;
  /**
   * A recorder's sink (egress): gets the forwarded RTP in the clear on loopback, so no ICE, DTLS or SRTP, and it
   * sends nothing back that the router reads (it takes no RTCP, RTX or reports).
   */
  final boolean plainRtp;
  // loop-owned
  final SsrcTable<Publication> incoming = new SsrcTable<>();
  final SsrcTable<Subscription> outgoing = new SsrcTable<>();
  /** A relay's RTX streams: retransmissions of the publication they repair. */
  final SsrcTable<Publication> rtxIncoming = new SsrcTable<>();
  long lastConsentNanos;
  TransportCcRecorder transportCc;
  /** abs-send-time extension ids: in the packets this endpoint sends us, and in what we send it (0: none). */
  int absSendTimeIn;
  int absSendTimeOut;
  SimulcastSource[] simulcast = new SimulcastSource[0];
  boolean nominated;
  final SendQueue udpQueue = new SendQueue();
  boolean inUdpBacklog;
  long packetsReceived;
  long bytesReceived;
  long packetsSent;
  long bytesSent;
  long srtpFailures;

  /** Sends a DTLS record to the endpoint's current address. */
  interface DtlsOut {
    void send(Endpoint to, byte[] buf, int off, int len) throws java.io.IOException;
  }

  Endpoint(String id, String group, IceParameters ice, EndpointListener listener, DtlsOut out) {
    this(id, group, ice, listener, out, false);
  }

  Endpoint(String id, String group, IceParameters ice, EndpointListener listener, DtlsOut out, boolean plainRtp) {
    this.plainRtp = plainRtp;
    this.id = id;
    this.group = group;
    this.ice = ice;
    this.icePassword = ice.pwd().getBytes(StandardCharsets.UTF_8);
    this.listener = listener;
    this.dtlsTransport = new PacketQueueTransport((b, o, l) -> out.send(this, b, o, l));
  }

  public String id() {
    return id;
  }

  /** An opaque grouping (the room id): dominant speaker detection compares endpoints of one group. */
  public String group() {
    return group;
  }

  public IceParameters ice() {
    return ice;
  }

  public InetSocketAddress remoteAddress() {
    return remote;
  }

  /** True for a link to another node's router rather than a client. */
  public boolean isRelay() {
    return MediaRouter.RELAY_GROUP.equals(group);
  }

  /** True for a recorder's sink that gets plain RTP on loopback. */
  public boolean isPlainRtp() {
    return plainRtp;
  }

  /** True while the endpoint's media goes over ICE-TCP rather than UDP. */
  public boolean overTcp() {
    return tcp != null;
  }

  public boolean connected() {
    return srtp != null && !closed;
  }

  public boolean isClosed() {
    return closed;
  }

  public long packetsReceived() {
    return packetsReceived;
  }

  public long packetsSent() {
    return packetsSent;
  }

  public long bytesReceived() {
    return bytesReceived;
  }

  public long bytesSent() {
    return bytesSent;
  }

  @Override
  public String toString() {
    return "Endpoint[" + id + "]";
  }
}
