package uk.co.lchat.media.router;

import java.net.InetSocketAddress;

import uk.co.lchat.media.rtp.RtpPacket;
import uk.co.lchat.media.srtp.PacketBuffer;

/**
 * The packet the receive chain is working on, and what its stages have learned about it so far: one reused object
 * over the loop's receive buffer (a flyweight, like {@link RtpPacket}), so the chain allocates nothing. Loop-owned.
 */
final class ReceivedPacket {
  /** The datagram or ICE-TCP frame, decrypted in place by the first stage. */
  final PacketBuffer packet;
  /** A view of the RTP header once {@link RtpParse} has read it. */
  final RtpPacket rtp = new RtpPacket();
  InetSocketAddress from;
  /** The ICE-TCP connection it came on, or null for UDP. */
  IceTcpConnection via;
  /** Its length on the wire, encrypted. */
  int wireLength;
  /** The transport it belongs to. */
  Transport transport;
  /**
   * Set when it came on a verified path of this endpoint other than the one media is latched to: once it
   * authenticates, the endpoint's path follows it.
   */
  Endpoint unlatched;
  /** Arrival time, {@link System#nanoTime()}. */
  long now;
  /** The stream it belongs to, once looked up; the stream it repairs for an RTX packet. */
  Publication publication;
  // For the fan-out: found once, the same for every receiver's copy.
  /** It starts a keyframe of its simulcast track's codec (where receivers may switch layers). */
  boolean keyframe;
  /** abs-send-time: the publisher's extension id, where its 3 bytes are (-1: absent), and our send time. */
  int absSendTimeIn;
  int absSendTimeAt;
  int absSendTime;

  ReceivedPacket(PacketBuffer packet) {
    this.packet = packet;
  }

  /** Starts over with a packet of {@code wireLength} bytes in the buffer. */
  ReceivedPacket reset(InetSocketAddress from, IceTcpConnection via, int wireLength, Transport transport,
      Endpoint unlatched, long now) {
    this.from = from;
    this.via = via;
    this.wireLength = wireLength;
    this.transport = transport;
    this.unlatched = unlatched;
    this.now = now;
    this.publication = null;
    this.keyframe = false;
    this.absSendTimeAt = -1;
    packet.set(0, wireLength);
    return this;
  }

  byte[] buffer() {
    return packet.getBuffer();
  }

  /** Its length now (decrypted, or unwrapped from RTX). */
  int length() {
    return packet.getLength();
  }

  /**
   * Looks once for what every receiver's copy needs: whether it starts a keyframe (and then the layer's height), and
   * where abs-send-time is.
   */
  void prepareFanOut() {
    Publication p = publication;
    SimulcastSource src = p.source;
    keyframe = src != null && src.codec.isKeyframeStart(buffer(), rtp.payloadOffset(), rtp.payloadLength());
    if (keyframe) {
      // A layer's size can change only at a keyframe (the encoder adapting to bandwidth or CPU): read it there.
      int height = src.codec.keyframeHeight(buffer(), rtp.payloadOffset(), rtp.payloadLength());
      if (height > 0) {
        src.heights[p.layerIndex] = height;
      }
    }
    absSendTimeIn = p.publisher.absSendTimeIn;
    int at = absSendTimeIn > 0 ? rtp.findExtension(absSendTimeIn) : -1;
    // RFC 8285 one-byte header form with 3 bytes of data (abs-send-time is 6.18 fixed point seconds).
    absSendTimeAt = at >= 0 && rtp.extensionDataLength() == 3 ? at : -1;
    absSendTime = absSendTimeAt >= 0 ? RtpPacket.absSendTime(now) : 0;
  }
}
