package uk.co.lchat.media.router;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;

/**
 * Packets waiting to go to one endpoint because the socket could not take them at once: a bounded byte queue of
 * length-prefixed packets. The prefix is RFC 4571 framing (a 16-bit length before each packet), so for ICE-TCP the
 * queue's bytes are exactly the stream to write; for UDP each entry becomes one datagram. Allocated on first use and
 * owned by the router's loop thread; when full, new packets are dropped (real-time media would rather lose a packet
 * than queue seconds of them).
 */
final class SendQueue {
  static final int CAPACITY = 256 * 1024;
  private ByteBuffer bytes;
  long dropped;

  boolean isEmpty() {
    return bytes == null || bytes.position() == 0;
  }

  /** Queues a packet; false (and counted) when it does not fit. */
  boolean offer(byte[] packet, int offset, int length) {
    if (bytes == null) {
      bytes = ByteBuffer.allocate(CAPACITY);
    }
    if (length > 0xFFFF || bytes.remaining() < length + 2) {
      dropped++;
      return false;
    }
    bytes.putShort((short) length).put(packet, offset, length);
    return true;
  }

  /** Writes as much of the stream as the socket takes; true when everything went. */
  boolean drainTo(SocketChannel channel) throws IOException {
    if (isEmpty()) {
      return true;
    }
    bytes.flip();
    try {
      channel.write(bytes);
      return !bytes.hasRemaining();
    } finally {
      bytes.compact();
    }
  }

  /** Sends whole queued datagrams until the socket refuses one; returns how many went. */
  int drainTo(DatagramChannel channel, InetSocketAddress to) throws IOException {
    if (isEmpty()) {
      return 0;
    }
    bytes.flip();
    int sent = 0;
    try {
      while (bytes.remaining() >= 2) {
        int start = bytes.position();
        int length = bytes.getShort() & 0xFFFF;
        ByteBuffer datagram = bytes.slice(bytes.position(), length);
        if (channel.send(datagram, to) == 0) {
          bytes.position(start);
          break;
        }
        bytes.position(bytes.position() + length);
        sent++;
      }
      return sent;
    } finally {
      bytes.compact();
    }
  }

  /** Forgets what is queued (the endpoint moved to another address or transport). */
  void clear() {
    if (bytes != null) {
      bytes.clear();
    }
  }
}
