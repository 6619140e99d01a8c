package uk.co.lchat.media.srtp;

import java.security.GeneralSecurityException;
import java.security.Provider;

import javax.crypto.Cipher;

import org.jitsi.srtp.crypto.JitsiOpenSslProvider;

/**
 * Where SRTP's AES-GCM comes from: jitsi-srtp's OpenSSL provider when its native library loads (its GCM cipher reads
 * the IV straight from the parameter object, so one object serves every packet and nothing is allocated), else the
 * JDK's own provider (correct, but it needs a new parameter object and more per packet).
 */
final class AesProvider {
  private static final Provider OPENSSL = JitsiOpenSslProvider.isLoaded() ? new JitsiOpenSslProvider() : null;

  private AesProvider() {
  }

  static Cipher cipher(String transformation) throws GeneralSecurityException {
    return OPENSSL != null ? Cipher.getInstance(transformation, OPENSSL) : Cipher.getInstance(transformation);
  }

  /**
   * Whether a parameter object may be changed and passed again. The JDK's GCM keeps the IV array it is given to
   * refuse a repeated IV, so there a changed array would look like the same IV and each packet needs its own spec.
   */
  static boolean specsReusable() {
    return OPENSSL != null;
  }

  static String name() {
    return OPENSSL != null ? "OpenSSL (jitsi-srtp)" : "JDK";
  }
}
