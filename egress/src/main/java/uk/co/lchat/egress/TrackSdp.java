package uk.co.lchat.egress;

import java.util.Locale;

import uk.co.lchat.media.control.TrackInfo;

/**
 * The SDP file FFmpeg reads to receive one track as plain RTP on loopback (RFC 4566; RTP/AVP, no encryption,
 * RTCP on the next port, RFC 3550 §11).
 */
final class TrackSdp {
  private TrackSdp() {}

  /** Payload types the router uses towards the recorder: the usual WebRTC ones. */
  static int payloadType(TrackInfo t) {
    return t.isAudio() ? 111 : 96;
  }

  static String describe(TrackInfo t, int port) {
    String codec = t.codec().toUpperCase(Locale.ROOT).equals("OPUS") ? "opus" : t.codec();
    int pt = payloadType(t);
    StringBuilder sb = new StringBuilder()
        .append("v=0\r\n")
        .append("o=- 0 0 IN IP4 127.0.0.1\r\n")
        .append("s=lchat ").append(t.trackId()).append("\r\n")
        .append("c=IN IP4 127.0.0.1\r\n")
        .append("t=0 0\r\n")
        .append("m=").append(t.kind()).append(' ').append(port).append(" RTP/AVP ").append(pt).append("\r\n")
        .append("a=rtpmap:").append(pt).append(' ').append(codec).append('/').append(t.clockRate());
    if (t.isAudio()) {
      sb.append('/').append(Math.max(1, t.channels()));
    }
    sb.append("\r\n");
    if (t.fmtp() != null && !t.fmtp().isBlank()) {
      sb.append("a=fmtp:").append(pt).append(' ').append(t.fmtp()).append("\r\n");
    }
    return sb.append("a=recvonly\r\n").toString();
  }
}
