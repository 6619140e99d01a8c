package uk.co.lchat.node.lan;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

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
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import uk.co.lchat.node.tls.ServerCertificate;

/**
 * LAN mode's certificates, kept in its data directory: a small certificate authority of this machine's own
 * ({@code ca.crt}, {@code ca.key}) and a server certificate it issues for the machine's addresses
 * ({@code server.crt}, which holds the CA after it, and {@code server.key}). A browser told once to trust
 * {@code ca.crt} trusts every server certificate made later, after an address change or a renewal. Keys are ECDSA
 * P-256, readable by the owner only.
 *
 * <p>What is there is reused when it still fits: the CA while it is valid for another {@link #RENEW_BEFORE}, the
 * server certificate while it is too, was issued by that CA and names exactly the current addresses.
 */
public final class LanCertificates {
  static final Duration CA_VALIDITY = Duration.ofDays(3650);
  /** Browsers cap publicly trusted certificates at 398 days; keep to that here too. */
  static final Duration SERVER_VALIDITY = Duration.ofDays(397);
  static final Duration RENEW_BEFORE = Duration.ofDays(30);

  private LanCertificates() {}

  /** The files, and what this start had to make anew. */
  public record Kept(Path caCertificate, Path caKey, Path serverCertificate, Path serverKey,
                       X509Certificate ca, X509Certificate server, boolean newCa, boolean newServer) {}

  /**
   * Makes sure {@code dir} holds a CA and a server certificate for {@code addresses} (and {@code hostname}, when it
   * is a usable DNS name), reusing what fits. Throws IOException when the directory cannot be written.
   */
  public static Kept ensure(Path dir, List<InetAddress> addresses, String hostname, Clock clock)
      throws IOException {
    Files.createDirectories(dir);
    try {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: the directory keeps what it has
    }
    Path caCert = dir.resolve("ca.crt");
    Path caKey = dir.resolve("ca.key");
    Path serverCert = dir.resolve("server.crt");
    Path serverKey = dir.resolve("server.key");
    Instant now = clock.instant();
    Optional<ServerCertificate> ca = usable(caCert, caKey, now);
    boolean newCa = ca.isEmpty();
    X509Certificate caCertificate;
    PrivateKey caPrivate;
    try {
      if (newCa) {
        KeyPair keys = ecKeys();
        caCertificate = authority(keys, hostname, now);
        write(caKey, pem(new JcaPKCS8Generator(keys.getPrivate(), null)), true);
        write(caCert, pem(caCertificate), false);
        caPrivate = keys.getPrivate();
      } else {
        caCertificate = ca.get().leaf();
        caPrivate = ServerCertificate.readKey(caKey);
      }
      Optional<ServerCertificate> server = newCa ? Optional.empty() : usable(serverCert, serverKey, now)
          .filter(s -> issuedBy(s.leaf(), caCertificate) && names(s.leaf()).equals(ipNames(addresses)));
      if (server.isPresent()) {
        return new Kept(caCert, caKey, serverCert, serverKey, caCertificate, server.get().leaf(), false, false);
      }
      KeyPair keys = ecKeys();
      X509Certificate leaf = server(keys, caCertificate, caPrivate, addresses, hostname, now);
      write(serverKey, pem(new JcaPKCS8Generator(keys.getPrivate(), null)), true);
      write(serverCert, pem(leaf) + pem(caCertificate), false);
      return new Kept(caCert, caKey, serverCert, serverKey, caCertificate, leaf, newCa, true);
    } catch (GeneralSecurityException | OperatorCreationException | ServerCertificate.Problem e) {
      throw new IOException("cannot make LAN mode's certificates in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** A key and certificate pair in these files that fit together and stay valid for a while yet. */
  private static Optional<ServerCertificate> usable(Path cert, Path key, Instant now) {
    if (!Files.exists(cert) || !Files.exists(key)) {
      return Optional.empty();
    }
    try {
      ServerCertificate pair = ServerCertificate.read(cert, key, Optional.empty());
      return pair.notAfter().isAfter(now.plus(RENEW_BEFORE)) ? Optional.of(pair) : Optional.empty();
    } catch (ServerCertificate.Problem e) {
      return Optional.empty(); // unusable: made again
    }
  }

  private static boolean issuedBy(X509Certificate leaf, X509Certificate ca) {
    try {
      leaf.verify(ca.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** The certificate's IP address names, as the JDK spells them. */
  static Set<String> names(X509Certificate certificate) {
    Set<String> names = new LinkedHashSet<>();
    try {
      if (certificate.getSubjectAlternativeNames() != null) {
        for (List<?> name : certificate.getSubjectAlternativeNames()) {
          if (((Integer) name.get(0)) == GeneralName.iPAddress) {
            names.add(InetAddress.getByName((String) name.get(1)).getHostAddress());
          }
        }
      }
    } catch (CertificateParsingException | IOException e) {
      return Set.of();
    }
    return names;
  }

  private static Set<String> ipNames(List<InetAddress> addresses) {
    Set<String> names = new LinkedHashSet<>();
    for (InetAddress a : addresses) {
      names.add(a.getHostAddress());
    }
    return names;
  }

  private static X509Certificate authority(KeyPair keys, String hostname, Instant now)
      throws GeneralSecurityException, OperatorCreationException, IOException {
    byte[] id = new byte[4];
    new SecureRandom().nextBytes(id);
    // A name of its own per machine (and per CA made), so a browser trusting several tells them apart.
    X500Name name = new X500Name("CN=Lunar Chat LAN CA " + (hostname.isEmpty() ? "" : hostname + " ")
        + HexFormat.of().formatHex(id) + ",O=Lunar Chat");
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minusSeconds(3600)),
        Date.from(now.plus(CA_VALIDITY)), name, keys.getPublic());
    JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
    // RFC 5280 §4.2.1.9: it issues server certificates only, none for other CAs.
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
    return sign(b, keys.getPrivate());
  }

  private static X509Certificate server(KeyPair keys, X509Certificate ca, PrivateKey caKey,
                                        List<InetAddress> addresses, String hostname, Instant now)
      throws GeneralSecurityException, OperatorCreationException, IOException {
    List<GeneralName> names = new ArrayList<>();
    for (InetAddress a : addresses) {
      names.add(new GeneralName(GeneralName.iPAddress, a.getHostAddress()));
    }
    if (hostname.matches("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")) {
      // The machine's own name, and its mDNS name, for networks whose routers or Avahi resolve them.
      names.add(new GeneralName(GeneralName.dNSName, hostname));
      names.add(new GeneralName(GeneralName.dNSName, hostname + ".local"));
    }
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
        X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()), serial(), Date.from(now.minusSeconds(3600)),
        Date.from(now.plus(SERVER_VALIDITY)), new X500Name("CN=" + addresses.get(0).getHostAddress()),
        keys.getPublic());
    JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
    // RFC 5280 §4.2.1.6: browsers match addresses against IP SANs only, never the subject's CN.
    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(new GeneralName[0])));
    b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
    b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
    return sign(b, caKey);
  }

  private static KeyPair ecKeys() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(64, new SecureRandom()).setBit(63); // RFC 5280 §4.1.2.2: positive, unpredictable
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key)
      throws OperatorCreationException, GeneralSecurityException {
    return new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
  }

  private static String pem(Object object) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    }
    return out.toString();
  }

  /** Writes through a temporary file and a rename, so a reader never sees half a file; keys owner-only. */
  private static void write(Path file, String text, boolean secret) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try {
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
          secret ? "rw-------" : "rw-r--r--")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(tmp);
    }
    Files.writeString(tmp, text, StandardCharsets.US_ASCII);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
