package uk.co.lchat.media.srtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.security.SecureRandom;
import java.util.Arrays;

import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.srtp.SrtpPolicy;
import org.jitsi.utils.logging2.LoggerImpl;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Our SRTP against an independent implementation, jitsi-srtp (which browsers talk to in Jitsi Videobridge): each
 * protects what the other unprotects, with the same master keys, for RTP across a sequence number wrap (the rollover
 * counter goes into the IV or the tag) and for RTCP. This checks key derivation and packet layout of both profiles.
 */
class JitsiSrtpTest {
  private static final int SSRC = 0x1234_5678;

  private static SrtpPolicy policy(SrtpProfile p) {
    return switch (p) {
      case AES_CM_128_HMAC_SHA1_80 -> new SrtpPolicy(SrtpPolicy.AESCM_ENCRYPTION, p.keyLength,
          SrtpPolicy.HMACSHA1_AUTHENTICATION, 20, 10, p.saltLength);
      case AEAD_AES_128_GCM -> new SrtpPolicy(SrtpPolicy.AESGCM_ENCRYPTION, p.keyLength,
          SrtpPolicy.NULL_AUTHENTICATION, 0, 16, p.saltLength);
    };
  }

  private static SrtpContextFactory jitsi(SrtpProfile p, byte[] key, byte[] salt, boolean sender) {
    return new SrtpContextFactory(sender, key, salt, policy(p), policy(p), new LoggerImpl("jitsi-srtp"));
  }

  private static byte[][] master(SrtpProfile p) {
    SecureRandom random = new SecureRandom();
    byte[] key = new byte[p.keyLength];
    byte[] salt = new byte[p.saltLength];
    random.nextBytes(key);
    random.nextBytes(salt);
    return new byte[][] {key, salt};
  }

  /** An RTP packet with a one-element header extension, so the header is longer than 12 octets. */
  private static byte[] rtp(int seq, int size) {
    byte[] b = new byte[size];
    b[0] = (byte) 0x90;
    b[1] = 111;
    b[2] = (byte) (seq >>> 8);
    b[3] = (byte) seq;
    SrtpContext.writeInt(b, 4, seq * 960);
    SrtpContext.writeInt(b, 8, SSRC);
    b[12] = (byte) 0xBE;
    b[13] = (byte) 0xDE;
    b[15] = 1;
    b[16] = 0x10;
    b[17] = (byte) seq;
    for (int i = 20; i < size; i++) {
      b[i] = (byte) (i * 31 + seq);
    }
    return b;
  }

  private static byte[] bytes(PacketBuffer p) {
    return Arrays.copyOfRange(p.getBuffer(), p.getOffset(), p.getOffset() + p.getLength());
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void jitsiReadsOurRtpAcrossASequenceWrap(SrtpProfile profile) throws Exception {
    byte[][] m = master(profile);
    SrtpContext ours = SrtpContext.of(profile, m[0], m[1]);
    SrtpCryptoContext theirs = jitsi(profile, m[0], m[1], false).deriveContext(SSRC, 0);
    for (int i = 0; i < 200; i++) {
      byte[] plain = rtp((65_436 + i) & 0xFFFF, 40 + i * 7);
      PacketBuffer p = new PacketBuffer().copyFrom(plain, 0, plain.length);
      assertEquals(SrtpResult.OK, ours.protectRtp(p));
      assertEquals(SrtpErrorStatus.OK, theirs.reverseTransformPacket(p, false), "packet " + i);
      assertArrayEquals(plain, bytes(p));
    }
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void weReadJitsisRtpAcrossASequenceWrap(SrtpProfile profile) throws Exception {
    byte[][] m = master(profile);
    SrtpCryptoContext theirs = jitsi(profile, m[0], m[1], true).deriveContext(SSRC, 0);
    SrtpContext ours = SrtpContext.of(profile, m[0], m[1]);
    for (int i = 0; i < 200; i++) {
      byte[] plain = rtp((65_436 + i) & 0xFFFF, 40 + i * 7);
      PacketBuffer p = new PacketBuffer().copyFrom(plain, 0, plain.length);
      assertEquals(SrtpErrorStatus.OK, theirs.transformPacket(p));
      assertEquals(SrtpResult.OK, ours.unprotectRtp(p), "packet " + i);
      assertArrayEquals(plain, bytes(p));
    }
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void rtcpGoesBothWays(SrtpProfile profile) throws Exception {
    byte[][] m = master(profile);
    SrtpContext oursOut = SrtpContext.of(profile, m[0], m[1]);
    SrtpContext oursIn = SrtpContext.of(profile, m[0], m[1]);
    SrtcpCryptoContext theirsIn = jitsi(profile, m[0], m[1], false).deriveControlContext(SSRC);
    SrtcpCryptoContext theirsOut = jitsi(profile, m[0], m[1], true).deriveControlContext(SSRC);
    for (int i = 0; i < 20; i++) {
      byte[] plain = new byte[28 + 4 * i];
      plain[0] = (byte) 0x80;
      plain[1] = (byte) 201;
      plain[3] = (byte) (plain.length / 4 - 1);
      SrtpContext.writeInt(plain, 4, SSRC);
      for (int j = 8; j < plain.length; j++) {
        plain[j] = (byte) (j * i);
      }
      PacketBuffer toThem = new PacketBuffer().copyFrom(plain, 0, plain.length);
      assertEquals(SrtpResult.OK, oursOut.protectRtcp(toThem));
      assertEquals(SrtpErrorStatus.OK, theirsIn.reverseTransformPacket(toThem));
      assertArrayEquals(plain, bytes(toThem));

      PacketBuffer toUs = new PacketBuffer().copyFrom(plain, 0, plain.length);
      assertEquals(SrtpErrorStatus.OK, theirsOut.transformPacket(toUs));
      assertEquals(SrtpResult.OK, oursIn.unprotectRtcp(toUs), "packet " + i);
      assertArrayEquals(plain, bytes(toUs));
    }
  }
}
