package uk.co.lchat.media.srtp;

import org.jitsi.srtp.SrtpPolicy;

/** The SRTP protection profiles we negotiate in DTLS {@code use_srtp}. */
public enum SrtpProfile {
  /** RFC 5764 §4.1.2, id 0x0001. */
  AES_CM_128_HMAC_SHA1_80(0x0001, 16, 14),
  /** RFC 7714 §14.2, id 0x0007. */
  AEAD_AES_128_GCM(0x0007, 16, 12);

  public final int dtlsId;
  public final int keyLength;
  public final int saltLength;

  SrtpProfile(int dtlsId, int keyLength, int saltLength) {
    this.dtlsId = dtlsId;
    this.keyLength = keyLength;
    this.saltLength = saltLength;
  }

  /** Keying material to export from DTLS for this profile (RFC 5764 §4.2). */
  public int keyingMaterialLength() {
    return 2 * (keyLength + saltLength);
  }

  public static SrtpProfile ofDtlsId(int id) {
    for (SrtpProfile p : values()) {
      if (p.dtlsId == id) {
        return p;
      }
    }
    return null;
  }

  SrtpPolicy policy() {
    return switch (this) {
      // 80-bit HMAC-SHA1 tag over a 160-bit auth key (RFC 3711 §5.2).
      case AES_CM_128_HMAC_SHA1_80 -> new SrtpPolicy(SrtpPolicy.AESCM_ENCRYPTION, keyLength,
          SrtpPolicy.HMACSHA1_AUTHENTICATION, 20, 10, saltLength);
      // GCM authenticates itself: 16-byte tag, no separate auth key (RFC 7714 §12).
      case AEAD_AES_128_GCM -> new SrtpPolicy(SrtpPolicy.AESGCM_ENCRYPTION, keyLength,
          SrtpPolicy.NULL_AUTHENTICATION, 0, 16, saltLength);
    };
  }
}
