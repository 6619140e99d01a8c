package uk.co.lchat.node.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

import org.apache.pekko.pki.pem.DERPrivateKeyLoader;
import org.apache.pekko.pki.pem.PEMDecoder;
import org.apache.pekko.pki.pem.PEMLoadingException;
import org.bouncycastle.asn1.ASN1Object;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * A server's certificate chain and private key, read from PEM files (RFC 7468) and checked to belong together and
 * to be valid now, ready to make TLS engines for HTTPS connections.
 *
 * <p>PEM blocks are decoded by Pekko's {@link PEMDecoder} and RSA keys by its {@link DERPrivateKeyLoader}, as
 * remoting TLS reads them; that loader reads PKCS#8 as RSA only, and certbot's keys are EC (P-256) by default, so
 * PKCS#8 EC keys go to the JDK's key factory, and OpenSSL's SEC1 {@code EC PRIVATE KEY} (RFC 5915) is wrapped into
 * PKCS#8 first.
 */
public final class ServerCertificate {
  /** One PEM block; the files may hold several (a full chain) and text around them (OpenSSL's "Bag Attributes"). */
  private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----.*?-----END \\1-----",
      Pattern.DOTALL);
  private static final char[] STORE_PASSWORD = "lchat".toCharArray();

  private final List<X509Certificate> chain;
  private final SSLContext context;

  private ServerCertificate(List<X509Certificate> chain, SSLContext context) {
    this.chain = List.copyOf(chain);
    this.context = context;
  }

  /** The problem with a certificate's files, in a sentence that names the setting and the file. */
  public static final class Problem extends Exception {
    Problem(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Reads the certificate (and the certificates after it: its chain), the private key and, when given, a separate
   * chain file. Throws {@link Problem} when a file is missing or unreadable, holds no usable PEM, the key is not the
   * certificate's, or the certificate is not valid now.
   */
  public static ServerCertificate read(Path certificate, Path privateKey, Optional<Path> chainFile) throws Problem {
    List<X509Certificate> chain = new ArrayList<>(certificates(certificate, "certificate"));
    if (chainFile.isPresent()) {
      chain.addAll(certificates(chainFile.get(), "chain"));
    }
    X509Certificate leaf = chain.get(0);
    PrivateKey key = privateKey(privateKey);
    if (!belongTogether(key, leaf.getPublicKey())) {
      throw new Problem("lchat.http.tls.private-key " + privateKey + " is not the key of the certificate in "
          + certificate + " (" + leaf.getSubjectX500Principal() + ")");
    }
    try {
      leaf.checkValidity();
    } catch (CertificateExpiredException e) {
      throw new Problem("lchat.http.tls.certificate " + certificate + " expired on " + leaf.getNotAfter().toInstant());
    } catch (CertificateNotYetValidException e) {
      throw new Problem("lchat.http.tls.certificate " + certificate + " is not valid before "
          + leaf.getNotBefore().toInstant());
    }
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("server", key, STORE_PASSWORD, chain.toArray(new X509Certificate[0]));
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, STORE_PASSWORD);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, new SecureRandom());
      return new ServerCertificate(chain, context);
    } catch (GeneralSecurityException | IOException e) {
      throw new Problem("the key and certificate in " + privateKey + " and " + certificate
          + " cannot make a TLS context: " + e.getMessage());
    }
  }

  /** A TLS engine for one accepted connection: TLS 1.3 or 1.2, HTTP/1.1 by ALPN (RFC 7301). */
  public SSLEngine newEngine() {
    SSLEngine engine = context.createSSLEngine();
    engine.setUseClientMode(false);
    SSLParameters parameters = engine.getSSLParameters();
    parameters.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
    parameters.setApplicationProtocols(new String[] {"http/1.1"});
    engine.setSSLParameters(parameters);
    return engine;
  }

  /** The server's own certificate, first in the chain. */
  public X509Certificate leaf() {
    return chain.get(0);
  }

  public List<X509Certificate> chain() {
    return chain;
  }

  public Instant notAfter() {
    return leaf().getNotAfter().toInstant();
  }

  /** SHA-256 of the certificate's DER, as browsers show it: upper-case hex pairs joined by colons. */
  public static String fingerprint(X509Certificate certificate) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is always there", e);
    }
  }

  /** For logs: whose certificate, for which names, until when, and its fingerprint. */
  public String describe() {
    X509Certificate leaf = leaf();
    List<String> names = new ArrayList<>();
    try {
      if (leaf.getSubjectAlternativeNames() != null) {
        for (List<?> name : leaf.getSubjectAlternativeNames()) {
          names.add(String.valueOf(name.get(1)));
        }
      }
    } catch (CertificateException e) {
      names.add("(unreadable names)");
    }
    return leaf.getSubjectX500Principal() + " for " + names + ", issued by " + leaf.getIssuerX500Principal()
        + ", valid until " + notAfter() + ", SHA-256 " + fingerprint(leaf);
  }

  static List<X509Certificate> certificates(Path file, String setting) throws Problem {
    List<X509Certificate> certificates = new ArrayList<>();
    for (PEMDecoder.DERData block : blocks(file, setting)) {
      if (!block.label().equals("CERTIFICATE")) {
        continue;
      }
      try {
        certificates.add((X509Certificate) CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(block.bytes())));
      } catch (CertificateException e) {
        throw new Problem("lchat.http.tls." + setting + " " + file + " holds a CERTIFICATE block that is not an"
            + " X.509 certificate: " + e.getMessage());
      }
    }
    if (certificates.isEmpty()) {
      throw new Problem("lchat.http.tls." + setting + " " + file + " holds no PEM certificate"
          + " (-----BEGIN CERTIFICATE-----)");
    }
    return certificates;
  }

  /** The private key of a PEM file, in any of the forms {@link #read} takes. */
  public static PrivateKey readKey(Path file) throws Problem {
    return privateKey(file);
  }

  static PrivateKey privateKey(Path file) throws Problem {
    String where = "lchat.http.tls.private-key " + file;
    for (PEMDecoder.DERData block : blocks(file, "private-key")) {
      switch (block.label()) {
        case "RSA PRIVATE KEY" -> {
          return pekkoKey(block, where);
        }
        case "PRIVATE KEY" -> {
          // PKCS#8 (RFC 5208): RSA through Pekko's loader, anything else (EC) through the JDK's.
          try {
            return DERPrivateKeyLoader.load(block);
          } catch (Exception notRsa) {
            return pkcs8(block.bytes(), where);
          }
        }
        case "EC PRIVATE KEY" -> {
          // SEC1 (RFC 5915), as `openssl ecparam -genkey` writes it: the same key inside a PKCS#8 wrapper.
          try {
            ECPrivateKey sec1 = ECPrivateKey.getInstance(block.bytes());
            ASN1Object curve = sec1.getParametersObject(); // [0] EXPLICIT in SEC1, bare in the algorithm identifier
            if (curve instanceof ASN1TaggedObject tagged) {
              curve = tagged.getExplicitBaseObject().toASN1Primitive();
            }
            if (curve == null) {
              throw new Problem(where + " holds an EC PRIVATE KEY without its curve; convert it to PKCS#8 with"
                  + " openssl pkcs8 -topk8 -nocrypt");
            }
            PrivateKeyInfo info = new PrivateKeyInfo(
                new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, curve), sec1);
            return pkcs8(info.getEncoded(), where);
          } catch (IOException | RuntimeException e) {
            throw new Problem(where + " holds an EC PRIVATE KEY that cannot be read: " + e.getMessage());
          }
        }
        case "ENCRYPTED PRIVATE KEY" -> throw new Problem(where + " is encrypted; the node needs it unencrypted"
            + " (openssl pkcs8 -in key.pem -out plain.pem) and readable only by its user");
        default -> { } // e.g. EC PARAMETERS before the key
      }
    }
    throw new Problem(where + " holds no PEM private key (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
  }

  private static PrivateKey pekkoKey(PEMDecoder.DERData block, String where) throws Problem {
    try {
      return DERPrivateKeyLoader.load(block);
    } catch (Exception e) {
      throw new Problem(where + " holds an RSA PRIVATE KEY that cannot be read: " + e.getMessage());
    }
  }

  private static PrivateKey pkcs8(byte[] der, String where) throws Problem {
    String why = "";
    for (String algorithm : new String[] {"RSA", "EC"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        why = e.getMessage(); // not this algorithm; the last one's reason is the likelier
      }
    }
    throw new Problem(where + " is neither an RSA nor an EC key (" + why + ")");
  }

  /** Every PEM block of the file, each decoded by Pekko's decoder. */
  private static List<PEMDecoder.DERData> blocks(Path file, String setting) throws Problem {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new Problem("lchat.http.tls." + setting + " " + file + " does not exist");
    } catch (IOException | RuntimeException e) {
      throw new Problem("lchat.http.tls." + setting + " " + file + " cannot be read: " + e);
    }
    List<PEMDecoder.DERData> blocks = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      try {
        blocks.add(PEMDecoder.decode(m.group()));
      } catch (PEMLoadingException e) {
        throw new Problem("lchat.http.tls." + setting + " " + file + " has a broken " + m.group(1) + " block: "
            + e.getMessage());
      }
    }
    if (blocks.isEmpty()) {
      throw new Problem("lchat.http.tls." + setting + " " + file + " is not PEM (no complete -----BEGIN ...----- to"
          + " -----END ...----- block)");
    }
    return blocks;
  }

  /** Whether {@code key} signs what {@code publicKey} verifies: the one check that works for every key type. */
  private static boolean belongTogether(PrivateKey key, PublicKey publicKey) {
    String algorithm = switch (key.getAlgorithm().toUpperCase(Locale.ROOT)) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      default -> null;
    };
    if (algorithm == null || !key.getAlgorithm().equalsIgnoreCase(publicKey.getAlgorithm())) {
      return false;
    }
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
