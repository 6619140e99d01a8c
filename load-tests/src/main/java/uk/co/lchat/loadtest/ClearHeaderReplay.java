package uk.co.lchat.loadtest;

import java.util.HashMap;
import java.util.Map;

/**
 * The SRTP receiver's replay check (RFC 3711 §3.3.2) on sequence numbers alone, for packets the load tool counts
 * from their clear header without authenticating them. Decrypting every packet, the tool never counted a duplicate
 * twice nor a packet more than 64 behind the highest (SRTP refuses both); counting from headers must refuse exactly
 * the same packets, or a duplicate would make up for a lost packet in the loss figure. Per SSRC: the highest
 * extended index (rollover guessed as in §3.3.1) and a 64-packet window behind it. One receiver's reader thread
 * uses it.
 */
final class ClearHeaderReplay {
  static final int WINDOW = 64;

  private static final class Stream {
    long highest;
    long seen;
  }

  private final Map<Long, Stream> streams = new HashMap<>();

  /** True if the packet is new and is recorded; false for a replay or a packet too old to tell. */
  boolean accept(long ssrc, int seq) {
    Stream s = streams.get(ssrc);
    if (s == null) {
      s = new Stream();
      s.highest = seq;
      s.seen = 1;
      streams.put(ssrc, s);
      return true;
    }
    long index = index(s.highest, seq);
    long behind = s.highest - index;
    if (behind >= 0 && (behind >= WINDOW || (s.seen & (1L << behind)) != 0)) {
      return false;
    }
    if (behind < 0) {
      long ahead = -behind;
      s.seen = ahead >= WINDOW ? 1 : (s.seen << ahead) | 1;
      s.highest = index;
    } else {
      s.seen |= 1L << behind;
    }
    return true;
  }

  /** RFC 3711 §3.3.1: the index of {@code seq} guessed from the highest so far (ROC·2^16 + SEQ). */
  private static long index(long highest, int seq) {
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
}
