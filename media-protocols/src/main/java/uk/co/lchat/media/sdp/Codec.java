package uk.co.lchat.media.sdp;

import java.util.List;

/** One payload format of an m-line: rtpmap, fmtp and rtcp-fb (RFC 8866 §6.6, RFC 4585 §4.2). */
public record Codec(int payloadType, String name, int clockRate, int channels, String fmtp, List<String> feedback) {
  public Codec {
    feedback = List.copyOf(feedback);
  }

  public boolean is(String codecName) {
    return name.equalsIgnoreCase(codecName);
  }

  public Codec withPayloadType(int pt) {
    return new Codec(pt, name, clockRate, channels, fmtp, feedback);
  }

  public Codec withFeedback(List<String> fb) {
    return new Codec(payloadType, name, clockRate, channels, fmtp, fb);
  }
}
