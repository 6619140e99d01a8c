package uk.co.lchat.media.dtls;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.bouncycastle.tls.DatagramTransport;

/**
 * The datagram side of one DTLS association: the router's receive loop offers DTLS records, the handshake thread
 * takes them; sends go out through the router's socket to the endpoint's current address.
 */
public final class PacketQueueTransport implements DatagramTransport {
  /** Where DTLS records go out. */
  public interface Sender {
    void send(byte[] buf, int off, int len) throws IOException;
  }

  private static final int MTU = 1200;
  /** Put in the queue by {@link #close} so that a receive waiting for the next record returns at once. */
  private static final byte[] CLOSED = new byte[0];
  private final BlockingQueue<byte[]> inbound = new ArrayBlockingQueue<>(64);
  private final Sender sender;
  private volatile boolean closed;

  public PacketQueueTransport(Sender sender) {
    this.sender = sender;
  }

  /** Called by the receive loop; drops the record when the handshake thread falls behind (DTLS retransmits). */
  public boolean offer(byte[] buf, int off, int len) {
    if (closed) {
      return false;
    }
    byte[] copy = new byte[len];
    System.arraycopy(buf, off, copy, 0, len);
    return inbound.offer(copy);
  }

  @Override
  public int getReceiveLimit() {
    return 1500;
  }

  @Override
  public int getSendLimit() {
    return MTU;
  }

  @Override
  public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
    if (closed) {
      throw new IOException("DTLS transport closed");
    }
    try {
      // BouncyCastle's DatagramReceiver contract: a wait of zero is no timeout at all.
      byte[] p = waitMillis == 0 ? inbound.take() : inbound.poll(waitMillis, TimeUnit.MILLISECONDS);
      if (p == CLOSED || closed) {
        throw new IOException("DTLS transport closed");
      }
      if (p == null) {
        return -1;
      }
      int n = Math.min(len, p.length);
      System.arraycopy(p, 0, buf, off, n);
      return n;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted");
    }
  }

  @Override
  public void send(byte[] buf, int off, int len) throws IOException {
    if (closed) {
      throw new IOException("DTLS transport closed");
    }
    sender.send(buf, off, len);
  }

  @Override
  public void close() {
    closed = true;
    // Wakes a receive that waits; records still queued are of no use any more.
    while (!inbound.offer(CLOSED)) {
      inbound.poll();
    }
  }

  public boolean isClosed() {
    return closed;
  }
}
