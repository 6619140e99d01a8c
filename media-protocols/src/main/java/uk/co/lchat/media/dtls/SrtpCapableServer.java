package uk.co.lchat.media.dtls;

import java.io.IOException;
import java.security.MessageDigest;
import java.util.Hashtable;
import java.util.Vector;

import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

import uk.co.lchat.media.srtp.SrtpKeys;
import uk.co.lchat.media.srtp.SrtpProfile;

/**
 * The DTLS 1.2 server side of DTLS-SRTP (RFC 5764): ECDHE-ECDSA suites, a client certificate required and checked
 * against the fingerprint from the peer's SDP, {@code use_srtp} preferring AEAD_AES_128_GCM.
 */
final class SrtpCapableServer extends DefaultTlsServer {
  private static final int[] SUITES = {
      CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
      CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
      CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
      CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
  };

  private final DtlsIdentity identity;
  private volatile byte[] expectedFingerprint;
  private SrtpProfile profile;
  private volatile SrtpKeys keys;

  SrtpCapableServer(BcTlsCrypto crypto, DtlsIdentity identity, byte[] expectedFingerprint) {
    super(crypto);
    this.identity = identity;
    this.expectedFingerprint = expectedFingerprint;
  }

  /** The peer's SDP now names {@code fingerprint}: the client certificate, if it has not come yet, must match it. */
  void expect(byte[] fingerprint) {
    expectedFingerprint = fingerprint.clone();
  }

  SrtpKeys keys() {
    return keys;
  }

  @Override
  protected ProtocolVersion[] getSupportedVersions() {
    return ProtocolVersion.DTLSv12.only();
  }

  @Override
  protected int[] getSupportedCipherSuites() {
    return SUITES.clone();
  }

  @Override
  protected TlsCredentialedSigner getECDSASignerCredentials() {
    return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), (BcTlsCrypto) getCrypto(),
        identity.privateKey(), identity.certificate(), SignatureAndHashAlgorithm.getInstance(
            org.bouncycastle.tls.HashAlgorithm.sha256, org.bouncycastle.tls.SignatureAlgorithm.ecdsa));
  }

  @Override
  public CertificateRequest getCertificateRequest() {
    Vector<SignatureAndHashAlgorithm> algorithms = new Vector<>();
    algorithms.add(SignatureAndHashAlgorithm.getInstance(org.bouncycastle.tls.HashAlgorithm.sha256,
        org.bouncycastle.tls.SignatureAlgorithm.ecdsa));
    algorithms.add(SignatureAndHashAlgorithm.getInstance(org.bouncycastle.tls.HashAlgorithm.sha256,
        org.bouncycastle.tls.SignatureAlgorithm.rsa));
    algorithms.add(SignatureAndHashAlgorithm.rsa_pss_rsae_sha256);
    return new CertificateRequest(new short[] {ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign},
        algorithms, null);
  }

  @Override
  public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
    byte[] actual = DtlsIdentity.fingerprintOf(clientCertificate);
    if (actual == null || !MessageDigest.isEqual(actual, expectedFingerprint)) {
      throw new TlsFatalAlert(AlertDescription.bad_certificate, "certificate does not match a=fingerprint");
    }
  }

  @Override
  @SuppressWarnings({"rawtypes", "unchecked"})
  public void processClientExtensions(Hashtable clientExtensions) throws IOException {
    super.processClientExtensions(clientExtensions);
    UseSRTPData offered = TlsSRTPUtils.getUseSRTPExtension(clientExtensions);
    if (offered == null) {
      throw new TlsFatalAlert(AlertDescription.handshake_failure, "client did not offer use_srtp");
    }
    for (SrtpProfile preferred : new SrtpProfile[] {SrtpProfile.AEAD_AES_128_GCM, SrtpProfile.AES_CM_128_HMAC_SHA1_80}) {
      for (int id : offered.getProtectionProfiles()) {
        if (id == preferred.dtlsId) {
          profile = preferred;
          return;
        }
      }
    }
    throw new TlsFatalAlert(AlertDescription.handshake_failure, "no SRTP protection profile in common");
  }

  @Override
  @SuppressWarnings({"rawtypes", "unchecked"})
  public Hashtable getServerExtensions() throws IOException {
    Hashtable extensions = super.getServerExtensions();
    TlsSRTPUtils.addUseSRTPExtension(extensions, new UseSRTPData(new int[] {profile.dtlsId}, new byte[0]));
    return extensions;
  }

  @Override
  public void notifyHandshakeComplete() throws IOException {
    super.notifyHandshakeComplete();
    byte[] material = context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null, profile.keyingMaterialLength());
    keys = SrtpKeys.fromDtlsExport(profile, material, true);
  }
}
