package uk.co.lchat.media.srtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SrtpSessionTest {
  static final HexFormat HEX = HexFormat.of();

  /** Sender and receiver of one direction sharing a master key and salt. */
  private static SrtpSession[] pair(SrtpProfile profile, byte[] key, byte[] salt) {
    byte[] otherKey = new byte[profile.keyLength];
    byte[] otherSalt = new byte[profile.saltLength];
    SrtpSession sender = new SrtpSession(new SrtpKeys(profile, key, salt, otherKey, otherSalt));
    SrtpSession receiver = new SrtpSession(new SrtpKeys(profile, otherKey, otherSalt, key, salt));
    return new SrtpSession[] {sender, receiver};
  }

  private static byte[] rtp(int seq, int payloadBytes) {
    byte[] p = new byte[12 + payloadBytes];
    p[0] = (byte) 0x80;
    p[1] = 96;
    p[2] = (byte) (seq >>> 8);
    p[3] = (byte) seq;
    p[8] = (byte) 0xCA;
    p[9] = (byte) 0xFE;
    p[10] = (byte) 0xBA;
    p[11] = (byte) 0xBE;
    for (int i = 12; i < p.length; i++) {
      p[i] = (byte) (i * 7);
    }
    return p;
  }

  /**
   * libsrtp's reference vector for AES_CM_128_HMAC_SHA1_80 (test/srtp_driver.c), whose master key and salt are
   * the ones of RFC 3711 Appendix B.3.
   */
  @Test
  void aesCmProtectsTheLibsrtpReferencePacketExactly() {
    byte[] key = HEX.parseHex("e1f97a0d3e018be0d64fa32c06de4139");
    byte[] salt = HEX.parseHex("0ec675ad498afeebb6960b3aabe6");
    byte[] plain = HEX.parseHex("800f1234decafbadcafebabe" + "ab".repeat(16));
    byte[] expected = HEX.parseHex(
        "800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb");
    SrtpSession[] s = pair(SrtpProfile.AES_CM_128_HMAC_SHA1_80, key, salt);
    PacketBuffer buf = new PacketBuffer().copyFrom(plain, 0, plain.length);
    assertEquals(SrtpResult.OK, s[0].protectRtp(buf));
    assertArrayEquals(expected, Arrays.copyOfRange(buf.getBuffer(), buf.getOffset(), buf.getOffset() + buf.getLength()));
    assertEquals(SrtpResult.OK, s[1].unprotectRtp(buf));
    assertArrayEquals(plain, Arrays.copyOf(buf.getBuffer(), buf.getLength()));
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void rtpRoundTripsAndGrowsByTheTag(SrtpProfile profile) {
    SrtpSession[] s = pair(profile, key(profile), salt(profile));
    for (int seq = 1; seq <= 50; seq++) {
      byte[] plain = rtp(seq, 1200);
      PacketBuffer buf = new PacketBuffer().copyFrom(plain, 0, plain.length);
      assertEquals(SrtpResult.OK, s[0].protectRtp(buf));
      assertEquals(plain.length + (profile == SrtpProfile.AEAD_AES_128_GCM ? 16 : 10), buf.getLength());
      assertEquals(SrtpResult.OK, s[1].unprotectRtp(buf));
      assertArrayEquals(plain, Arrays.copyOf(buf.getBuffer(), buf.getLength()));
    }
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void aTamperedPacketIsRejected(SrtpProfile profile) {
    SrtpSession[] s = pair(profile, key(profile), salt(profile));
    byte[] plain = rtp(7, 100);
    PacketBuffer buf = new PacketBuffer().copyFrom(plain, 0, plain.length);
    s[0].protectRtp(buf);
    buf.getBuffer()[40] ^= 1;
    assertEquals(SrtpResult.AUTH_FAIL, s[1].unprotectRtp(buf));
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void aReplayedPacketIsRejected(SrtpProfile profile) {
    SrtpSession[] s = pair(profile, key(profile), salt(profile));
    byte[] plain = rtp(9, 100);
    PacketBuffer buf = new PacketBuffer().copyFrom(plain, 0, plain.length);
    s[0].protectRtp(buf);
    byte[] onWire = Arrays.copyOf(buf.getBuffer(), buf.getLength());
    assertEquals(SrtpResult.OK, s[1].unprotectRtp(new PacketBuffer().copyFrom(onWire, 0, onWire.length)));
    assertEquals(SrtpResult.REPLAY, s[1].unprotectRtp(new PacketBuffer().copyFrom(onWire, 0, onWire.length)));
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void rtcpRoundTripsAndForgeriesFail(SrtpProfile profile) {
    SrtpSession[] s = pair(profile, key(profile), salt(profile));
    byte[] pli = new byte[12];
    uk.co.lchat.media.rtp.RtcpFeedback.writePli(pli, 0, 1, 0xCAFEBABEL);
    PacketBuffer buf = new PacketBuffer().copyFrom(pli, 0, pli.length);
    assertEquals(SrtpResult.OK, s[0].protectRtcp(buf));
    byte[] onWire = Arrays.copyOf(buf.getBuffer(), buf.getLength());
    PacketBuffer in = new PacketBuffer().copyFrom(onWire, 0, onWire.length);
    assertEquals(SrtpResult.OK, s[1].unprotectRtcp(in));
    assertArrayEquals(pli, Arrays.copyOf(in.getBuffer(), in.getLength()));
    PacketBuffer second = new PacketBuffer().copyFrom(pli, 0, pli.length);
    assertEquals(SrtpResult.OK, s[0].protectRtcp(second));
    second.getBuffer()[9] ^= 0x10;
    assertEquals(SrtpResult.AUTH_FAIL, s[1].unprotectRtcp(second));
  }

  @Test
  void dtlsKeyingMaterialIsSplitAsRfc5764Says() {
    SrtpProfile p = SrtpProfile.AES_CM_128_HMAC_SHA1_80;
    byte[] material = new byte[p.keyingMaterialLength()];
    for (int i = 0; i < material.length; i++) {
      material[i] = (byte) i;
    }
    SrtpKeys server = SrtpKeys.fromDtlsExport(p, material, true);
    SrtpKeys client = SrtpKeys.fromDtlsExport(p, material, false);
    assertArrayEquals(Arrays.copyOfRange(material, 16, 32), server.localKey());
    assertArrayEquals(Arrays.copyOfRange(material, 0, 16), server.remoteKey());
    assertArrayEquals(Arrays.copyOfRange(material, 46, 60), server.localSalt());
    assertArrayEquals(Arrays.copyOfRange(material, 32, 46), server.remoteSalt());
    assertArrayEquals(client.localKey(), server.remoteKey());
    assertArrayEquals(client.remoteSalt(), server.localSalt());
  }

  @Test
  void truncatedPacketsAreInvalidNotExceptions() {
    SrtpSession[] s = pair(SrtpProfile.AEAD_AES_128_GCM, key(SrtpProfile.AEAD_AES_128_GCM),
        salt(SrtpProfile.AEAD_AES_128_GCM));
    for (int len = 0; len < 16; len++) {
      assertEquals(SrtpResult.INVALID, s[1].unprotectRtp(new PacketBuffer().set(0, len)));
    }
  }

  /** Random and cut-short input never throws and never passes as authentic, whatever its first bytes claim. */
  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void randomPacketsAreRefusedWithoutExceptions(SrtpProfile profile) {
    SrtpSession[] s = pair(profile, key(profile), salt(profile));
    java.util.Random random = new java.util.Random(42);
    PacketBuffer buf = new PacketBuffer();
    for (int i = 0; i < 20_000; i++) {
      int len = random.nextInt(PacketBuffer.CAPACITY + 1);
      random.nextBytes(buf.getBuffer());
      buf.getBuffer()[0] = (byte) (0x80 | (buf.getBuffer()[0] & 0x3F)); // mostly claims to be RTP version 2
      buf.set(0, len);
      SrtpResult rtp = s[1].unprotectRtp(buf);
      assertTrue(rtp != SrtpResult.OK, "random RTP accepted at length " + len);
      buf.set(0, len);
      SrtpResult rtcp = s[1].unprotectRtcp(buf);
      assertTrue(rtcp != SrtpResult.OK, "random RTCP accepted at length " + len);
    }
    // A full buffer cannot grow by a tag: refused, not an exception.
    buf.set(0, PacketBuffer.CAPACITY);
    buf.getBuffer()[0] = (byte) 0x80;
    assertEquals(SrtpResult.INVALID, s[0].protectRtp(buf));
  }

  private static byte[] key(SrtpProfile p) {
    byte[] k = new byte[p.keyLength];
    Arrays.fill(k, (byte) 0x42);
    return k;
  }

  private static byte[] salt(SrtpProfile p) {
    byte[] s = new byte[p.saltLength];
    Arrays.fill(s, (byte) 0x17);
    return s;
  }
}
