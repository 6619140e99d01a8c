package uk.co.lchat.media.router;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.ArrayDeque;
import java.util.Arrays;

import uk.co.lchat.media.srtp.PacketBuffer;

/**
 * Sends on the loop's sockets: to a transport's current path over the shared UDP port, or over its ICE-TCP
 * connection. When the UDP socket is momentarily full the packet waits in the transport's send queue (and so do the
 * ones after it, to keep order) until the socket is writable again. Media goes from the loop's one send buffer, so
 * sending allocates nothing; STUN and DTLS, rare, may.
 */
final class SocketSender implements PacketSender {
  private final DatagramChannel channel;
  private final SelectionKey udpKey;
  private final ReceiveLoop loop;
  private final RouterCounters counters;
  /** The loop's send buffer, and a ByteBuffer over the same bytes for the channel. */
  private final PacketBuffer tx;
  private final ByteBuffer txBytes;
  /** Transports whose UDP send queue holds packets, in the order they filled up. Loop-owned. */
  private final ArrayDeque<Transport> udpBacklog = new ArrayDeque<>();

  SocketSender(DatagramChannel channel, SelectionKey udpKey, ReceiveLoop loop, PacketBuffer tx,
      RouterCounters counters) {
    this.channel = channel;
    this.udpKey = udpKey;
    this.loop = loop;
    this.tx = tx;
    this.txBytes = ByteBuffer.wrap(tx.getBuffer());
    this.counters = counters;
  }

  @Override
  public boolean send(PacketBuffer packet, Transport to) {
    byte[] b = packet.getBuffer();
    int len = packet.getLength();
    IceTcpConnection c = to.tcp;
    try {
      boolean ok;
      if (c != null) {
        ok = c.send(b, 0, len);
      } else if (!to.udpQueue.isEmpty()) {
        ok = to.udpQueue.offer(b, 0, len);
      } else {
        ByteBuffer bytes = packet == tx ? txBytes : ByteBuffer.wrap(b);
        bytes.clear().limit(len);
        ok = channel.send(bytes, to.remote) > 0;
        if (!ok && to.udpQueue.offer(b, 0, len)) {
          ok = true;
          counters.sendQueued++;
          if (!to.inUdpBacklog) {
            to.inUdpBacklog = true;
            udpBacklog.add(to);
            udpKey.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
          }
        }
      }
      if (ok) {
        counters.packetsSent++;
        counters.bytesSent += len;
      } else {
        counters.sendDropped++;
      }
      return ok;
    } catch (IOException e) {
      counters.sendDropped++;
      if (c != null) {
        loop.closeTcp(c);
      }
      return false;
    }
  }

  /** Sends queued datagrams, oldest transport first, until the socket is full again. */
  void drainBacklog() {
    if (udpBacklog.isEmpty()) {
      return;
    }
    while (!udpBacklog.isEmpty()) {
      Transport t = udpBacklog.peek();
      InetSocketAddress to = t.remote;
      if (!t.closed && t.tcp == null && to != null) {
        try {
          t.udpQueue.drainTo(channel, to);
        } catch (IOException ex) {
          t.udpQueue.clear();
        }
        if (!t.udpQueue.isEmpty()) {
          return; // the socket is full: wait for OP_WRITE
        }
      } else {
        t.udpQueue.clear();
      }
      t.inUdpBacklog = false;
      udpBacklog.poll();
    }
    udpKey.interestOps(SelectionKey.OP_READ);
  }

  /** A STUN message, over the connection it belongs to or over UDP. */
  void sendStun(byte[] message, InetSocketAddress to, IceTcpConnection via) {
    try {
      if (via != null) {
        via.send(message, 0, message.length);
      } else {
        channel.send(ByteBuffer.wrap(message), to);
      }
    } catch (IOException e) {
      counters.sendDropped++;
      if (via != null) {
        loop.closeTcp(via);
      }
    }
  }

  /** A DTLS record from a handshake thread, to wherever ICE latched the endpoint. */
  void sendDtls(Endpoint e, byte[] b, int o, int l) throws IOException {
    InetSocketAddress to = e.remote;
    IceTcpConnection c = e.tcp;
    if (to == null || e.closed) {
      return;
    }
    if (c != null) {
      // TCP streams are written only by the loop thread, which owns the connection's queue.
      byte[] record = Arrays.copyOfRange(b, o, o + l);
      loop.enqueue(() -> {
        if (!c.closed) {
          try {
            c.send(record, 0, record.length);
          } catch (IOException ex) {
            loop.closeTcp(c);
          }
        }
      });
    } else {
      channel.send(ByteBuffer.wrap(b, o, l), to);
    }
  }
}
