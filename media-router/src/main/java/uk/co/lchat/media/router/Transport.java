package uk.co.lchat.media.router;

import java.net.InetSocketAddress;

import uk.co.lchat.media.srtp.PacketBuffer;
import uk.co.lchat.media.srtp.SrtpResult;
import uk.co.lchat.media.srtp.SrtpSession;
import uk.co.lchat.media.srtp.SsrcTable;

/**
 * One SRTP transport of this router (mediasoup's {@code Transport}): a client's {@link Endpoint} or a {@link Relay}
 * to another node's router. It holds what flows on it (the streams it publishes here, the subscriptions it
 * receives), its keys and its path, and sends on that path. Fields marked loop-owned are touched only by the
 * router's receive loop.
 */
public abstract sealed class Transport implements PacketSink permits Endpoint, Relay {
  final String id;
  final PacketSender sender;
  final RouterCounters counters;
  volatile SrtpSession srtp;
  /** The path: a UDP address, and the ICE-TCP connection when it goes over TCP (endpoints only). */
  volatile InetSocketAddress remote;
  volatile IceTcpConnection tcp;
  volatile boolean closed;
  // loop-owned
  final SsrcTable<Publication> incoming = new SsrcTable<>();
  final SsrcTable<Subscription> outgoing = new SsrcTable<>();
  SimulcastSource[] simulcast = new SimulcastSource[0];
  TransportCcRecorder transportCc;
  /** abs-send-time extension ids: in the packets this transport sends us, and in what we send it (0: none). */
  int absSendTimeIn;
  int absSendTimeOut;
  long packetsReceived;
  long bytesReceived;
  long packetsSent;
  long bytesSent;
  long srtpFailures;

  Transport(String id, PacketSender sender, RouterCounters counters) {
    this.id = id;
    this.sender = sender;
    this.counters = counters;
  }

  public String id() {
    return id;
  }

  public InetSocketAddress remoteAddress() {
    return remote;
  }

  /** Keys are in place and it is open. */
  public boolean connected() {
    return srtp != null && !closed;
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public boolean ready() {
    return srtp != null && remote != null && !closed;
  }

  @Override
  public int absSendTimeId() {
    return absSendTimeOut;
  }

  /** Encrypts the plain RTP packet in place (RFC 3711 §3.3) and sends it. */
  @Override
  public boolean sendRtp(PacketBuffer packet) {
    SrtpSession keys = srtp;
    if (keys == null || remote == null) {
      return false;
    }
    if (keys.protectRtp(packet) != SrtpResult.OK) {
      counters.srtpFailures++;
      return false;
    }
    int n = packet.getLength();
    if (!sender.send(packet, this)) {
      return false;
    }
    packetsSent++;
    bytesSent += n;
    return true;
  }

  /** Encrypts the plain RTCP compound packet in place (RFC 3711 §3.4) and sends it; false if it was not protected. */
  boolean sendRtcp(PacketBuffer packet) {
    SrtpSession keys = srtp;
    if (keys == null || remote == null || closed || keys.protectRtcp(packet) != SrtpResult.OK) {
      return false;
    }
    sender.send(packet, this);
    return true;
  }

  @Override
  public void added(Subscription s) {
    outgoing.put(s.outgoingSsrc(), s);
  }

  @Override
  public void removed(Subscription s) {
    if (outgoing.get(s.outgoingSsrc()) == s) {
      outgoing.remove(s.outgoingSsrc());
    }
  }

  /** A DTLS record arrived on its path (RFC 7983); false when nothing takes it. */
  boolean receiveDtls(byte[] buf, int off, int len) {
    return false;
  }

  /**
   * A receiver here NACKed a packet of {@code p}, published on this transport, that is not in the cache. Only a
   * relay can do anything about it (ask the router at its other end).
   */
  void repairUpstream(Publication p, int seq, long nowNanos, PacketBuffer out) {}

  /** Whether keyframe requests arriving on this transport are already rate-limited, so each one goes on. */
  boolean keyframeRequestsLimited() {
    return false;
  }

  /** The publication an RTX stream (RFC 4588) of this SSRC repairs, or null. */
  Publication repairedBy(int rtxSsrc) {
    return null;
  }

  /**
   * Appends what goes with the receiver report for {@code p} to the compound packet in {@code out} at {@code at};
   * returns its new length.
   */
  int appendToReceiverReport(byte[] out, int at, Publication p, long nowNanos) {
    return at;
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
}
