package uk.co.lchat.loadtest;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.ConfigFactory;

import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;

/**
 * Nodes in this JVM that record and stream (egress on), all to one storage and all sending their webhooks to one
 * receiver on loopback that keeps them; and the server API calls the egress tests make to the node started last,
 * with its one API key. The nodes are closed with {@link InJvmNodes}'; closing this stops the receiver.
 */
final class EgressNodes implements AutoCloseable {
  private static final String KEY = "rec-key";
  private static final String SECRET = "rec-secret-0123456789abcdef0123456789";
  /** The API key's credentials, for the calls that {@link #call} does not make. */
  static final String AUTH = "Basic " + Base64.getEncoder()
      .encodeToString((KEY + ":" + SECRET).getBytes(StandardCharsets.UTF_8));
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path storage;
  private final HttpServer hookServer;
  private final List<JsonNode> hooks = new CopyOnWriteArrayList<>();
  private LchatNode node;

  private EgressNodes(Path storage, HttpServer hookServer) {
    this.storage = storage;
    this.hookServer = hookServer;
  }

  /** Starts the webhook receiver for nodes that will record to {@code storage}; {@link #start} starts one. */
  static EgressNodes on(Path storage) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    EgressNodes egress = new EgressNodes(storage, server);
    server.createContext("/hook", ex -> {
      egress.hooks.add(JSON.readTree(ex.getRequestBody().readAllBytes()));
      ex.sendResponseHeaders(204, -1);
      ex.close();
    });
    server.start();
    return egress;
  }

  /**
   * Starts a node with egress on, recording to the storage and sending its webhooks here; from now on the calls go
   * to it. The node started before is left as it is, running or shut down by the test.
   */
  LchatNode start() throws Exception {
    return start(Map.of());
  }

  /** As {@link #start()}, with {@code extra} settings (paths, e.g. {@code lchat.egress.min-free-space}) over these. */
  LchatNode start(Map<String, Object> extra) throws Exception {
    Map<String, Object> settings = Map.of(
        "lchat.api.keys", List.of(Map.of("id", KEY, "secret", SECRET)),
        "lchat.egress.enabled", true,
        "lchat.egress.storage", storage.toString(),
        "lchat.room.features.recording", true,
        "lchat.room.features.streaming", true,
        "lchat.room.webhooks.urls", List.of("http://127.0.0.1:" + hookServer.getAddress().getPort() + "/hook"));
    node = LchatNode.start(ConfigFactory.parseMap(extra).withFallback(ConfigFactory.parseMap(settings))
        .withFallback(TestNodes.config(0, List.of())));
    InJvmNodes.nodes.add(node);
    return node;
  }

  /** The node started last, the one the calls go to. */
  LchatNode node() {
    return node;
  }

  /** A call to the server API, with the API key's credentials and {@code body} (none if null) as JSON. */
  HttpResponse<String> call(String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
        .header("Authorization", AUTH).header("Content-Type", "application/json");
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return InJvmNodes.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A GET as a CDN or a player makes it: no credentials. */
  HttpResponse<String> fetch(String path) throws Exception {
    return InJvmNodes.HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The webhook {@code event} for {@code egressId}, once it came; fails with the webhooks so far if not in time. */
  JsonNode awaitHook(String event, String egressId, int seconds) throws InterruptedException {
    Talkers.await(event + " for " + egressId + "; got " + hooks, seconds, () -> find(event, egressId).isPresent());
    return find(event, egressId).orElseThrow();
  }

  /** The first webhook {@code event} for {@code egressId} received so far. */
  Optional<JsonNode> find(String event, String egressId) {
    return hooks.stream().filter(h -> h.path("event").asText().equals(event)
        && h.path("egressId").asText().equals(egressId)).findFirst();
  }

  /** Every webhook received so far, in the order they came. */
  List<JsonNode> hooks() {
    return Collections.unmodifiableList(hooks);
  }

  /**
   * The FFmpeg processes this JVM runs for {@code egressId}: one per track of a per-track recording; one decoder
   * per track and the encoder of a composite.
   */
  static List<ProcessHandle> ffmpegsOf(String egressId) {
    return ProcessHandle.current().descendants()
        .filter(p -> p.info().commandLine().orElse("").contains(egressId)).toList();
  }

  /** Stops the webhook receiver. */
  @Override
  public void close() {
    hookServer.stop(0);
  }
}
