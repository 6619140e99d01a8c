package uk.co.lchat.media.srtp;

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
}
