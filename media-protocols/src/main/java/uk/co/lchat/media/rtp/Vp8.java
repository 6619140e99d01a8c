package uk.co.lchat.media.rtp;

/** Just enough of the VP8 RTP payload format (RFC 7741) to find where a keyframe starts, and its picture height. */
public final class Vp8 {
  private Vp8() {}

  /**
   * True when the payload is the first packet of a VP8 keyframe: start of partition 0 (S=1, PID=0) and the VP8
   * frame tag's inverse keyframe bit P clear (RFC 7741 §4.2, §4.3; RFC 6386 §9.1).
   */
  public static boolean isKeyframeStart(byte[] buf, int payloadOffset, int payloadLength) {
    int at = frameStart(buf, payloadOffset, payloadLength);
    return at >= 0 && (buf[at] & 0x01) == 0;
  }

  /**
   * The height in pixels of the keyframe this payload starts, or 0 when it starts none or is too short: a keyframe's
   * header follows the 3-byte frame tag as the start code 9d 01 2a, then width and height, 16 bits little-endian
   * each, of which the low 14 bits are the size and the top 2 a scaling hint (RFC 6386 §9.1, §19.1).
   */
  public static int keyframeHeight(byte[] buf, int payloadOffset, int payloadLength) {
    int at = frameStart(buf, payloadOffset, payloadLength);
    int end = payloadOffset + payloadLength;
    if (at < 0 || (buf[at] & 0x01) != 0 || at + 10 > end) {
      return 0;
    }
    if ((buf[at + 3] & 0xFF) != 0x9d || (buf[at + 4] & 0xFF) != 0x01 || (buf[at + 5] & 0xFF) != 0x2a) {
      return 0;
    }
    return ((buf[at + 8] & 0xFF) | ((buf[at + 9] & 0xFF) << 8)) & 0x3FFF;
  }

  /** Where the VP8 frame starts in a payload that starts partition 0 (S=1, PID=0) after its descriptor, or -1. */
  private static int frameStart(byte[] buf, int payloadOffset, int payloadLength) {
    if (payloadLength < 1) {
      return -1;
    }
    int end = payloadOffset + payloadLength;
    int b0 = buf[payloadOffset] & 0xFF;
    boolean start = (b0 & 0x10) != 0 && (b0 & 0x07) == 0;
    if (!start) {
      return -1;
    }
    int pos = payloadOffset + 1;
    if ((b0 & 0x80) != 0) { // X: extended control bits follow
      if (pos >= end) {
        return -1;
      }
      int x = buf[pos++] & 0xFF;
      if ((x & 0x80) != 0) { // I: PictureID, 7 or 15 bits
        if (pos >= end) {
          return -1;
        }
        pos += (buf[pos] & 0x80) != 0 ? 2 : 1;
      }
      if ((x & 0x40) != 0) { // L: TL0PICIDX
        pos++;
      }
      if ((x & 0x30) != 0) { // T or K: TID/Y/KEYIDX
        pos++;
      }
    }
    return pos < end ? pos : -1;
  }
}
