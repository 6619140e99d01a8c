package uk.co.lchat.loadtest.bench;

import uk.co.lchat.media.srtp.PacketBuffer;

/** The video packet the benchmarks' publisher sends, in the clear, before it protects it. */
final class PublisherPackets {
  private PublisherPackets() {}

  /**
   * Writes a VP8 RTP packet (RFC 3550 header: payload type 96, SSRC 0x11223344) with sequence number
   * {@code seq} (its low 16 bits), a 90 kHz timestamp of {@code (seq + 1) * 3000} and {@code payload} into {@code buf}.
   */
  static void write(PacketBuffer buf, int seq, byte[] payload) {
    byte[] b = buf.getBuffer();
    b[0] = (byte) 0x80;
    b[1] = 96;
    int s = seq & 0xFFFF;
    b[2] = (byte) (s >>> 8);
    b[3] = (byte) s;
    int ts = (seq + 1) * 3000;
    b[4] = (byte) (ts >>> 24);
    b[5] = (byte) (ts >>> 16);
    b[6] = (byte) (ts >>> 8);
    b[7] = (byte) ts;
    b[8] = 0x11;
    b[9] = 0x22;
    b[10] = 0x33;
    b[11] = 0x44;
    System.arraycopy(payload, 0, b, 12, payload.length);
    buf.set(0, 12 + payload.length);
  }
}
