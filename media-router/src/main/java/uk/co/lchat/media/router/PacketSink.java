package uk.co.lchat.media.router;

import uk.co.lchat.media.srtp.PacketBuffer;

/**
 * Where a {@link Subscription} forwards its packets: a client's {@link Endpoint}, a {@link Relay} to another node's
 * router, and next a recorder or a SIP leg. A subscription asks {@link #ready()} (Jitsi's {@code wants}), rewrites
 * the packet for this sink and hands it over plain; what the sink does with it is its own business: a transport
 * encrypts it with its SRTP keys and sends it on its path, a plain-RTP sink (a recorder) would write it as it is.
 * Called on the router's loop only.
 */
public interface PacketSink {
  /** Whether a packet handed over now would go anywhere: keys in place, a path known, not closed. */
  boolean ready();

  /** Closed for good: no subscription to it is made any more. */
  boolean isClosed();

  /**
   * The id under which this sink takes abs-send-time (RFC 8285 header extension id; 0 when it does not), so the
   * router stamps its own send time on what it forwards.
   */
  default int absSendTimeId() {
    return 0;
  }

  /**
   * Takes one plain RTP packet (the first {@code packet.getLength()} bytes from offset 0), which it may change in
   * place (a transport encrypts it there); false when the packet did not go.
   */
  boolean sendRtp(PacketBuffer packet);

  /** A subscription starts forwarding here (a transport routes the RTCP feedback naming its SSRC to it). */
  default void added(Subscription s) {}

  /** It stops. */
  default void removed(Subscription s) {}
}
