package uk.co.lchat.media.router;

import uk.co.lchat.media.srtp.PacketBuffer;

/**
 * Puts a finished packet (already encrypted) on a transport's current path: the shared UDP socket or the transport's
 * ICE-TCP connection ({@link SocketSender}). An interface so that the transports and the stages that send can be
 * tested without sockets.
 */
interface PacketSender {
  /** Sends the first {@code packet.getLength()} bytes of {@code packet}; false when it was dropped. */
  boolean send(PacketBuffer packet, Transport to);
}
