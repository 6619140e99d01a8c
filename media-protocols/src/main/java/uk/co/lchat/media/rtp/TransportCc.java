package uk.co.lchat.media.rtp;

/**
 * Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1): for a
 * range of transport-wide sequence numbers, which packets arrived and when, so the sender's bandwidth estimator
 * can react. RTCP RTPFB, FMT 15.
 */
public final class TransportCc {
  public static final String EXTENSION_URI =
      "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
  public static final int FMT = 15;
  /** Receive deltas are in units of 250 microseconds; the reference time in units of 64 ms. */
  static final long DELTA_UNIT_NANOS = 250_000L;
  static final long REFERENCE_UNIT_NANOS = 64_000_000L;

  private TransportCc() {}

  /**
   * Writes one feedback packet covering {@code count} sequence numbers from {@code baseSeq}; {@code arrivals[i]} is
   * the arrival time in nanoseconds of {@code baseSeq + i}, or -1 if it has not arrived. Uses two-bit status vector
   * chunks only (7 packets each), which every receiver of the format understands. Returns the length written.
   */
  public static int write(byte[] b, int off, long senderSsrc, long mediaSsrc, int baseSeq, long[] arrivals,
      int count, int feedbackCount) {
    long first = -1;
    for (int i = 0; i < count; i++) {
      if (arrivals[i] >= 0) {
        first = arrivals[i];
        break;
      }
    }
    long referenceUnits = first < 0 ? 0 : first / REFERENCE_UNIT_NANOS;
    b[off + 1] = (byte) RtcpFeedback.PT_RTPFB;
    RtcpFeedback.putU32(b, off + 4, senderSsrc);
    RtcpFeedback.putU32(b, off + 8, mediaSsrc);
    b[off + 12] = (byte) (baseSeq >>> 8);
    b[off + 13] = (byte) baseSeq;
    b[off + 14] = (byte) (count >>> 8);
    b[off + 15] = (byte) count;
    b[off + 16] = (byte) (referenceUnits >>> 16);
    b[off + 17] = (byte) (referenceUnits >>> 8);
    b[off + 18] = (byte) referenceUnits;
    b[off + 19] = (byte) feedbackCount;
    int pos = off + 20;
    // First pass: symbols; second pass: deltas. Deltas follow all chunks.
    long previous = referenceUnits * REFERENCE_UNIT_NANOS;
    int chunks = (count + 6) / 7;
    int deltaPos = pos + chunks * 2;
    for (int c = 0; c < chunks; c++) {
      int chunk = 0xC000; // T=1 (status vector), S=1 (two-bit symbols)
      for (int k = 0; k < 7; k++) {
        int i = c * 7 + k;
        int symbol = 0;
        if (i < count && arrivals[i] >= 0) {
          long delta = Math.round((double) (arrivals[i] - previous) / DELTA_UNIT_NANOS);
          previous += delta * DELTA_UNIT_NANOS;
          if (delta >= 0 && delta <= 255) {
            symbol = 1;
            b[deltaPos++] = (byte) delta;
          } else {
            symbol = 2;
            long clamped = Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, delta));
            b[deltaPos++] = (byte) (clamped >>> 8);
            b[deltaPos++] = (byte) clamped;
          }
        }
        chunk |= symbol << (12 - 2 * k);
      }
      b[pos++] = (byte) (chunk >>> 8);
      b[pos++] = (byte) chunk;
    }
    int len = deltaPos - off;
    int padded = (len + 3) & ~3;
    for (int i = off + len; i < off + padded; i++) {
      b[i] = 0;
    }
    if (padded != len) {
      b[off + padded - 1] = (byte) (padded - len); // RFC 3550 §6.4.1 padding: last byte counts the padding
      b[off] = (byte) (0xA0 | FMT); // V=2, P=1
    } else {
      b[off] = (byte) (0x80 | FMT);
    }
    b[off + 2] = (byte) ((padded / 4 - 1) >>> 8);
    b[off + 3] = (byte) (padded / 4 - 1);
    return padded;
  }

  /** What {@link #read} reports: per sequence number, the arrival time relative to the reference, or absent. */
  public interface Sink {
    void packet(int seq, boolean received, long arrivalNanos);
  }

  /** Reads a feedback packet (any chunk kinds); returns false if it is malformed. */
  public static boolean read(byte[] b, int off, int len, Sink sink) {
    if (len < 20 || (b[off + 1] & 0xFF) != RtcpFeedback.PT_RTPFB || (b[off] & 0x1F) != FMT) {
      return false;
    }
    int end = off + len;
    if ((b[off] & 0x20) != 0) {
      end -= b[off + len - 1] & 0xFF;
    }
    int baseSeq = ((b[off + 12] & 0xFF) << 8) | (b[off + 13] & 0xFF);
    int count = ((b[off + 14] & 0xFF) << 8) | (b[off + 15] & 0xFF);
    long reference = ((b[off + 16] << 16) | ((b[off + 17] & 0xFF) << 8) | (b[off + 18] & 0xFF));
    int[] symbols = new int[count];
    int pos = off + 20;
    int n = 0;
    while (n < count) {
      if (pos + 2 > end) {
        return false;
      }
      int chunk = ((b[pos] & 0xFF) << 8) | (b[pos + 1] & 0xFF);
      pos += 2;
      if ((chunk & 0x8000) == 0) { // run length
        int symbol = (chunk >>> 13) & 3;
        int run = chunk & 0x1FFF;
        for (int i = 0; i < run && n < count; i++) {
          symbols[n++] = symbol;
        }
      } else if ((chunk & 0x4000) == 0) { // 14 one-bit symbols
        for (int i = 0; i < 14 && n < count; i++) {
          symbols[n++] = (chunk >>> (13 - i)) & 1;
        }
      } else { // 7 two-bit symbols
        for (int i = 0; i < 7 && n < count; i++) {
          symbols[n++] = (chunk >>> (12 - 2 * i)) & 3;
        }
      }
    }
    long time = reference * REFERENCE_UNIT_NANOS;
    for (int i = 0; i < count; i++) {
      int seq = (baseSeq + i) & 0xFFFF;
      if (symbols[i] == 1) {
        if (pos + 1 > end) {
          return false;
        }
        time += (b[pos++] & 0xFF) * DELTA_UNIT_NANOS;
        sink.packet(seq, true, time);
      } else if (symbols[i] == 2) {
        if (pos + 2 > end) {
          return false;
        }
        time += (short) (((b[pos] & 0xFF) << 8) | (b[pos + 1] & 0xFF)) * DELTA_UNIT_NANOS;
        pos += 2;
        sink.packet(seq, true, time);
      } else {
        sink.packet(seq, false, -1);
      }
    }
    return true;
  }
}
