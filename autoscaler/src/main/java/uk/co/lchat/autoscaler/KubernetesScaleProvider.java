package uk.co.lchat.autoscaler;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Scales a StatefulSet through the Kubernetes API server's scale subresource:
 * {@code GET/PATCH /apis/apps/v1/namespaces/{ns}/statefulsets/{name}/scale} with a JSON merge patch, authenticated
 * with the pod's service account token (RBAC in k8s/rbac.yaml). Scaling in removes the highest-numbered pod, whose
 * SIGTERM starts its drain.
 */
public final class KubernetesScaleProvider implements CapacityProvider {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http;
  private final URI scale;
  private final String token;

  public KubernetesScaleProvider(HttpClient http, URI apiServer, String namespace, String statefulSet, String token) {
    this.http = http;
    this.scale = apiServer.resolve("/apis/apps/v1/namespaces/" + namespace + "/statefulsets/" + statefulSet
        + "/scale");
    this.token = token;
  }

  /** In a pod: the API server from the environment and the mounted service account token and namespace. */
  public static KubernetesScaleProvider inCluster(HttpClient http, String statefulSet) throws IOException {
    Path sa = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");
    String host = System.getenv("KUBERNETES_SERVICE_HOST");
    String port = System.getenv("KUBERNETES_SERVICE_PORT");
    return new KubernetesScaleProvider(http, URI.create("https://" + host + ":" + port),
        Files.readString(sa.resolve("namespace")).trim(), statefulSet, Files.readString(sa.resolve("token")).trim());
  }

  @Override
  public int current() throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(request().GET().build(), HttpResponse.BodyHandlers.ofString());
    check(r);
    JsonNode body = JSON.readTree(r.body());
    return body.path("spec").path("replicas").asInt();
  }

  @Override
  public void scaleTo(int nodes) throws IOException, InterruptedException {
    String patch = JSON.createObjectNode().set("spec", JSON.createObjectNode().put("replicas", nodes)).toString();
    HttpResponse<String> r = http.send(request()
            .header("Content-Type", "application/merge-patch+json")
            .method("PATCH", HttpRequest.BodyPublishers.ofString(patch)).build(),
        HttpResponse.BodyHandlers.ofString());
    check(r);
  }

  private HttpRequest.Builder request() {
    return HttpRequest.newBuilder(scale).timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + token).header("Accept", "application/json");
  }

  private static void check(HttpResponse<String> r) throws IOException {
    if (r.statusCode() / 100 != 2) {
      throw new IOException("Kubernetes API answered " + r.statusCode() + ": " + r.body());
    }
  }
}
