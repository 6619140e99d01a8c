package uk.co.lchat.media.packet;

/** What arrived on the one media port, told apart by the first byte (RFC 7983 §7, RFC 5761 §4). */
public enum PacketKind {
  STUN, DTLS, RTP, RTCP, UNKNOWN;

  public static PacketKind of(byte[] buf, int off, int len) {
    if (len < 1) {
      return UNKNOWN;
    }
    int b = buf[off] & 0xFF;
    if (b <= 3) {
      return len >= 20 ? STUN : UNKNOWN;
    }
    if (b >= 20 && b <= 63) {
      return DTLS;
    }
    if (b >= 128 && b <= 191) {
      if (len < 4) {
        return UNKNOWN;
      }
      // RFC 5761 §4: RTCP packet types 192-223 sit where RTP has marker bit + payload type 64-95.
      int pt = buf[off + 1] & 0xFF;
      return pt >= 192 && pt <= 223 ? RTCP : RTP;
    }
    return UNKNOWN;
  }
}
