package uk.co.lchat.node;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A node's remoting TLS files (PEM): its private key, its certificate and the cluster's CA. Pekko reads them only
 * when the first connection is made, and then fails every handshake with a log line; checking them at boot turns a
 * silent one-node "cluster" into a clear start-up error. The checks follow what Pekko's PEM engine accepts (its
 * reference.conf, {@code rotating-keys-engine}): an RSA key in PKCS#1 or unencrypted PKCS#8, and a certificate
 * issued directly by the CA.
 */
record RemotingCredentials(Path keyFile, Path certFile, Path caFile) {
  private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

  /** Throws IllegalArgumentException naming the file and what is wrong with it. */
  void check() {
    X509Certificate ca = certificate(caFile, "ca-file");
    X509Certificate cert = certificate(certFile, "cert-file");
    try {
      cert.verify(ca.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("lchat.cluster.tls.cert-file " + certFile + " is not signed by the CA in "
          + caFile + " (" + cert.getIssuerX500Principal() + " vs " + ca.getSubjectX500Principal() + ")");
    }
    try {
      cert.checkValidity();
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("lchat.cluster.tls.cert-file " + certFile + " is not valid now: "
          + e.getMessage());
    }
    checkKey(cert);
  }

  private void checkKey(X509Certificate cert) {
    Matcher pem = PEM.matcher(read(keyFile, "key-file"));
    if (!pem.find()) {
      throw new IllegalArgumentException("lchat.cluster.tls.key-file " + keyFile + " holds no PEM block");
    }
    switch (pem.group(1)) {
      case "RSA PRIVATE KEY" -> { } // PKCS#1 (RFC 8017 appendix A.1.2): RSA by definition
      case "PRIVATE KEY" -> {
        // PKCS#8 (RFC 5208): Pekko decodes it as RSA only, so an EC key would fail every handshake.
        RSAPrivateCrtKey key;
        try {
          key = (RSAPrivateCrtKey) KeyFactory.getInstance("RSA").generatePrivate(
              new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(pem.group(2).trim())));
        } catch (GeneralSecurityException | ClassCastException | IllegalArgumentException e) {
          throw new IllegalArgumentException("lchat.cluster.tls.key-file " + keyFile
              + " is not an unencrypted RSA key; Pekko's remoting TLS reads RSA keys only");
        }
        if (!(cert.getPublicKey() instanceof RSAPublicKey pub) || !pub.getModulus().equals(key.getModulus())) {
          throw new IllegalArgumentException("lchat.cluster.tls.key-file " + keyFile + " is not the key of "
              + certFile);
        }
      }
      default -> throw new IllegalArgumentException("lchat.cluster.tls.key-file " + keyFile + " holds a "
          + pem.group(1) + "; Pekko's remoting TLS reads an RSA key in PKCS#1 (RSA PRIVATE KEY) or unencrypted"
          + " PKCS#8 (PRIVATE KEY)");
    }
  }

  private static X509Certificate certificate(Path file, String key) {
    try (InputStream in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    } catch (IOException e) {
      throw new IllegalArgumentException("lchat.cluster.tls." + key + " " + file + " cannot be read: " + e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("lchat.cluster.tls." + key + " " + file
          + " is not a PEM X.509 certificate: " + e.getMessage());
    }
  }

  private static String read(Path file, String key) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalArgumentException("lchat.cluster.tls." + key + " " + file + " cannot be read: " + e);
    }
  }
}
