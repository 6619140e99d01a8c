package uk.co.lchat.media.dtls;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.Locale;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * A self-signed ECDSA P-256 certificate and its key: one per node, shown to browsers as the SHA-256 fingerprint in
 * our SDP (RFC 8122 §5). WebRTC authenticates the certificate by that fingerprint, never by a CA.
 */
public final class DtlsIdentity {
  private final Certificate certificate;
  private final AsymmetricKeyParameter privateKey;
  private final byte[] fingerprint;

  private DtlsIdentity(Certificate certificate, AsymmetricKeyParameter privateKey, byte[] fingerprint) {
    this.certificate = certificate;
    this.privateKey = privateKey;
    this.fingerprint = fingerprint;
  }

  public static DtlsIdentity generate(BcTlsCrypto crypto) {
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
      gen.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      KeyPair pair = gen.generateKeyPair();
      X500Name name = new X500Name("CN=lchat");
      Instant now = Instant.now();
      X509CertificateHolder holder = new JcaX509v3CertificateBuilder(name,
          new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofDays(1))),
          Date.from(now.plus(Duration.ofDays(30))), name, pair.getPublic())
          .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
      byte[] der = holder.getEncoded();
      TlsCertificate tlsCert = crypto.createCertificate(der);
      return new DtlsIdentity(new Certificate(new TlsCertificate[] {tlsCert}),
          PrivateKeyFactory.createKey(pair.getPrivate().getEncoded()), sha256(der));
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot create the DTLS certificate", e);
    }
  }

  public Certificate certificate() {
    return certificate;
  }

  AsymmetricKeyParameter privateKey() {
    return privateKey;
  }

  /** "sha-256 AB:CD:..." as it goes into a=fingerprint. */
  public String fingerprintAttribute() {
    return "sha-256 " + HexFormat.ofDelimiter(":").withUpperCase().formatHex(fingerprint);
  }

  public byte[] fingerprint() {
    return fingerprint.clone();
  }

  static byte[] sha256(byte[] der) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(der);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The SHA-256 fingerprint of the first certificate of a chain, or null if there is none. */
  static byte[] fingerprintOf(Certificate chain) throws IOException {
    if (chain == null || chain.isEmpty()) {
      return null;
    }
    return sha256(chain.getCertificateAt(0).getEncoded());
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b).toLowerCase(Locale.ROOT);
  }
}
