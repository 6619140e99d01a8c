package uk.co.lchat.media.router;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

import uk.co.lchat.media.srtp.PacketBuffer;

/**
 * A recorder's sink (egress): the streams subscribed to it leave the router as plain RTP (RFC 3550), already
 * rewritten for it, to a recorder's port on this machine. Nothing comes back (no RTCP, so no NACKs and no keyframe
 * requests: the recorder asks with {@link MediaRouter#requestKeyframe}). Its address must be a loopback one:
 * media leaves this process unencrypted only to a process on the same machine.
 *
 * <p>It sends from a socket of its own, so a recorder that stops reading loses only its own packets; a full socket
 * buffer drops the packet (counted) rather than holding up the router's loop.
 */
public final class PlainRtpSink implements PacketSink, AutoCloseable {
  private final InetSocketAddress recorder;
  private final DatagramChannel channel;
  private volatile boolean closed;
  /** The array {@link #bytes} wraps: the loop hands over its one send buffer, so this wraps once. Loop-owned. */
  private byte[] wrapped;
  private ByteBuffer bytes;
  // Written by the loop alone, read by anyone.
  private volatile long packetsSent;
  private volatile long bytesSent;
  private volatile long dropped;

  /** A sink that sends to {@code recorder}, a loopback address; IllegalArgumentException for any other. */
  public PlainRtpSink(InetSocketAddress recorder) throws IOException {
    if (recorder.getAddress() == null || !recorder.getAddress().isLoopbackAddress()) {
      throw new IllegalArgumentException("plain RTP goes only to this machine's loopback, not to " + recorder);
    }
    this.recorder = recorder;
    this.channel = DatagramChannel.open();
    channel.configureBlocking(false);
  }

  public InetSocketAddress recorder() {
    return recorder;
  }

  @Override
  public boolean ready() {
    return !closed;
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public boolean sendRtp(PacketBuffer packet) {
    if (closed) {
      return false;
    }
    byte[] b = packet.getBuffer();
    if (b != wrapped) {
      wrapped = b;
      bytes = ByteBuffer.wrap(b);
    }
    int len = packet.getLength();
    bytes.clear().position(packet.getOffset()).limit(packet.getOffset() + len);
    try {
      if (channel.send(bytes, recorder) > 0) {
        packetsSent++;
        bytesSent += len;
        return true;
      }
    } catch (IOException e) {
      // closed under us, or the recorder's port refused it (ICMP): the packet is lost for this sink only
    }
    dropped++;
    return false;
  }

  public long packetsSent() {
    return packetsSent;
  }

  public long bytesSent() {
    return bytesSent;
  }

  /** Packets that could not be sent: the socket's buffer was full or the recorder's port was not open. */
  public long dropped() {
    return dropped;
  }

  /** No more packets go (subscriptions to it skip it until their owner unsubscribes them). */
  @Override
  public void close() {
    closed = true;
    try {
      channel.close();
    } catch (IOException e) {
      // nothing to release beyond the socket
    }
  }
}
