package uk.co.lchat.media.srtp;

/**
 * The packet indexes seen on one SRTP or SRTCP stream: the highest, and which of the {@value #SIZE} before it
 * (RFC 3711 §3.3.2). For RTP the index is ROC·2^16 + SEQ, so the highest index also holds the rollover counter and
 * the s_l of RFC 3711 §3.3.1. A sender keeps one too, to count its own rollovers. Public for the load tool, which
 * applies the same check to packets it counts from their clear header without authenticating them.
 */
public final class ReplayWindow {
  public static final int SIZE = 64;

  private boolean started;
  private long highest;
  /** Bit i set: index {@code highest - i} was accepted. */
  private long seen;

  /** Whether this index was accepted before or is too old to tell. */
  public boolean isReplay(long index) {
    if (!started) {
      return false;
    }
    long behind = highest - index;
    if (behind < 0) {
      return false;
    }
    return behind >= SIZE || (seen & (1L << behind)) != 0;
  }

  /** Records an index whose packet authenticated (receiver) or was sent (sender). */
  public void accept(long index) {
    if (!started) {
      started = true;
      highest = index;
      seen = 1;
      return;
    }
    long ahead = index - highest;
    if (ahead > 0) {
      seen = ahead >= SIZE ? 1 : (seen << ahead) | 1;
      highest = index;
    } else if (-ahead < SIZE) {
      seen |= 1L << -ahead;
    }
  }

  /**
   * RFC 3711 §3.3.1: the index of an RTP packet with this sequence number, guessing its rollover counter from the
   * highest index so far. The first packet of a stream has ROC 0. A guess below zero (a packet from before the
   * stream's first) is negative, which {@link #isReplay} treats as too old.
   */
  public long rtpIndex(int seq) {
    if (!started) {
      return seq;
    }
    long roc = highest >> 16;
    int last = (int) (highest & 0xFFFF);
    long v;
    if (last < 0x8000) {
      v = seq - last > 0x8000 ? roc - 1 : roc;
    } else {
      v = last - 0x8000 > seq ? roc + 1 : roc;
    }
    return (v << 16) | seq;
  }

  /** A sender's next SRTCP index (RFC 3711 §3.4: counts packets from 0, 31 bits, then starts again). */
  int nextRtcpIndex() {
    highest = started ? (highest + 1) & 0x7FFF_FFFFL : 0;
    started = true;
    return (int) highest;
  }
}
