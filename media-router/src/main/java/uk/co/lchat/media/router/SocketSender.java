package uk.co.lchat.media.router;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;

import uk.co.lchat.media.srtp.PacketBuffer;

/**
 * Sends on the loop's sockets: to a transport's current path over the shared UDP port, or over its ICE-TCP
 * connection. Writes are batched: each is queued on its channel unflushed, and the loop flushes once per read
 * burst, per run of queued tasks and per tick, and here after every {@link #FLUSH_EVERY} writes, so that a burst
 * of fan-out leaves in few system calls (epoll's transport gives a flush of many datagrams to one sendmmsg). With
 * {@code batchSends} off every write is flushed at once: one system call per datagram, for comparison.
 *
 * <p>What the sockets have not taken yet is bounded ({@link #UDP_PENDING_LIMIT} for the UDP port,
 * {@link #TCP_PENDING_LIMIT} per connection): real-time media would rather lose a packet than queue seconds of
 * them. A packet over the bound is dropped at once; one the kernel refuses later is dropped when it refuses it
 * ({@link SendOutcome}); both count in {@link RouterCounters#sendDropped()}, and only what the socket took counts as
 * sent. Loop-owned, apart from {@link #sendDtls}.
 */
final class SocketSender implements PacketSender {
  static final int FLUSH_EVERY = 256;
  static final int UDP_PENDING_LIMIT = 2 * 1024 * 1024;
  static final int TCP_PENDING_LIMIT = 256 * 1024;

  private final Channel udp;
  private final ReceiveLoop loop;
  private final RouterCounters counters;
  private final boolean batchSends;
  private boolean udpUnflushed;
  /** Connections written to since the last flush. */
  private final List<IceTcpConnection> unflushedTcp = new ArrayList<>();
  private int writesSinceFlush;

  SocketSender(Channel udp, ReceiveLoop loop, boolean batchSends, RouterCounters counters) {
    this.udp = udp;
    this.loop = loop;
    this.batchSends = batchSends;
    this.counters = counters;
  }

  @Override
  public boolean send(PacketBuffer packet, Transport to) {
    return write(packet.getBuffer(), 0, packet.getLength(), to.remote, to.tcp, true);
  }

  /** A STUN message, over the connection it belongs to or over UDP. */
  void sendStun(byte[] message, InetSocketAddress to, IceTcpConnection via) {
    write(message, 0, message.length, to, via, false);
  }

  /**
   * A DTLS record from a handshake thread, to wherever ICE latched the endpoint when the loop sends it: the loop
   * owns the sockets' batches, so the record goes to it.
   */
  void sendDtls(Endpoint e, byte[] b, int o, int l) {
    if (e.closed) {
      return;
    }
    byte[] record = Arrays.copyOfRange(b, o, o + l);
    loop.enqueue(() -> {
      if (!e.closed && e.remote != null) {
        write(record, 0, record.length, e.remote, e.tcp, false);
      }
    });
  }

  /** Queues the bytes on the path's channel; false (and counted) when over its bound or nowhere to go. */
  private boolean write(byte[] b, int offset, int length, InetSocketAddress to, IceTcpConnection via,
      boolean media) {
    Channel channel;
    Object message;
    if (via != null) {
      if (!via.canTake(length)) {
        counters.sendDropped++;
        return false;
      }
      channel = via.channel;
      message = via.frame(b, offset, length);
      if (!via.unflushed) {
        via.unflushed = true;
        unflushedTcp.add(via);
      }
    } else {
      if (to == null || udp.bytesBeforeUnwritable() < length) {
        counters.sendDropped++;
        return false;
      }
      channel = udp;
      ByteBuf bytes = udp.alloc().directBuffer(length).writeBytes(b, offset, length);
      message = new DatagramPacket(bytes, to);
      udpUnflushed = true;
    }
    channel.write(message, new SendOutcome(channel, counters, length, media));
    if (!batchSends || ++writesSinceFlush >= FLUSH_EVERY) {
      flush();
    }
    return true;
  }

  /** Hands everything written since the last flush to the sockets. */
  void flush() {
    writesSinceFlush = 0;
    if (udpUnflushed) {
      udpUnflushed = false;
      udp.flush();
    }
    if (!unflushedTcp.isEmpty()) {
      for (int i = 0; i < unflushedTcp.size(); i++) {
        IceTcpConnection c = unflushedTcp.get(i);
        c.unflushed = false;
        c.channel.flush();
      }
      unflushedTcp.clear();
    }
  }
}
