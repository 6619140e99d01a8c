package uk.co.lchat.autoscaler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * k8s/ turns cluster remoting TLS on: the pods mount the Secret where the node's defaults look for the PEM files,
 * and cert-manager makes that Secret in the form Pekko's PEM engine reads (RSA, issued directly by a root CA, for
 * both ends of a mutually authenticated connection).
 */
class RemotingTlsManifestsTest {
  private static final Path K8S = Path.of("..", "k8s");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final List<JsonNode> docs = new ArrayList<>();
  /** The node's own defaults, where it looks for the files. */
  private static final Config TLS = ConfigFactory.parseFile(
      Path.of("..", "cluster-node", "src", "main", "resources", "reference.conf").toFile())
      .withFallback(ConfigFactory.systemProperties()).resolve().getConfig("lchat.cluster.tls");

  @BeforeAll
  static void load() throws IOException {
    for (JsonNode file : YAML.readTree(K8S.resolve("kustomization.yaml").toFile()).path("resources")) {
      try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(K8S.resolve(file.asText())
          .toFile())) {
        while (it.hasNext()) {
          JsonNode doc = it.next();
          if (doc != null && !doc.isEmpty()) {
            docs.add(doc);
          }
        }
      }
    }
  }

  private static JsonNode find(String kind, String name) {
    return docs.stream().filter(d -> d.path("kind").asText().equals(kind)
        && d.path("metadata").path("name").asText().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
  }

  private static JsonNode certificateFor(String secret) {
    return docs.stream().filter(d -> d.path("kind").asText().equals("Certificate")
        && d.path("spec").path("secretName").asText().equals(secret)).findFirst()
        .orElseThrow(() -> new AssertionError("no Certificate makes the Secret " + secret));
  }

  @Test
  void podsTurnTlsOnAndMountTheSecretWhereTheNodeLooksForItsFiles() {
    JsonNode pod = find("StatefulSet", "lchat").path("spec").path("template").path("spec");
    JsonNode container = pod.path("containers").get(0);
    String opts = "";
    for (JsonNode env : container.path("env")) {
      if (env.path("name").asText().equals("JAVA_OPTS")) {
        opts = env.path("value").asText();
      }
    }
    assertTrue(opts.contains("-Dlchat.cluster.tls.enabled=on"), opts);
    Path dir = Path.of(TLS.getString("key-file")).getParent();
    for (String key : List.of("cert-file", "ca-file")) {
      assertEquals(dir, Path.of(TLS.getString(key)).getParent(), "the three files are in one directory");
    }
    String volume = null;
    for (JsonNode mount : container.path("volumeMounts")) {
      if (Path.of(mount.path("mountPath").asText()).equals(dir)) {
        volume = mount.path("name").asText();
        assertTrue(mount.path("readOnly").asBoolean(), "mounted read-only");
      }
    }
    assertTrue(volume != null, "something is mounted at " + dir);
    String secret = null;
    for (JsonNode v : pod.path("volumes")) {
      if (v.path("name").asText().equals(volume)) {
        secret = v.path("secret").path("secretName").asText();
      }
    }
    assertTrue(secret != null && !secret.isEmpty(), "the volume is a Secret");
    // A kubernetes.io/tls Secret from cert-manager holds exactly the file names the node defaults to.
    assertEquals(List.of("tls.key", "tls.crt", "ca.crt"), List.of(Path.of(TLS.getString("key-file")).getFileName()
        .toString(), Path.of(TLS.getString("cert-file")).getFileName().toString(),
        Path.of(TLS.getString("ca-file")).getFileName().toString()));
    certificateFor(secret);
  }

  @Test
  void theNodeCertificateIsRsaForBothEndsAndIssuedDirectlyByARootCa() {
    JsonNode node = certificateFor("lchat-remoting-tls").path("spec");
    assertEquals("RSA", node.path("privateKey").path("algorithm").asText(), "Pekko's PEM engine reads RSA keys");
    String usages = node.path("usages").toString();
    assertTrue(usages.contains("\"server auth\"") && usages.contains("\"client auth\""), usages);
    JsonNode issuer = find(node.path("issuerRef").path("kind").asText(),
        node.path("issuerRef").path("name").asText());
    JsonNode ca = certificateFor(issuer.path("spec").path("ca").path("secretName").asText()).path("spec");
    assertTrue(ca.path("isCA").asBoolean(), "the issuer's key is a CA's");
    JsonNode root = find(ca.path("issuerRef").path("kind").asText(), ca.path("issuerRef").path("name").asText());
    assertTrue(root.path("spec").has("selfSigned"), "the CA is a root (Pekko does not follow intermediates)");
  }
}
