package uk.co.lchat.node.signaling;

import java.util.concurrent.atomic.AtomicLong;

/** Signaling WebSocket traffic of this node, read by the statistics. */
public final class SignalingCounters {
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong connections = new AtomicLong();
  private final AtomicLong rateLimited = new AtomicLong();
  private final AtomicLong closedForFlooding = new AtomicLong();
  private final AtomicLong outboundDropped = new AtomicLong();
  private final AtomicLong originsRefused = new AtomicLong();

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

  void messageRateLimited() {
    rateLimited.incrementAndGet();
  }

  void socketClosedForFlooding() {
    closedForFlooding.incrementAndGet();
  }

  void outboundDropped(long messages) {
    if (messages > 0) {
      outboundDropped.addAndGet(messages);
    }
  }

  /** A WebSocket upgrade from a foreign browser origin was refused (403). */
  public void originRefused() {
    originsRefused.incrementAndGet();
  }

  /** Messages dropped because their socket was over its rate limit ({@code rate_limited}). */
  public long messagesRateLimited() {
    return rateLimited.get();
  }

  /** Sockets closed because they kept sending over the rate limit. */
  public long socketsClosedForFlooding() {
    return closedForFlooding.get();
  }

  /** Relayed messages ({@code peer}, {@code chat}) dropped for clients that read too slowly. */
  public long outboundMessagesDropped() {
    return outboundDropped.get();
  }

  /** WebSocket upgrades refused for their {@code Origin}. */
  public long originsRefused() {
    return originsRefused.get();
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
