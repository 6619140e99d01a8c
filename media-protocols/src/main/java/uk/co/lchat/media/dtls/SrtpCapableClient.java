package uk.co.lchat.media.dtls;

import java.io.IOException;
import java.security.MessageDigest;
import java.util.Hashtable;

import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

import uk.co.lchat.media.srtp.SrtpKeys;
import uk.co.lchat.media.srtp.SrtpProfile;

/**
 * The DTLS 1.2 client side of DTLS-SRTP, as a browser plays it: used by node-to-node relays, the load tool and
 * tests. Checks the server certificate against the fingerprint from the server's SDP.
 */
final class SrtpCapableClient extends DefaultTlsClient {
  private final DtlsIdentity identity;
  private final byte[] expectedFingerprint;
  private final SrtpProfile[] profiles;
  private volatile SrtpKeys keys;

  SrtpCapableClient(BcTlsCrypto crypto, DtlsIdentity identity, byte[] expectedFingerprint, SrtpProfile... profiles) {
    super(crypto);
    this.identity = identity;
    this.expectedFingerprint = expectedFingerprint;
    this.profiles = profiles;
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
    return new int[] {CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256};
  }

  @Override
  @SuppressWarnings({"rawtypes", "unchecked"})
  public Hashtable getClientExtensions() throws IOException {
    Hashtable extensions = super.getClientExtensions();
    int[] ids = new int[profiles.length];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = profiles[i].dtlsId;
    }
    TlsSRTPUtils.addUseSRTPExtension(extensions, new UseSRTPData(ids, new byte[0]));
    return extensions;
  }

  @Override
  public TlsAuthentication getAuthentication() {
    return new TlsAuthentication() {
      @Override
      public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
        byte[] actual = DtlsIdentity.fingerprintOf(serverCertificate.getCertificate());
        if (actual == null || !MessageDigest.isEqual(actual, expectedFingerprint)) {
          throw new TlsFatalAlert(AlertDescription.bad_certificate, "server certificate does not match fingerprint");
        }
      }

      @Override
      public TlsCredentials getClientCredentials(CertificateRequest request) {
        return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), (BcTlsCrypto) getCrypto(),
            identity.privateKey(), identity.certificate(),
            SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
      }
    };
  }

  @Override
  public void notifyHandshakeComplete() throws IOException {
    super.notifyHandshakeComplete();
    UseSRTPData chosen = serverExtensions == null ? null : TlsSRTPUtils.getUseSRTPExtension(serverExtensions);
    if (chosen == null || chosen.getProtectionProfiles().length != 1) {
      throw new TlsFatalAlert(AlertDescription.handshake_failure, "server did not choose an SRTP profile");
    }
    SrtpProfile profile = SrtpProfile.ofDtlsId(chosen.getProtectionProfiles()[0]);
    byte[] material = context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null, profile.keyingMaterialLength());
    keys = SrtpKeys.fromDtlsExport(profile, material, false);
  }

  private Hashtable<?, ?> serverExtensions;

  @Override
  @SuppressWarnings({"rawtypes"})
  public void processServerExtensions(Hashtable extensions) throws IOException {
    super.processServerExtensions(extensions);
    serverExtensions = extensions;
  }
}
