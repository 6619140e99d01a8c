package uk.co.lchat.node;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * Certificate authorities and node certificates made in the test, written as the PEM files a kubernetes.io/tls
 * Secret holds (tls.key, tls.crt, ca.crt), in the form Pekko's remoting TLS reads: RSA keys, PKCS#8.
 */
public final class TestCertificates {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  private TestCertificates() {}

  /** A self-signed root CA. */
  public record Authority(String name, KeyPair keys, X509Certificate certificate) {
    public static Authority create(String name) throws GeneralSecurityException {
      KeyPair keys = rsa();
      X500Name subject = new X500Name("CN=" + name);
      X509v3CertificateBuilder b = builder(subject, subject, keys, Duration.ofDays(1));
      try {
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      } catch (IOException e) {
        throw new GeneralSecurityException(e);
      }
      return new Authority(name, keys, sign(b, keys.getPrivate()));
    }

    /**
     * A node certificate with {@code commonName}, valid for {@code validity} from now (negative: already expired),
     * for both ends of a mutually authenticated connection, written with this CA's certificate into {@code dir}.
     */
    public NodeFiles issue(Path dir, String commonName, Duration validity) throws GeneralSecurityException,
        IOException {
      KeyPair node = rsa();
      X509v3CertificateBuilder b = builder(new X500Name("CN=" + name), new X500Name("CN=" + commonName), node,
          validity);
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      b.addExtension(Extension.extendedKeyUsage, false,
          new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      b.addExtension(Extension.subjectAlternativeName, false,
          new GeneralNames(new GeneralName(GeneralName.dNSName, commonName)));
      X509Certificate cert = sign(b, keys.getPrivate());
      Files.createDirectories(dir);
      NodeFiles files = new NodeFiles(dir.resolve("tls.key"), dir.resolve("tls.crt"), dir.resolve("ca.crt"));
      pem(files.key(), "PRIVATE KEY", node.getPrivate().getEncoded());
      pem(files.cert(), "CERTIFICATE", cert.getEncoded());
      pem(files.ca(), "CERTIFICATE", certificate.getEncoded());
      return files;
    }

    public NodeFiles issue(Path dir, String commonName) throws GeneralSecurityException, IOException {
      return issue(dir, commonName, Duration.ofDays(1));
    }
  }

  /** A node's three PEM files. */
  public record NodeFiles(Path key, Path cert, Path ca) {
    /** The key and certificate (issued by the CA) as a key store, for a TLS client that authenticates. */
    public KeyStore keyStore() throws GeneralSecurityException, IOException {
      String pem = Files.readString(key, StandardCharsets.US_ASCII);
      byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", "").trim());
      PrivateKey privateKey = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
      CertificateFactory x509 = CertificateFactory.getInstance("X.509");
      Certificate[] chain = new Certificate[2];
      try (InputStream c = Files.newInputStream(cert); InputStream a = Files.newInputStream(ca)) {
        chain[0] = x509.generateCertificate(c);
        chain[1] = x509.generateCertificate(a);
      }
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("node", privateKey, new char[0], chain);
      store.setCertificateEntry("ca", chain[1]);
      return store;
    }

    /** {@code lchat.cluster.tls} turned on with these files. */
    public Config config() {
      return ConfigFactory.parseMap(Map.of("lchat.cluster.tls.enabled", true,
          "lchat.cluster.tls.key-file", key.toString(), "lchat.cluster.tls.cert-file", cert.toString(),
          "lchat.cluster.tls.ca-file", ca.toString()));
    }
  }

  /** Writes {@code der} as one PEM block (RFC 7468 §2: base64 lines of 64 characters). */
  public static void pem(Path file, String label, byte[] der) throws IOException {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    Files.writeString(file, "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n",
        StandardCharsets.US_ASCII);
  }

  private static KeyPair rsa() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return g.generateKeyPair();
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys,
                                                  Duration validity) {
    Instant now = Instant.now();
    Instant from = validity.isNegative() ? now.plus(validity).minus(Duration.ofDays(1)) : now.minusSeconds(60);
    return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(from),
        Date.from(now.plus(validity)), subject, keys.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey issuerKey)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter().getCertificate(
          b.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuerKey)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }
}
