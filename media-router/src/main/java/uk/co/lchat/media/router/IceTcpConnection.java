package uk.co.lchat.media.router;

import java.net.InetSocketAddress;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/**
 * One ICE-TCP connection (RFC 6544, our candidate is {@code tcptype passive}): STUN, DTLS, RTP and RTCP framed by a
 * 16-bit length each (RFC 4571). Until a valid STUN binding request arrives it belongs to no endpoint; one that stays
 * anonymous past a deadline is closed ({@link IceTcpServer}). Owned by the router's loop thread.
 */
final class IceTcpConnection {
  /** RFC 4571 §2: the length field is 16 bits. */
  static final int MAX_FRAME = 0xFFFF;
  final Channel channel;
  final InetSocketAddress remote;
  final long openedNanos;
  Endpoint endpoint;
  /** The endpoint whose peer sent a valid check on this connection (its agent's answers come back here). */
  Endpoint checkedBy;
  boolean closed;
  /** Frames written since the connection was last flushed ({@link SocketSender}). */
  boolean unflushed;
  /** The start of a frame whose end has not arrived yet; null when reads ended on a frame boundary. */
  private ByteBuf partial;

  /** Receives each complete frame, copied to the start of the scratch buffer {@link #read} was given. */
  interface FrameSink {
    void frame(IceTcpConnection from, int length);
  }

  IceTcpConnection(Channel channel, long nowNanos) {
    this.channel = channel;
    this.remote = (InetSocketAddress) channel.remoteAddress();
    this.openedNanos = nowNanos;
  }

  /**
   * Hands each complete frame of what has arrived (with {@code in}, which this releases) to {@code sink}, copied to
   * {@code scratch} first so the sink reads it where it reads datagrams. A frame longer than {@code scratch} holds
   * no packet of ours and is skipped; returns how many were.
   */
  int read(ByteBuf in, byte[] scratch, FrameSink sink) {
    ByteBuf data = in;
    if (partial != null) {
      partial.writeBytes(in);
      in.release();
      data = partial;
    }
    int tooLong = 0;
    try {
      while (!closed && data.readableBytes() >= 2) {
        int length = data.getUnsignedShort(data.readerIndex());
        if (data.readableBytes() < 2 + length) {
          break;
        }
        data.skipBytes(2);
        if (length > scratch.length) {
          data.skipBytes(length);
          tooLong++;
          continue;
        }
        data.readBytes(scratch, 0, length);
        if (length > 0) {
          sink.frame(this, length);
        }
      }
      if (data == in) {
        if (in.isReadable() && !closed) {
          partial = channel.alloc().heapBuffer(Math.max(in.readableBytes(), 2048));
          partial.writeBytes(in);
        }
      } else if (!partial.isReadable()) {
        partial.release();
        partial = null;
      } else {
        partial.discardReadBytes();
      }
    } finally {
      if (data == in) {
        in.release();
      }
    }
    return tooLong;
  }

  /** Whether a packet of {@code length} bytes fits under the connection's bound of unsent bytes. */
  boolean canTake(int length) {
    return !closed && length <= MAX_FRAME && channel.bytesBeforeUnwritable() >= 2 + length;
  }

  /** The packet framed for the stream (RFC 4571 §2), in a buffer of the connection's allocator. */
  ByteBuf frame(byte[] packet, int offset, int length) {
    ByteBuf frame = channel.alloc().directBuffer(2 + length);
    frame.writeShort(length).writeBytes(packet, offset, length);
    return frame;
  }

  void close() {
    closed = true;
    channel.close();
  }

  /** The channel is gone: gives back what an unfinished frame held. */
  void released() {
    if (partial != null) {
      partial.release();
      partial = null;
    }
  }
}
