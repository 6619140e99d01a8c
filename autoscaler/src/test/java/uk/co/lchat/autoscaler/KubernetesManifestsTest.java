package uk.co.lchat.autoscaler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * The k8s/ manifests, read as Kubernetes would read their fields: no schema validator can be installed from a
 * reachable registry here, so this checks the fields the deployment depends on and that names refer to each other.
 */
class KubernetesManifestsTest {
  private static final Path K8S = Path.of("..", "k8s");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final List<JsonNode> docs = new ArrayList<>();
  private static JsonNode kustomization;

  @BeforeAll
  static void load() throws IOException {
    kustomization = YAML.readTree(K8S.resolve("kustomization.yaml").toFile());
    for (JsonNode file : kustomization.path("resources")) {
      Path p = K8S.resolve(file.asText());
      assertTrue(Files.exists(p), "kustomization lists " + p);
      try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(p.toFile())) {
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

  @Test
  void everyManifestHasTheRequiredFieldsAndTheNamespace() {
    assertTrue(docs.size() >= 9, "namespace, RBAC (3), services (2), StatefulSet, PDB, ServiceMonitor");
    for (JsonNode d : docs) {
      String what = d.path("kind").asText() + " " + d.path("metadata").path("name").asText();
      assertFalse(d.path("apiVersion").asText().isEmpty(), what + " has an apiVersion");
      assertFalse(d.path("kind").asText().isEmpty(), what + " has a kind");
      assertFalse(d.path("metadata").path("name").asText().isEmpty(), what + " has a name");
      if (!d.path("kind").asText().equals("Namespace")) {
        assertEquals("lchat", d.path("metadata").path("namespace").asText(), what + " is in the lchat namespace");
      }
    }
  }

  @Test
  void theStatefulSetRunsNodesThatFindEachOtherAndCanDrain() {
    JsonNode sts = find("StatefulSet", "lchat");
    JsonNode spec = sts.path("spec");
    JsonNode headless = find("Service", spec.path("serviceName").asText());
    assertEquals("None", headless.path("spec").path("clusterIP").asText(), "a headless governing service");
    assertTrue(headless.path("spec").path("publishNotReadyAddresses").asBoolean(), "bootstrap sees unready pods");
    JsonNode labels = spec.path("template").path("metadata").path("labels");
    spec.path("selector").path("matchLabels").fields().forEachRemaining(e ->
        assertEquals(e.getValue(), labels.path(e.getKey()), "the selector matches the pod labels"));
    JsonNode pod = spec.path("template").path("spec");
    assertTrue(pod.path("terminationGracePeriodSeconds").asInt() >= 300, "long enough to drain");
    find("ServiceAccount", pod.path("serviceAccountName").asText());
    JsonNode container = pod.path("containers").get(0);
    // Readiness fails while the node drains (so the Service stops sending people to it); liveness does not, or the
    // kubelet would kill a draining pod.
    assertEquals("/ready", container.path("readinessProbe").path("httpGet").path("path").asText());
    assertEquals("/health", container.path("livenessProbe").path("httpGet").path("path").asText());
    boolean udp = false;
    for (JsonNode port : container.path("ports")) {
      udp |= port.path("containerPort").asInt() == 10000 && port.path("protocol").asText().equals("UDP");
    }
    assertTrue(udp, "the media port is UDP 10000");
    String opts = "";
    for (JsonNode env : container.path("env")) {
      if (env.path("name").asText().equals("JAVA_OPTS")) {
        opts = env.path("value").asText();
      }
    }
    assertTrue(opts.contains("-Dlchat.cluster.discovery=kubernetes"), "Kubernetes API discovery: " + opts);
    assertTrue(opts.contains("discovery-method=kubernetes-api"), opts);
    assertTrue(opts.contains("-Dlchat.media.advertised-addresses.0=$(HOST_IP)"), "clients get the node's IP");
  }

  @Test
  void rbacAllowsDiscoveryAndScaling() {
    JsonNode role = find("Role", "lchat");
    boolean pods = false;
    boolean scale = false;
    for (JsonNode rule : role.path("rules")) {
      String resources = rule.path("resources").toString();
      String verbs = rule.path("verbs").toString();
      pods |= resources.contains("\"pods\"") && verbs.contains("list") && verbs.contains("watch");
      scale |= resources.contains("statefulsets/scale") && verbs.contains("patch");
    }
    assertTrue(pods, "list and watch pods (discovery)");
    assertTrue(scale, "patch the StatefulSet's scale (autoscaler)");
    JsonNode binding = find("RoleBinding", "lchat");
    assertEquals("lchat", binding.path("roleRef").path("name").asText());
    find("ServiceAccount", binding.path("subjects").get(0).path("name").asText());
  }

  @Test
  void disruptionBudgetMonitoringAndDashboardAreWired() throws IOException {
    JsonNode pdb = find("PodDisruptionBudget", "lchat");
    assertEquals(1, pdb.path("spec").path("maxUnavailable").asInt());
    JsonNode monitor = find("ServiceMonitor", "lchat");
    String port = monitor.path("spec").path("endpoints").get(0).path("port").asText();
    boolean served = false;
    for (JsonNode p : find("Service", "lchat").path("spec").path("ports")) {
      served |= p.path("name").asText().equals(port);
    }
    assertTrue(served, "the ServiceMonitor scrapes a port the service has");
    assertEquals("/metrics", monitor.path("spec").path("endpoints").get(0).path("path").asText());
    JsonNode generator = kustomization.path("configMapGenerator").get(0);
    Path dashboard = K8S.resolve(generator.path("files").get(0).asText());
    JsonNode json = new ObjectMapper().readTree(dashboard.toFile());
    assertNotNull(json.get("panels"), "the Grafana dashboard ConfigMap holds the dashboard");
  }
}
