package uk.co.lchat.node.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Certificates made in the test and written as PEM the way operators' tools write them: RSA or EC keys, PKCS#1,
 * PKCS#8 or SEC1, a server certificate issued by a CA of the test's own.
 */
public final class TestPem {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  public enum KeyForm { PKCS1_OR_SEC1, PKCS8 }

  private TestPem() {}

  /** A root CA that issues server certificates. */
  public record Authority(KeyPair keys, X509Certificate certificate) {
    public static Authority create(String name) throws Exception {
      KeyPair keys = ec();
      X500Name subject = new X500Name("CN=" + name);
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(SERIAL.incrementAndGet()),
          Date.from(Instant.now().minusSeconds(60)), Date.from(Instant.now().plus(Duration.ofDays(30))), subject,
          keys.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      return new Authority(keys, sign(b, keys));
    }

    /** A server certificate for 127.0.0.1 and localhost, valid from {@code from} for {@code validity}. */
    Issued issue(KeyPair server, Instant from, Duration validity) throws Exception {
      return issue(server, from, validity, "127.0.0.1");
    }

    /** A server certificate for {@code address} (an IPv4 address) and localhost. */
    Issued issue(KeyPair server, Instant from, Duration validity, String address) throws Exception {
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
          new X500Name(certificate.getSubjectX500Principal().getName()), BigInteger.valueOf(SERIAL.incrementAndGet()),
          Date.from(from), Date.from(from.plus(validity)), new X500Name("CN=localhost"), server.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
          new GeneralName(GeneralName.iPAddress, address), new GeneralName(GeneralName.dNSName, "localhost")}));
      return new Issued(server, sign(b, keys), this);
    }

    public Issued issue(KeyPair server) throws Exception {
      return issue(server, Instant.now().minusSeconds(60), Duration.ofDays(10));
    }

    /** A server certificate for {@code address}, valid for ten days. */
    public Issued issueFor(String address) throws Exception {
      return issue(ec(), Instant.now().minusSeconds(60), Duration.ofDays(10), address);
    }

    /** This CA's certificate as a PEM file, as a person would import it. */
    public void writeCertificate(Path file) throws Exception {
      Files.writeString(file, pem(certificate), StandardCharsets.US_ASCII);
    }

    /** A client context that trusts this CA only. */
    public SSLContext trustingClient() throws Exception {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setCertificateEntry("ca", certificate);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    }
  }

  /** A server's key and certificate. */
  public record Issued(KeyPair keys, X509Certificate certificate, Authority by) {
    /** certificate + CA in one file (as certbot's fullchain.pem), and the key in {@code form}. */
    public void write(Path certFile, Path keyFile, KeyForm form) throws Exception {
      Files.writeString(certFile, pem(certificate) + pem(by.certificate()), StandardCharsets.US_ASCII);
      writeKey(keyFile, keys, form);
    }
  }

  public static KeyPair ec() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  static KeyPair rsa() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return g.generateKeyPair();
  }

  static void writeKey(Path file, KeyPair keys, KeyForm form) throws IOException {
    if (form == KeyForm.PKCS8) {
      Files.writeString(file, pem(new JcaPKCS8Generator(keys.getPrivate(), null)), StandardCharsets.US_ASCII);
    } else if (keys.getPrivate() instanceof ECPrivateKey ec) {
      // SEC1 as OpenSSL writes it, with the curve (RFC 5915 §3); the JDK's PKCS#8 leaves it to the outer wrapper.
      org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, ec.getS(),
          new DERBitString(SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded()).getPublicKeyData()
              .getBytes()), SECObjectIdentifiers.secp256r1);
      Files.writeString(file, pem(new PemObject("EC PRIVATE KEY", sec1.getEncoded())), StandardCharsets.US_ASCII);
    } else {
      Files.writeString(file, pem(keys.getPrivate()), StandardCharsets.US_ASCII); // RSA: PKCS#1
    }
  }

  static String pem(Object object) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    }
    return out.toString();
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair issuer) throws Exception {
    return new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
  }
}
