package uk.co.lchat.media.srtp;

import java.util.Arrays;

/** Master keys and salts for one SRTP session, split from DTLS-exported keying material. */
public record SrtpKeys(SrtpProfile profile, byte[] localKey, byte[] localSalt, byte[] remoteKey, byte[] remoteSalt) {

  /**
   * RFC 5764 §4.2: the material is client_key | server_key | client_salt | server_salt. The DTLS server sends with
   * the server half and receives with the client half.
   */
  public static SrtpKeys fromDtlsExport(SrtpProfile profile, byte[] material, boolean isServer) {
    if (material.length != profile.keyingMaterialLength()) {
      throw new IllegalArgumentException("expected " + profile.keyingMaterialLength() + " bytes of keying material");
    }
    int k = profile.keyLength;
    int s = profile.saltLength;
    byte[] clientKey = Arrays.copyOfRange(material, 0, k);
    byte[] serverKey = Arrays.copyOfRange(material, k, 2 * k);
    byte[] clientSalt = Arrays.copyOfRange(material, 2 * k, 2 * k + s);
    byte[] serverSalt = Arrays.copyOfRange(material, 2 * k + s, 2 * k + 2 * s);
    return isServer ? new SrtpKeys(profile, serverKey, serverSalt, clientKey, clientSalt)
        : new SrtpKeys(profile, clientKey, clientSalt, serverKey, serverSalt);
  }

  /** The same session seen from the other end. */
  public SrtpKeys reversed() {
    return new SrtpKeys(profile, remoteKey, remoteSalt, localKey, localSalt);
  }
}
