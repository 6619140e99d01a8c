package uk.co.lchat.media.srtp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;

import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES_CM_128_HMAC_SHA1_80 (RFC 3711 §4.1.1, §4.2.1; RFC 5764 §4.1.2): AES in counter mode, then an HMAC-SHA1 tag cut
 * to 80 bits over the header, the ciphertext and (RTP) the rollover counter.
 *
 * <p>The key stream is AES-ECB over counter blocks built in a reused array, and HMAC is written over a reused
 * {@link MessageDigest}, because the JDK's CTR and HMAC objects need a new IV object or return a new array per packet.
 * The key stream uses the JDK's AES, which beats a JNI call into OpenSSL for a packet's worth of blocks.
 */
final class CmContext extends SrtpContext {
  private static final int TAG = 10;
  private static final int SALT = 14;
  private static final int AUTH_KEY = 20;
  /** Counter blocks encrypted per cipher call: enough for any packet up to the buffer size in one call. */
  private static final int BLOCKS = (PacketBuffer.CAPACITY + 15) / 16;
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private final Cipher rtpAes;
  private final Cipher rtcpAes;
  /** The session salts as counter-block halves: octets 0-7, and octets 8-13 followed by two zero octets. */
  private final long rtpSaltHigh;
  private final long rtpSaltLow;
  private final long rtcpSaltHigh;
  private final long rtcpSaltLow;
  private final Hmac rtpMac;
  private final Hmac rtcpMac;
  private final byte[] counters = new byte[BLOCKS * 16];
  private final byte[] keyStream = new byte[BLOCKS * 16];
  private final byte[] roc = new byte[4];

  CmContext(SrtpKeyDerivation kdf, SrtpProfile profile) throws GeneralSecurityException {
    rtpAes = ecb(kdf.derive(SrtpKeyDerivation.RTP_ENCRYPTION, profile.keyLength));
    rtcpAes = ecb(kdf.derive(SrtpKeyDerivation.RTCP_ENCRYPTION, profile.keyLength));
    byte[] rtpSalt = Arrays.copyOf(kdf.derive(SrtpKeyDerivation.RTP_SALT, SALT), 16);
    byte[] rtcpSalt = Arrays.copyOf(kdf.derive(SrtpKeyDerivation.RTCP_SALT, SALT), 16);
    rtpSaltHigh = (long) LONGS.get(rtpSalt, 0);
    rtpSaltLow = (long) LONGS.get(rtpSalt, 8);
    rtcpSaltHigh = (long) LONGS.get(rtcpSalt, 0);
    rtcpSaltLow = (long) LONGS.get(rtcpSalt, 8);
    rtpMac = new Hmac(kdf.derive(SrtpKeyDerivation.RTP_AUTHENTICATION, AUTH_KEY));
    rtcpMac = new Hmac(kdf.derive(SrtpKeyDerivation.RTCP_AUTHENTICATION, AUTH_KEY));
  }

  private static Cipher ecb(byte[] key) throws GeneralSecurityException {
    Cipher c = Cipher.getInstance("AES/ECB/NoPadding");
    c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
    return c;
  }

  @Override
  int rtpOverhead() {
    return TAG;
  }

  @Override
  int rtcpOverhead() {
    return 4 + TAG;
  }

  @Override
  int sealRtp(byte[] b, int off, int header, int len, int ssrc, long index) throws GeneralSecurityException {
    applyKeyStream(rtpAes, rtpSaltHigh, rtpSaltLow, ssrc, index, b, off + header, len - header);
    rtpMac.tag(b, off, len, rocOf(index), b, off + len);
    return len + TAG;
  }

  @Override
  int openRtp(byte[] b, int off, int header, int len, int ssrc, long index) throws GeneralSecurityException {
    int body = len - TAG;
    if (!rtpMac.verify(b, off, body, rocOf(index), b, off + body)) {
      return -1;
    }
    applyKeyStream(rtpAes, rtpSaltHigh, rtpSaltLow, ssrc, index, b, off + header, body - header);
    return body;
  }

  /** RFC 3711 §3.4: header (8) | ciphertext | E + SRTCP index (4) | tag (10); the tag covers the index word. */
  @Override
  int sealRtcp(byte[] b, int off, int len, int ssrc, int index) throws GeneralSecurityException {
    applyKeyStream(rtcpAes, rtcpSaltHigh, rtcpSaltLow, ssrc, index, b, off + 8, len - 8);
    writeInt(b, off + len, 0x8000_0000 | index);
    rtcpMac.tag(b, off, len + 4, null, b, off + len + 4);
    return len + 4 + TAG;
  }

  @Override
  int rtcpIndexWord(byte[] b, int off, int len) {
    return readInt(b, off + len - TAG - 4);
  }

  @Override
  int openRtcp(byte[] b, int off, int len, int ssrc, int index, boolean encrypted) throws GeneralSecurityException {
    int body = len - TAG;
    if (!rtcpMac.verify(b, off, body, null, b, off + body)) {
      return -1;
    }
    int plain = body - 4;
    if (encrypted) {
      applyKeyStream(rtcpAes, rtcpSaltHigh, rtcpSaltLow, ssrc, index, b, off + 8, plain - 8);
    }
    return plain;
  }

  private byte[] rocOf(long index) {
    writeInt(roc, 0, (int) (index >>> 16));
    return roc;
  }

  /** RFC 3711 §4.1.1: IV = (salt·2^16) XOR (SSRC·2^64) XOR (index·2^16); block j of the stream is AES(IV + j). */
  private void applyKeyStream(Cipher aes, long saltHigh, long saltLow, int ssrc, long index, byte[] b, int at,
      int n) throws GeneralSecurityException {
    int blocks = (n + 15) / 16;
    if (blocks > BLOCKS) {
      throw new GeneralSecurityException("packet larger than the SRTP buffer");
    }
    long high = saltHigh ^ (ssrc & 0xFFFF_FFFFL);
    long low = saltLow ^ ((index & 0xFFFF_FFFF_FFFFL) << 16);
    byte[] c = counters;
    for (int j = 0, o = 0; j < blocks; j++, o += 16) {
      LONGS.set(c, o, high);
      LONGS.set(c, o + 8, low | j);
    }
    aes.update(c, 0, blocks * 16, keyStream, 0);
    int i = 0;
    for (; i + 8 <= n; i += 8) {
      LONGS.set(b, at + i, (long) LONGS.get(b, at + i) ^ (long) LONGS.get(keyStream, i));
    }
    for (; i < n; i++) {
      b[at + i] ^= keyStream[i];
    }
  }

  /** HMAC-SHA1 (RFC 2104) over a reused digest and reused output arrays. */
  private static final class Hmac {
    private final MessageDigest sha1;
    private final byte[] innerPad = new byte[64];
    private final byte[] outerPad = new byte[64];
    private final byte[] inner = new byte[20];
    private final byte[] outer = new byte[20];

    Hmac(byte[] key) throws GeneralSecurityException {
      sha1 = MessageDigest.getInstance("SHA-1");
      for (int i = 0; i < 64; i++) {
        byte k = i < key.length ? key[i] : 0;
        innerPad[i] = (byte) (k ^ 0x36);
        outerPad[i] = (byte) (k ^ 0x5C);
      }
    }

    /** Computes the tag over {@code b[off, off+len)} then {@code suffix}, into {@code outer}. */
    private void compute(byte[] b, int off, int len, byte[] suffix) throws GeneralSecurityException {
      sha1.update(innerPad, 0, 64);
      sha1.update(b, off, len);
      if (suffix != null) {
        sha1.update(suffix, 0, suffix.length);
      }
      sha1.digest(inner, 0, 20);
      sha1.update(outerPad, 0, 64);
      sha1.update(inner, 0, 20);
      sha1.digest(outer, 0, 20);
    }

    void tag(byte[] b, int off, int len, byte[] suffix, byte[] to, int at) throws GeneralSecurityException {
      compute(b, off, len, suffix);
      System.arraycopy(outer, 0, to, at, TAG);
    }

    /** Compares in constant time, so the time taken tells a forger nothing about the tag. */
    boolean verify(byte[] b, int off, int len, byte[] suffix, byte[] tag, int at) throws GeneralSecurityException {
      compute(b, off, len, suffix);
      int diff = 0;
      for (int i = 0; i < TAG; i++) {
        diff |= outer[i] ^ tag[at + i];
      }
      return diff == 0;
    }
  }
}
