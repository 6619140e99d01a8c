package uk.co.lchat.media.rtp;

/** Just enough of the VP8 RTP payload format (RFC 7741) to find where a keyframe starts. */
public final class Vp8 {
  private Vp8() {}

  /**
   * True when the payload is the first packet of a VP8 keyframe: start of partition 0 (S=1, PID=0) and the VP8
   * frame tag's inverse keyframe bit P clear (RFC 7741 §4.2, §4.3; RFC 6386 §9.1).
   */
  public static boolean isKeyframeStart(byte[] buf, int payloadOffset, int payloadLength) {
    if (payloadLength < 1) {
      return false;
    }
    int end = payloadOffset + payloadLength;
    int b0 = buf[payloadOffset] & 0xFF;
    boolean start = (b0 & 0x10) != 0 && (b0 & 0x07) == 0;
    if (!start) {
      return false;
    }
    int pos = payloadOffset + 1;
    if ((b0 & 0x80) != 0) { // X: extended control bits follow
      if (pos >= end) {
        return false;
      }
      int x = buf[pos++] & 0xFF;
      if ((x & 0x80) != 0) { // I: PictureID, 7 or 15 bits
        if (pos >= end) {
          return false;
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
    return pos < end && (buf[pos] & 0x01) == 0;
  }
}
