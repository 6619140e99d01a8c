package uk.co.lchat.node.signaling;

/**
 * A token bucket over one socket's incoming messages: {@code burst} messages at once, then {@code perSecond} on
 * average. Messages over the limit are refused; a client that keeps sending while refused is closed, so a member
 * cannot flood a room (or one member of it) through the node.
 *
 * <p>A client counts as calm again once its bucket has refilled completely: only then is its count of refused
 * messages forgotten, so a client that stays just above the rate is still closed in the end.
 */
public final class MessageRateLimit {

  /** What to do with one incoming message. */
  public enum Verdict {
    /** Within the limit: handle it. */
    ACCEPT,
    /** The first message refused since the client was last calm: drop it and tell the client why. */
    REFUSE_AND_WARN,
    /** Refused again: drop it without another answer (the client was told). */
    REFUSE,
    /** Refused more than {@code refusedBeforeClose} times without calming down: close the sender's socket. */
    CLOSE
  }

  private final double perNano;
  private final int burst;
  private final int refusedBeforeClose;
  private double tokens;
  private long last;
  private int refused;

  public MessageRateLimit(double perSecond, int burst, int refusedBeforeClose, long nowNanos) {
    this.perNano = perSecond / 1e9;
    this.burst = burst;
    this.refusedBeforeClose = refusedBeforeClose;
    this.tokens = burst;
    this.last = nowNanos;
  }

  public Verdict admit(long nowNanos) {
    long elapsed = Math.max(0, nowNanos - last);
    last = nowNanos;
    tokens = Math.min(burst, tokens + elapsed * perNano);
    if (tokens >= burst) {
      refused = 0;
    }
    if (tokens >= 1) {
      tokens -= 1;
      return Verdict.ACCEPT;
    }
    refused++;
    if (refused > refusedBeforeClose) {
      return Verdict.CLOSE;
    }
    return refused == 1 ? Verdict.REFUSE_AND_WARN : Verdict.REFUSE;
  }
}
