package uk.co.lchat.media.rtp;

/**
 * RTCP the router writes and reads (RFC 3550 §6.4): sender and receiver reports, SDES CNAME, and generic NACK
 * (RFC 4585 §6.2.1). Writers fill a caller's buffer; readers walk a compound packet and call a sink, never throwing
 * on malformed input.
 */
public final class RtcpReports {
  public static final int PT_SR = 200;
  public static final int PT_RR = 201;
  public static final int PT_SDES = 202;
  public static final int FMT_NACK = 1;
  private static final long NTP_EPOCH_OFFSET_SECONDS = 2_208_988_800L;

  private RtcpReports() {}

  /** The 64-bit NTP timestamp for a wall-clock time in milliseconds (RFC 5905 §6). */
  public static long ntp(long epochMillis) {
    long seconds = epochMillis / 1000 + NTP_EPOCH_OFFSET_SECONDS;
    long fraction = ((epochMillis % 1000) << 32) / 1000;
    return (seconds << 32) | fraction;
  }

  /** The middle 32 bits of an NTP timestamp, the unit of LSR and DLSR (1/65536 s). */
  public static long compactNtp(long ntp) {
    return (ntp >>> 16) & 0xFFFFFFFFL;
  }

  /** One report block (RFC 3550 §6.4.1). */
  public record Block(long ssrc, int fractionLost, int cumulativeLost, long highestSeq, long jitter, long lsr,
                      long dlsr) {}

  /** Writes a receiver report with the given blocks (at most 31); returns its length. */
  public static int writeReceiverReport(byte[] b, int off, long senderSsrc, Block... blocks) {
    int words = 1 + 6 * blocks.length;
    b[off] = (byte) (0x80 | blocks.length);
    b[off + 1] = (byte) PT_RR;
    putU16(b, off + 2, words);
    putU32(b, off + 4, senderSsrc);
    int pos = off + 8;
    for (Block block : blocks) {
      pos = writeBlock(b, pos, block);
    }
    return pos - off;
  }

  /** Writes a sender report without report blocks; returns its length (28). */
  public static int writeSenderReport(byte[] b, int off, long ssrc, long ntp, long rtpTimestamp, long packets,
      long octets) {
    b[off] = (byte) 0x80;
    b[off + 1] = (byte) PT_SR;
    putU16(b, off + 2, 6);
    putU32(b, off + 4, ssrc);
    putU32(b, off + 8, ntp >>> 32);
    putU32(b, off + 12, ntp);
    putU32(b, off + 16, rtpTimestamp);
    putU32(b, off + 20, packets);
    putU32(b, off + 24, octets);
    return 28;
  }

  /** Writes an SDES packet with one CNAME chunk (RFC 3550 §6.5); returns its length. */
  public static int writeSdesCname(byte[] b, int off, long ssrc, String cname) {
    byte[] name = cname.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    int itemBytes = 2 + name.length + 1; // CNAME item + END
    int chunk = 4 + ((itemBytes + 3) & ~3);
    b[off] = (byte) 0x81;
    b[off + 1] = (byte) PT_SDES;
    putU16(b, off + 2, chunk / 4);
    putU32(b, off + 4, ssrc);
    b[off + 8] = 1;
    b[off + 9] = (byte) name.length;
    System.arraycopy(name, 0, b, off + 10, name.length);
    for (int i = off + 10 + name.length; i < off + 4 + chunk; i++) {
      b[i] = 0;
    }
    return 4 + chunk;
  }

  /** Writes a generic NACK for {@code mediaSsrc} naming {@code seq} and the 16 after it set in {@code mask}. */
  public static int writeNack(byte[] b, int off, long senderSsrc, long mediaSsrc, int seq, int mask) {
    b[off] = (byte) (0x80 | FMT_NACK);
    b[off + 1] = (byte) RtcpFeedback.PT_RTPFB;
    putU16(b, off + 2, 3);
    putU32(b, off + 4, senderSsrc);
    putU32(b, off + 8, mediaSsrc);
    putU16(b, off + 12, seq);
    putU16(b, off + 14, mask);
    return 16;
  }

  /** The REMB application-layer feedback format (draft-alvestrand-rmcat-remb): PSFB with FMT 15. */
  public static final int FMT_REMB = 15;

  /**
   * Writes a REMB: the receiver's estimate of the bitrate it can take of {@code mediaSsrc}, in bits per second
   * (18-bit mantissa, 6-bit exponent); returns its length (24).
   */
  public static int writeRemb(byte[] b, int off, long senderSsrc, long bitrate, long mediaSsrc) {
    long mantissa = Math.max(0, bitrate);
    int exp = 0;
    while (mantissa > 0x3FFFF) {
      mantissa >>= 1;
      exp++;
    }
    b[off] = (byte) (0x80 | FMT_REMB);
    b[off + 1] = (byte) RtcpFeedback.PT_PSFB;
    putU16(b, off + 2, 5);
    putU32(b, off + 4, senderSsrc);
    putU32(b, off + 8, 0); // media source: unused, the SSRCs follow
    b[off + 12] = 'R';
    b[off + 13] = 'E';
    b[off + 14] = 'M';
    b[off + 15] = 'B';
    b[off + 16] = 1; // one SSRC
    b[off + 17] = (byte) ((exp << 2) | (int) (mantissa >>> 16));
    putU16(b, off + 18, (int) mantissa & 0xFFFF);
    putU32(b, off + 20, mediaSsrc);
    return 24;
  }

  private static int writeBlock(byte[] b, int pos, Block k) {
    putU32(b, pos, k.ssrc());
    b[pos + 4] = (byte) k.fractionLost();
    int lost = Math.max(-0x800000, Math.min(0x7FFFFF, k.cumulativeLost()));
    b[pos + 5] = (byte) (lost >> 16);
    b[pos + 6] = (byte) (lost >> 8);
    b[pos + 7] = (byte) lost;
    putU32(b, pos + 8, k.highestSeq());
    putU32(b, pos + 12, k.jitter());
    putU32(b, pos + 16, k.lsr());
    putU32(b, pos + 20, k.dlsr());
    return pos + 24;
  }

  /** What a compound packet holds, one callback per item. */
  public interface Sink {
    default void senderReport(long ssrc, long ntp, long rtpTimestamp, long packets, long octets) {}

    default void reportBlock(long reporterSsrc, int fractionLost, int cumulativeLost, long sourceSsrc, long jitter,
        long lsr, long dlsr) {}

    default void nack(long mediaSsrc, int seq) {}

    default void keyframeRequest(long mediaSsrc) {}

    /** A REMB: the sender of the report can take {@code bitrate} bits per second of {@code mediaSsrc}. */
    default void remb(long mediaSsrc, long bitrate) {}
  }

  /** Walks a compound RTCP packet; stops quietly at the first malformed part. */
  public static void read(byte[] b, int off, int len, Sink sink) {
    int pos = off;
    int end = off + len;
    while (pos + 4 <= end) {
      if (((b[pos] & 0xC0) >>> 6) != 2) {
        return;
      }
      int count = b[pos] & 0x1F;
      int pt = b[pos + 1] & 0xFF;
      int length = (u16(b, pos + 2) + 1) * 4;
      if (pos + length > end || length < 8) {
        return;
      }
      long ssrc = u32(b, pos + 4);
      int blocks = pos + 8;
      if (pt == PT_SR) {
        if (length < 28) {
          return;
        }
        sink.senderReport(ssrc, (u32(b, pos + 8) << 32) | u32(b, pos + 12), u32(b, pos + 16), u32(b, pos + 20),
            u32(b, pos + 24));
        blocks = pos + 28;
      }
      if (pt == PT_SR || pt == PT_RR) {
        for (int i = 0; i < count && blocks + 24 <= pos + length; i++, blocks += 24) {
          int lost = ((b[blocks + 5] << 16) | ((b[blocks + 6] & 0xFF) << 8) | (b[blocks + 7] & 0xFF));
          sink.reportBlock(ssrc, b[blocks + 4] & 0xFF, lost, u32(b, blocks), u32(b, blocks + 12),
              u32(b, blocks + 16), u32(b, blocks + 20));
        }
      } else if (pt == RtcpFeedback.PT_RTPFB && count == FMT_NACK && length >= 16) {
        long media = u32(b, pos + 8);
        for (int fci = pos + 12; fci + 4 <= pos + length; fci += 4) {
          int pid = u16(b, fci);
          int blp = u16(b, fci + 2);
          sink.nack(media, pid);
          for (int bit = 0; bit < 16; bit++) {
            if ((blp & (1 << bit)) != 0) {
              sink.nack(media, (pid + bit + 1) & 0xFFFF);
            }
          }
        }
      } else if (pt == RtcpFeedback.PT_PSFB && count == FMT_REMB && length >= 20 && b[pos + 12] == 'R'
          && b[pos + 13] == 'E' && b[pos + 14] == 'M' && b[pos + 15] == 'B') {
        int ssrcs = b[pos + 16] & 0xFF;
        long bitrate = ((long) ((b[pos + 17] & 0x03) << 16 | u16(b, pos + 18))) << ((b[pos + 17] & 0xFC) >>> 2);
        for (int i = 0; i < ssrcs && pos + 20 + 4 * i + 4 <= pos + length; i++) {
          sink.remb(u32(b, pos + 20 + 4 * i), bitrate);
        }
      } else if (pt == RtcpFeedback.PT_PSFB && count == RtcpFeedback.FMT_PLI && length >= 12) {
        sink.keyframeRequest(u32(b, pos + 8));
      } else if (pt == RtcpFeedback.PT_PSFB && count == RtcpFeedback.FMT_FIR && length >= 20) {
        for (int fci = pos + 12; fci + 8 <= pos + length; fci += 8) {
          sink.keyframeRequest(u32(b, fci));
        }
      }
      pos += length;
    }
  }

  static int u16(byte[] b, int at) {
    return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
  }

  static long u32(byte[] b, int at) {
    return ((long) (b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
  }

  static void putU16(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 8);
    b[at + 1] = (byte) v;
  }

  static void putU32(byte[] b, int at, long v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }
}
