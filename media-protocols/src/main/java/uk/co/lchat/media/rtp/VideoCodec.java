package uk.co.lchat.media.rtp;

/**
 * The video codecs whose keyframes the router can find in RTP payloads, to switch simulcast layers at one, and whose
 * keyframes tell each layer's picture height.
 */
public enum VideoCodec {
  VP8, VP9, H264, OTHER;

  /** By its SDP encoding name (case does not matter). */
  public static VideoCodec of(String name) {
    return switch (name.toUpperCase(java.util.Locale.ROOT)) {
      case "VP8" -> VP8;
      case "VP9" -> VP9;
      case "H264" -> H264;
      default -> OTHER;
    };
  }

  /** Whether the payload starts a keyframe; never for a codec we cannot read. */
  public boolean isKeyframeStart(byte[] buf, int payloadOffset, int payloadLength) {
    return switch (this) {
      case VP8 -> Vp8.isKeyframeStart(buf, payloadOffset, payloadLength);
      case VP9 -> Vp9.isKeyframeStart(buf, payloadOffset, payloadLength);
      case H264 -> Avc.isKeyframeStart(buf, payloadOffset, payloadLength);
      case OTHER -> false;
    };
  }

  /**
   * The picture height (pixels) of the keyframe this payload starts, as the codec's own header gives it (VP8's
   * keyframe header, VP9's scalability structure, H.264's sequence parameter set); 0 when it gives none.
   */
  public int keyframeHeight(byte[] buf, int payloadOffset, int payloadLength) {
    return switch (this) {
      case VP8 -> Vp8.keyframeHeight(buf, payloadOffset, payloadLength);
      case VP9 -> Vp9.keyframeHeight(buf, payloadOffset, payloadLength);
      case H264 -> Avc.keyframeHeight(buf, payloadOffset, payloadLength);
      case OTHER -> 0;
    };
  }
}
