package uk.co.lchat.media.srtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

/** RFC 7714 §16 and §17 test vectors for AEAD_AES_128_GCM, from session keys (no key derivation). */
class GcmContextTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] KEY = HEX.parseHex("000102030405060708090a0b0c0d0e0f");
  private static final byte[] SALT = HEX.parseHex("517569642070726f2071756f");

  /** §16.1.1: SSRC 0x5501a0b2, SEQ 0xf17b, ROC 0, "Gallia est omnis divisa in partes tres". */
  private static final byte[] RTP = HEX.parseHex("8040f17b8041f8d35501a0b2"
      + "47616c6c696120657374206f6d6e69732064697669736120696e207061727465732074726573");
  private static final byte[] SRTP = HEX.parseHex("8040f17b8041f8d35501a0b2"
      + "f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f42a5f47a51c7d19b36de3adf8833"
      + "899d7f27beb16a9152cf765ee4390cce");

  /** §17.1: a sender report from SSRC "Mars", SRTCP index 0x5d4, encrypted. */
  private static final byte[] RTCP = HEX.parseHex("81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61"
      + "deadbeefdeadbeefdeadbeefdeadbeefdeadbeef");
  private static final byte[] SRTCP = HEX.parseHex("81c8000d4d61727363e94885dcdab67ca727d7662f6b7e997ff5c0f76c06f32d"
      + "c676a5f1730d6fda4ce09b4686303ded0bb9275bc84aa45896cf4d2fc5abf87245d9eade800005d4");

  private static GcmContext context() throws Exception {
    return new GcmContext(KEY, SALT, KEY, SALT);
  }

  private static byte[] bytes(PacketBuffer p) {
    return Arrays.copyOfRange(p.getBuffer(), p.getOffset(), p.getOffset() + p.getLength());
  }

  @Test
  void protectsTheRfc7714RtpPacketExactly() throws Exception {
    PacketBuffer p = new PacketBuffer().copyFrom(RTP, 0, RTP.length);
    assertEquals(SrtpResult.OK, context().protectRtp(p));
    assertArrayEquals(SRTP, bytes(p));
  }

  @Test
  void unprotectsTheRfc7714RtpPacketAndRefusesItTwice() throws Exception {
    GcmContext receiver = context();
    PacketBuffer p = new PacketBuffer().copyFrom(SRTP, 0, SRTP.length);
    assertEquals(SrtpResult.OK, receiver.unprotectRtp(p));
    assertArrayEquals(RTP, bytes(p));
    assertEquals(SrtpResult.REPLAY, receiver.unprotectRtp(new PacketBuffer().copyFrom(SRTP, 0, SRTP.length)));
  }

  @Test
  void anyFlippedBitOfTheRfc7714PacketFailsAuthentication() throws Exception {
    // From octet 1 on: flips in octet 0 can make it not RTP at all, which is a different refusal.
    for (int bit = 8; bit < SRTP.length * 8; bit += 7) {
      byte[] forged = SRTP.clone();
      forged[bit / 8] ^= (byte) (1 << (bit % 8));
      PacketBuffer p = new PacketBuffer().copyFrom(forged, 0, forged.length);
      assertEquals(SrtpResult.AUTH_FAIL, context().unprotectRtp(p), "bit " + bit);
    }
  }

  @Test
  void sealsTheRfc7714RtcpPacketExactly() throws Exception {
    byte[] b = new byte[PacketBuffer.CAPACITY];
    System.arraycopy(RTCP, 0, b, 0, RTCP.length);
    int len = context().sealRtcp(b, 0, RTCP.length, 0x4d617273, 0x5d4);
    assertArrayEquals(SRTCP, Arrays.copyOf(b, len));
  }

  @Test
  void unprotectsTheRfc7714RtcpPacket() throws Exception {
    GcmContext receiver = context();
    PacketBuffer p = new PacketBuffer().copyFrom(SRTCP, 0, SRTCP.length);
    assertEquals(SrtpResult.OK, receiver.unprotectRtcp(p));
    assertArrayEquals(RTCP, bytes(p));
    assertEquals(SrtpResult.REPLAY, receiver.unprotectRtcp(new PacketBuffer().copyFrom(SRTCP, 0, SRTCP.length)));
    byte[] forged = SRTCP.clone();
    forged[forged.length - 1] ^= 1;
    assertEquals(SrtpResult.AUTH_FAIL, context().unprotectRtcp(new PacketBuffer().copyFrom(forged, 0, forged.length)));
  }

  /** §17.3: E = 0, the packet travels in clear and only the tag protects it. */
  @Test
  void acceptsTheRfc7714AuthenticationOnlyRtcpPacket() throws Exception {
    byte[] tagged = HEX.parseHex("81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61"
        + "deadbeefdeadbeefdeadbeefdeadbeefdeadbeef" + "841dd9683dd78ec92ae58790125f62b3" + "000005d4");
    PacketBuffer p = new PacketBuffer().copyFrom(tagged, 0, tagged.length);
    assertEquals(SrtpResult.OK, context().unprotectRtcp(p));
    assertArrayEquals(RTCP, bytes(p));
  }
}
