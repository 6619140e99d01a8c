package uk.co.lchat.node.signaling;

import java.util.concurrent.atomic.AtomicLong;

/** Signaling WebSocket traffic of this node, read by the statistics. */
public final class SignalingCounters {
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong connections = new AtomicLong();

  void messageReceived() {
    received.incrementAndGet();
  }

  void messageSent() {
    sent.incrementAndGet();
  }

  void connectionOpened() {
    connections.incrementAndGet();
  }

  void connectionClosed() {
    connections.decrementAndGet();
  }

  public long messagesReceived() {
    return received.get();
  }

  public long messagesSent() {
    return sent.get();
  }

  public long openConnections() {
    return connections.get();
  }
}
