package uk.co.lchat.media.router;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import uk.co.lchat.media.dtls.DtlsAssociation;
import uk.co.lchat.media.dtls.PacketQueueTransport;
import uk.co.lchat.media.sdp.IceParameters;

/**
 * A client's transport on this node (one browser PeerConnection, one WHIP/WHEP session): its ICE credentials (the
 * router is an ICE-lite agent, RFC 8445 §2.5), the DTLS association that makes its SRTP keys, its consent, and the
 * room it belongs to. Fields marked
 * loop-owned are touched only by the router's receive loop.
 */
public final class Endpoint extends Transport {
  final String group;
  volatile IceParameters ice;
  /** The peer's ICE credentials from its last SDP. */
  volatile IceParameters remoteIce;
  volatile byte[] icePassword;
  final EndpointListener listener;
  final PacketQueueTransport dtlsTransport;
  volatile DtlsAssociation dtls;
  // loop-owned
  long lastConsentNanos;
  /**
   * Whether the peer nominated the current path (USE-CANDIDATE, RFC 8445 §7.3.1.5); until then any verified path it
   * uses may take over. Written by the loop.
   */
  volatile boolean nominated;

  /** Sends a DTLS record to the endpoint's current path, from a handshake thread. */
  interface DtlsOut {
    void send(Endpoint to, byte[] buf, int off, int len) throws IOException;
  }

  Endpoint(String id, String group, IceParameters ice, EndpointListener listener, DtlsOut out, PacketSender sender,
      RouterCounters counters) {
    super(id, sender, counters);
    this.group = group;
    this.ice = ice;
    this.icePassword = ice.pwd().getBytes(StandardCharsets.UTF_8);
    this.listener = listener;
    this.dtlsTransport = new PacketQueueTransport((b, o, l) -> out.send(this, b, o, l));
  }

  /** An opaque grouping (the room id): dominant speaker detection compares endpoints of one group. */
  public String group() {
    return group;
  }

  public IceParameters ice() {
    return ice;
  }

  public boolean nominated() {
    return nominated;
  }

  /** True while the endpoint's media goes over ICE-TCP rather than UDP. */
  public boolean overTcp() {
    return tcp != null;
  }

  /** The handshake (on its own virtual thread) reads the record from the endpoint's DTLS queue. */
  @Override
  boolean receiveDtls(byte[] buf, int off, int len) {
    return dtlsTransport.offer(buf, off, len);
  }

  @Override
  public String toString() {
    return "Endpoint[" + id + "]";
  }
}
