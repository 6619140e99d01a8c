package uk.co.lchat.media.rtp;

/** The RTCP feedback the router reads and writes: keyframe requests (PLI, FIR). */
public final class RtcpFeedback {
  public static final int PT_RTPFB = 205;
  public static final int PT_PSFB = 206;
  /** RFC 4585 §6.3.1. */
  public static final int FMT_PLI = 1;
  /** RFC 5104 §4.3.1. */
  public static final int FMT_FIR = 4;
  public static final int PLI_LENGTH = 12;

  private RtcpFeedback() {}

  /** Writes a PLI asking {@code mediaSsrc}'s sender for a keyframe; returns its length (12). */
  public static int writePli(byte[] buf, int off, long senderSsrc, long mediaSsrc) {
    buf[off] = (byte) (0x80 | FMT_PLI); // V=2, P=0, FMT=1
    buf[off + 1] = (byte) PT_PSFB;
    buf[off + 2] = 0;
    buf[off + 3] = 2; // length in 32-bit words minus one
    putU32(buf, off + 4, senderSsrc);
    putU32(buf, off + 8, mediaSsrc);
    return PLI_LENGTH;
  }

  /** Calls {@code sink} with the media SSRC of every PLI or FIR in a compound RTCP packet; stops at malformed data. */
  public static void forEachKeyframeRequest(byte[] buf, int off, int len, SsrcSink sink) {
    int pos = off;
    int end = off + len;
    while (pos + 4 <= end) {
      if (((buf[pos] & 0xC0) >>> 6) != 2) {
        return;
      }
      int fmt = buf[pos] & 0x1F;
      int pt = buf[pos + 1] & 0xFF;
      int length = (((buf[pos + 2] & 0xFF) << 8) | (buf[pos + 3] & 0xFF)) * 4 + 4;
      if (pos + length > end) {
        return;
      }
      if (pt == PT_PSFB && fmt == FMT_PLI && length >= 12) {
        sink.accept(u32(buf, pos + 8));
      } else if (pt == PT_PSFB && fmt == FMT_FIR && length >= 20) {
        // RFC 5104 §4.3.1.1: FCI entries of 8 bytes, SSRC first; the media SSRC field is unused.
        for (int fci = pos + 12; fci + 8 <= pos + length; fci += 8) {
          sink.accept(u32(buf, fci));
        }
      }
      pos += length;
    }
  }

  @FunctionalInterface
  public interface SsrcSink {
    void accept(long ssrc);
  }

  static long u32(byte[] b, int at) {
    return ((long) (b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
  }

  public static void putU32(byte[] b, int at, long v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }
}
