package uk.co.lchat.media.rtp;

/** Just enough of the H.264 (AVC) RTP payload format (RFC 6184) to find where a keyframe starts. */
public final class Avc {
  private static final int IDR = 5;
  private static final int SPS = 7;
  private static final int STAP_A = 24;
  private static final int FU_A = 28;

  private Avc() {}

  /**
   * True when the payload starts a keyframe: an IDR slice or the sequence parameter set that precedes one, alone
   * (RFC 6184 §5.6), inside a STAP-A aggregate (§5.7.1, where encoders put SPS, PPS and the IDR's start), or as
   * the first fragment of an FU-A (§5.8, S bit set).
   */
  public static boolean isKeyframeStart(byte[] buf, int payloadOffset, int payloadLength) {
    if (payloadLength < 1) {
      return false;
    }
    int end = payloadOffset + payloadLength;
    int type = buf[payloadOffset] & 0x1F;
    if (type == IDR || type == SPS) {
      return true;
    }
    if (type == FU_A) {
      if (payloadLength < 2) {
        return false;
      }
      int header = buf[payloadOffset + 1] & 0xFF;
      return (header & 0x80) != 0 && (header & 0x1F) == IDR;
    }
    if (type == STAP_A) {
      int pos = payloadOffset + 1;
      while (pos + 2 < end) {
        int size = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
        pos += 2;
        if (size == 0 || pos + size > end) {
          return false;
        }
        int nal = buf[pos] & 0x1F;
        if (nal == IDR || nal == SPS) {
          return true;
        }
        pos += size;
      }
    }
    return false;
  }
}
