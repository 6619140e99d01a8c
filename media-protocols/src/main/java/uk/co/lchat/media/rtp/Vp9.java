package uk.co.lchat.media.rtp;

/** Just enough of the VP9 RTP payload format (RFC 9628) to find where a keyframe starts. */
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
}
