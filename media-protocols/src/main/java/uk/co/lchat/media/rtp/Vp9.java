package uk.co.lchat.media.rtp;

/** Just enough of the VP9 RTP payload format (RFC 9628) to find where a keyframe starts, and its picture height. */
public final class Vp9 {
  private Vp9() {}

  /**
   * True when the payload is the first packet of a picture that is not inter-picture predicted: the descriptor's
   * B bit (start of a frame) set and its P bit clear (RFC 9628 §4.2). A simulcast layer has no spatial layers, so
   * such a picture is a keyframe.
   */
  public static boolean isKeyframeStart(byte[] buf, int payloadOffset, int payloadLength) {
    if (payloadLength < 1) {
      return false;
    }
    int b0 = buf[payloadOffset] & 0xFF;
    return (b0 & 0x08) != 0 && (b0 & 0x40) == 0;
  }

  /**
   * The height of the keyframe this payload starts, from the scalability structure (V bit) that senders put in a
   * keyframe's first packet (RFC 9628 §4.2.1: N_S, Y, then each spatial layer's width and height, 16 bits each);
   * the last spatial layer's, the one decoded. 0 when the payload starts no keyframe or carries no resolution.
   */
  public static int keyframeHeight(byte[] buf, int payloadOffset, int payloadLength) {
    if (!isKeyframeStart(buf, payloadOffset, payloadLength)) {
      return 0;
    }
    int end = payloadOffset + payloadLength;
    int b0 = buf[payloadOffset] & 0xFF;
    if ((b0 & 0x02) == 0) { // V: no scalability structure
      return 0;
    }
    int pos = payloadOffset + 1;
    if ((b0 & 0x80) != 0) { // I: picture id, 7 or 15 bits
      if (pos >= end) {
        return 0;
      }
      pos += (buf[pos] & 0x80) != 0 ? 2 : 1;
    }
    boolean flexible = (b0 & 0x10) != 0;
    if ((b0 & 0x20) != 0) { // L: layer indices, and TL0PICIDX in non-flexible mode
      pos += flexible ? 1 : 2;
    }
    if (flexible && (b0 & 0x40) != 0) { // P_DIFFs (none here: a keyframe is not predicted; kept for safety)
      while (pos < end && (buf[pos++] & 0x01) != 0) {
        // N: another P_DIFF follows
      }
    }
    if (pos >= end) {
      return 0;
    }
    int ss = buf[pos++] & 0xFF;
    int layers = (ss >>> 5) + 1;
    if ((ss & 0x10) == 0) { // Y: no resolutions
      return 0;
    }
    int last = pos + (layers - 1) * 4;
    if (last + 4 > end) {
      return 0;
    }
    return ((buf[last + 2] & 0xFF) << 8) | (buf[last + 3] & 0xFF);
  }
}
