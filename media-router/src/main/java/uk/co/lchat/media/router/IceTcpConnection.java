package uk.co.lchat.media.router;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One ICE-TCP connection (RFC 6544, our candidate is {@code tcptype passive}): STUN, DTLS, RTP and RTCP framed by a
 * 16-bit length each (RFC 4571). Until a valid STUN binding request arrives it belongs to no endpoint; one that stays
 * anonymous past a deadline is closed. Owned by the router's loop thread.
 */
final class IceTcpConnection {
  /** RFC 4571 frames carry at most 65535 bytes; our packets are far smaller. */
  private static final int MAX_FRAME = 0xFFFF;
  final SocketChannel channel;
  final InetSocketAddress remote;
  final SelectionKey key;
  final long openedNanos;
  final SendQueue out = new SendQueue();
  private final ByteBuffer in = ByteBuffer.allocate(2 + MAX_FRAME);
  Endpoint endpoint;
  /** The endpoint whose peer sent a valid check on this connection (its agent's answers come back here). */
  Endpoint checkedBy;
  boolean closed;

  /** Receives each complete frame as {@code (buffer, length)} with the packet at offset 0. */
  interface FrameSink {
    void frame(IceTcpConnection from, byte[] buffer, int length);
  }

  IceTcpConnection(SocketChannel channel, SelectionKey key, long nowNanos) throws IOException {
    this.channel = channel;
    this.remote = (InetSocketAddress) channel.getRemoteAddress();
    this.key = key;
    this.openedNanos = nowNanos;
  }

  /**
   * Reads what the socket has and hands each complete frame to {@code sink}, copying it to {@code scratch} first so
   * the sink may reuse the router's receive buffer conventions. Returns false at end of stream.
   */
  boolean read(byte[] scratch, FrameSink sink) throws IOException {
    int n = channel.read(in);
    in.flip();
    while (in.remaining() >= 2) {
      int length = in.getShort(in.position()) & 0xFFFF;
      if (in.remaining() < 2 + length) {
        break;
      }
      in.position(in.position() + 2);
      in.get(scratch, 0, length);
      if (length > 0) {
        sink.frame(this, scratch, length);
      }
    }
    in.compact();
    return n >= 0;
  }

  /** Queues one framed packet and writes what the socket takes now; false if it had to be dropped. */
  boolean send(byte[] packet, int offset, int length) throws IOException {
    if (!out.offer(packet, offset, length)) {
      return false;
    }
    flush();
    return true;
  }

  /** Writes queued bytes; asks the selector for writability only while some remain. */
  void flush() throws IOException {
    boolean done = out.drainTo(channel);
    int ops = done ? SelectionKey.OP_READ : SelectionKey.OP_READ | SelectionKey.OP_WRITE;
    if (key.isValid() && key.interestOps() != ops) {
      key.interestOps(ops);
    }
  }

  void close() {
    closed = true;
    key.cancel();
    try {
      channel.close();
    } catch (IOException ignored) {
      // already gone
    }
  }
}
