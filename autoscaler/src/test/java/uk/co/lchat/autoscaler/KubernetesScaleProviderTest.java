package uk.co.lchat.autoscaler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

/** Against a local stand-in for the API server that checks each request as Kubernetes would. */
class KubernetesScaleProviderTest {
  private HttpServer server;
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private volatile int replicas = 3;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      String auth = exchange.getRequestHeaders().getFirst("Authorization");
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String line = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
      requests.add(line + " " + body);
      int status;
      String answer;
      if (!"Bearer sa-token".equals(auth)) {
        status = 401;
        answer = "{\"kind\":\"Status\",\"code\":401}";
      } else if (!exchange.getRequestURI().getPath().equals("/apis/apps/v1/namespaces/lchat/statefulsets/lchat/scale")) {
        status = 404;
        answer = "{\"kind\":\"Status\",\"code\":404}";
      } else if (exchange.getRequestMethod().equals("PATCH")) {
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (!"application/merge-patch+json".equals(type) || !body.matches("\\{\"spec\":\\{\"replicas\":\\d+}}")) {
          status = 415;
          answer = "{\"kind\":\"Status\",\"code\":415}";
        } else {
          replicas = Integer.parseInt(body.replaceAll("\\D", ""));
          status = 200;
          answer = scale();
        }
      } else {
        status = 200;
        answer = scale();
      }
      byte[] out = answer.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, out.length);
      exchange.getResponseBody().write(out);
      exchange.close();
    });
    server.start();
  }

  private String scale() {
    return "{\"kind\":\"Scale\",\"apiVersion\":\"autoscaling/v1\",\"metadata\":{\"name\":\"lchat\","
        + "\"namespace\":\"lchat\"},\"spec\":{\"replicas\":" + replicas + "},\"status\":{\"replicas\":" + replicas
        + "}}";
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private KubernetesScaleProvider provider(String token) {
    return new KubernetesScaleProvider(HttpClient.newHttpClient(),
        URI.create("http://127.0.0.1:" + server.getAddress().getPort()), "lchat", "lchat", token);
  }

  @Test
  void readsAndPatchesTheStatefulSetsScaleSubresource() throws Exception {
    KubernetesScaleProvider p = provider("sa-token");
    assertEquals(3, p.current());
    p.scaleTo(5);
    assertEquals(5, replicas);
    assertEquals(5, p.current());
    assertEquals("PATCH /apis/apps/v1/namespaces/lchat/statefulsets/lchat/scale {\"spec\":{\"replicas\":5}}",
        requests.get(1));
  }

  @Test
  void aRefusedRequestIsAnErrorNotASilentSuccess() {
    assertThrows(IOException.class, () -> provider("wrong").scaleTo(9));
    assertEquals(3, replicas);
  }
}
