package uk.co.lchat.media.srtp;

import java.security.GeneralSecurityException;
import java.security.spec.AlgorithmParameterSpec;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** AEAD_AES_128_GCM (RFC 7714): a 16-octet tag, the RTP header as associated data, a 96-bit IV per packet. */
final class GcmContext extends SrtpContext {
  private static final int TAG = 16;

  private final Cipher rtp;
  private final Cipher rtcp;
  private final SecretKeySpec rtpKey;
  private final SecretKeySpec rtcpKey;
  private final byte[] rtpSalt;
  private final byte[] rtcpSalt;
  private final Iv iv = new Iv();

  GcmContext(SrtpKeyDerivation kdf, SrtpProfile profile) throws GeneralSecurityException {
    this(kdf.derive(SrtpKeyDerivation.RTP_ENCRYPTION, profile.keyLength),
        kdf.derive(SrtpKeyDerivation.RTP_SALT, profile.saltLength),
        kdf.derive(SrtpKeyDerivation.RTCP_ENCRYPTION, profile.keyLength),
        kdf.derive(SrtpKeyDerivation.RTCP_SALT, profile.saltLength));
  }

  /** From session keys and salts (RFC 7714's test vectors start here). */
  GcmContext(byte[] rtpKey, byte[] rtpSalt, byte[] rtcpKey, byte[] rtcpSalt) throws GeneralSecurityException {
    this.rtpKey = new SecretKeySpec(rtpKey, "AES");
    this.rtcpKey = new SecretKeySpec(rtcpKey, "AES");
    this.rtpSalt = rtpSalt.clone();
    this.rtcpSalt = rtcpSalt.clone();
    // One cipher per key: the OpenSSL cipher re-reads the key only when it is a different object.
    this.rtp = AesProvider.cipher("AES/GCM/NoPadding");
    this.rtcp = AesProvider.cipher("AES/GCM/NoPadding");
  }

  @Override
  int rtpOverhead() {
    return TAG;
  }

  @Override
  int rtcpOverhead() {
    return TAG + 4;
  }

  @Override
  int sealRtp(byte[] b, int off, int header, int len, int ssrc, long index) throws GeneralSecurityException {
    rtp.init(Cipher.ENCRYPT_MODE, rtpKey, iv.forRtp(rtpSalt, ssrc, index));
    rtp.updateAAD(b, off, header);
    return header + rtp.doFinal(b, off + header, len - header, b, off + header);
  }

  @Override
  int openRtp(byte[] b, int off, int header, int len, int ssrc, long index) throws GeneralSecurityException {
    rtp.init(Cipher.DECRYPT_MODE, rtpKey, iv.forRtp(rtpSalt, ssrc, index));
    rtp.updateAAD(b, off, header);
    try {
      return header + rtp.doFinal(b, off + header, len - header, b, off + header);
    } catch (AEADBadTagException e) {
      return -1;
    }
  }

  /** RFC 7714 §9: header (8) | ciphertext | tag (16) | E + SRTCP index (4); the index word is associated data. */
  @Override
  int sealRtcp(byte[] b, int off, int len, int ssrc, int index) throws GeneralSecurityException {
    int word = off + len + TAG;
    writeInt(b, word, 0x8000_0000 | index);
    rtcp.init(Cipher.ENCRYPT_MODE, rtcpKey, iv.forRtcp(rtcpSalt, ssrc, index));
    rtcp.updateAAD(b, off, 8);
    rtcp.updateAAD(b, word, 4);
    return 8 + rtcp.doFinal(b, off + 8, len - 8, b, off + 8) + 4;
  }

  @Override
  int rtcpIndexWord(byte[] b, int off, int len) {
    return readInt(b, off + len - 4);
  }

  @Override
  int openRtcp(byte[] b, int off, int len, int ssrc, int index, boolean encrypted) throws GeneralSecurityException {
    int word = off + len - 4;
    rtcp.init(Cipher.DECRYPT_MODE, rtcpKey, iv.forRtcp(rtcpSalt, ssrc, index));
    try {
      if (encrypted) {
        rtcp.updateAAD(b, off, 8);
        rtcp.updateAAD(b, word, 4);
        return 8 + rtcp.doFinal(b, off + 8, len - 4 - 8, b, off + 8);
      }
      // RFC 7714 §9.2: E = 0, the whole RTCP packet is associated data and only the tag is "ciphertext".
      int tag = len - 4 - TAG;
      rtcp.updateAAD(b, off, tag);
      rtcp.updateAAD(b, word, 4);
      rtcp.doFinal(b, off + tag, TAG, b, off + tag);
      return tag;
    } catch (AEADBadTagException e) {
      return -1;
    }
  }

  /** The 12-octet IV, rebuilt in place for each packet. */
  private static final class Iv {
    private final byte[] bytes = new byte[12];
    private final Spec spec = new Spec(bytes);

    /** RFC 7714 §8.1: (00 00 | SSRC | ROC | SEQ) XOR salt. */
    AlgorithmParameterSpec forRtp(byte[] salt, int ssrc, long index) {
      int roc = (int) (index >>> 16);
      fill(salt, ssrc, roc, (int) index);
      return spec();
    }

    /** RFC 7714 §9.1: (00 00 | SSRC | 00 00 | 0 | SRTCP index) XOR salt. */
    AlgorithmParameterSpec forRtcp(byte[] salt, int ssrc, int index) {
      fill(salt, ssrc, index >>> 16, index);
      return spec();
    }

    private void fill(byte[] salt, int ssrc, int high, int low) {
      byte[] v = bytes;
      v[0] = salt[0];
      v[1] = salt[1];
      v[2] = (byte) (salt[2] ^ (ssrc >>> 24));
      v[3] = (byte) (salt[3] ^ (ssrc >>> 16));
      v[4] = (byte) (salt[4] ^ (ssrc >>> 8));
      v[5] = (byte) (salt[5] ^ ssrc);
      v[6] = (byte) (salt[6] ^ (high >>> 24));
      v[7] = (byte) (salt[7] ^ (high >>> 16));
      v[8] = (byte) (salt[8] ^ (high >>> 8));
      v[9] = (byte) (salt[9] ^ high);
      v[10] = (byte) (salt[10] ^ (low >>> 8));
      v[11] = (byte) (salt[11] ^ low);
    }

    private AlgorithmParameterSpec spec() {
      return AesProvider.specsReusable() ? spec : new GCMParameterSpec(TAG * 8, bytes.clone());
    }
  }

  /** A GCM parameter object over a live IV array: {@link #getIV} hands out the array itself, not a copy. */
  private static final class Spec extends GCMParameterSpec {
    private final byte[] live;

    Spec(byte[] live) {
      super(TAG * 8, new byte[12]);
      this.live = live;
    }

    @Override
    public byte[] getIV() {
      return live;
    }
  }
}
