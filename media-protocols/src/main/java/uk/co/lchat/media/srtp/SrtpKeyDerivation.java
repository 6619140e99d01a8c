package uk.co.lchat.media.srtp;

import java.security.GeneralSecurityException;

import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * The SRTP key derivation function (RFC 3711 §4.3.1 with key_derivation_rate 0): AES in counter mode under the
 * master key, started at (master_salt XOR label·2^48)·2^16. RFC 7714 §11 keeps it for GCM, whose 96-bit master salt
 * sits in the same 112-bit field with two zero octets after it, as libsrtp and browsers place it.
 */
final class SrtpKeyDerivation {
  static final int RTP_ENCRYPTION = 0x00;
  static final int RTP_AUTHENTICATION = 0x01;
  static final int RTP_SALT = 0x02;
  static final int RTCP_ENCRYPTION = 0x03;
  static final int RTCP_AUTHENTICATION = 0x04;
  static final int RTCP_SALT = 0x05;

  private final Cipher aes;
  private final byte[] masterSalt;

  SrtpKeyDerivation(byte[] masterKey, byte[] masterSalt) throws GeneralSecurityException {
    if (masterSalt.length > 14) {
      throw new IllegalArgumentException("master salt longer than 112 bits");
    }
    this.aes = Cipher.getInstance("AES/ECB/NoPadding");
    this.aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(masterKey, "AES"));
    this.masterSalt = masterSalt.clone();
  }

  /** {@code length} octets of session key, authentication key or salt, by label. */
  byte[] derive(int label, int length) throws GeneralSecurityException {
    int blocks = (length + 15) / 16;
    byte[] counters = new byte[blocks * 16];
    for (int i = 0; i < blocks; i++) {
      System.arraycopy(masterSalt, 0, counters, i * 16, masterSalt.length);
      // key_id = label || r (r = 0) is 56 bits aligned to the salt's low end: the label lands on octet 7.
      counters[i * 16 + 7] ^= (byte) label;
      counters[i * 16 + 14] = (byte) (i >>> 8);
      counters[i * 16 + 15] = (byte) i;
    }
    byte[] stream = aes.doFinal(counters);
    byte[] out = new byte[length];
    System.arraycopy(stream, 0, out, 0, length);
    return out;
  }
}
