package uk.co.lchat.node.signaling;

import java.time.Duration;

import com.typesafe.config.Config;

/**
 * Limits of one signaling WebSocket ({@code lchat.http.max-message-bytes} and {@code lchat.http.ws}), read once at
 * boot: the size of a message, how fast a client may send, how much the node queues for a client that reads
 * slowly, and how long a participant whose connection dropped is kept for the client to resume it.
 */
public record SignalingSettings(int maxMessageBytes, double messagesPerSecond, int burst, int refusedBeforeClose,
                                int outboundMessages, long outboundBytes, Duration resumeGrace) {

  public SignalingSettings {
    if (messagesPerSecond <= 0 || burst < 1 || refusedBeforeClose < 0) {
      throw new IllegalArgumentException("lchat.http.ws: messages-per-second and burst must be positive,"
          + " refused-before-close at least 0");
    }
    if (outboundMessages < 1 || outboundBytes < maxMessageBytes) {
      throw new IllegalArgumentException("lchat.http.ws: outbound-messages must be positive and outbound-bytes at"
          + " least max-message-bytes");
    }
  }

  public static SignalingSettings fromConfig(Config root) {
    Config h = root.getConfig("lchat.http");
    Config ws = h.getConfig("ws");
    return new SignalingSettings(h.getInt("max-message-bytes"), ws.getDouble("messages-per-second"),
        ws.getInt("burst"), ws.getInt("refused-before-close"), ws.getInt("outbound-messages"),
        ws.getBytes("outbound-bytes"), ws.getDuration("resume-grace"));
  }

  /** The rate limit of one new socket. */
  MessageRateLimit newRateLimit(long nowNanos) {
    return new MessageRateLimit(messagesPerSecond, burst, refusedBeforeClose, nowNanos);
  }
}
