package uk.co.lchat.node;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/** Starts real nodes in this JVM on free ports. */
public final class TestNodes {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  private TestNodes() {}

  public static Config config(int remotePort, List<String> seeds) {
    return ConfigFactory.parseMap(Map.of(
        "lchat.http.port", 0,
        "lchat.media.port", 0,
        "lchat.cluster.remote-port", remotePort,
        "lchat.cluster.seeds", seeds,
        // Tests place media on the node each client reached unless they test placement itself.
        "lchat.media.placement.strategy", "local"));
  }

  /** A single-node cluster on free ports. */
  public static LchatNode single() throws Exception {
    return LchatNode.start(config(0, List.of()));
  }

  public static JsonNode getJson(int port, String path) throws Exception {
    HttpResponse<String> r = get(port, path);
    return JSON.readTree(r.body());
  }

  public static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
