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

  /**
   * {@code count} nodes in this JVM forming one cluster (the first seeds the others), each made from
   * {@code config.apply(seeds)}; returns once every node sees all of them Up.
   */
  public static List<LchatNode> cluster(int count, java.util.function.Function<List<String>, Config> config)
      throws Exception {
    List<LchatNode> nodes = new java.util.ArrayList<>();
    LchatNode first = LchatNode.start(config.apply(List.of()));
    nodes.add(first);
    String seed = "127.0.0.1:" + org.apache.pekko.cluster.typed.Cluster.get(first.system()).selfMember().address()
        .getPort().get();
    for (int i = 1; i < count; i++) {
      nodes.add(LchatNode.start(config.apply(List.of(seed))));
    }
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
    while (nodes.stream().anyMatch(n -> upMembers(n) < count)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the " + count + " nodes did not form a cluster in 30 s");
      }
      Thread.sleep(200);
    }
    return nodes;
  }

  /** Cluster members this node sees as Up. */
  public static long upMembers(LchatNode node) {
    long up = 0;
    for (org.apache.pekko.cluster.Member m : org.apache.pekko.cluster.typed.Cluster.get(node.system()).state()
        .getMembers()) {
      if (m.status() == org.apache.pekko.cluster.MemberStatus.up()) {
        up++;
      }
    }
    return up;
  }

  /** Which of {@code nodes} hosts the room entity, or -1. */
  public static int hostOf(List<LchatNode> nodes, String roomId) throws Exception {
    for (int i = 0; i < nodes.size(); i++) {
      LchatNode node = nodes.get(i);
      org.apache.pekko.actor.typed.ActorRef<Object> sharding =
          org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding.get(node.system()).shardState()
              .unsafeUpcast();
      org.apache.pekko.cluster.sharding.ShardRegion.CurrentShardRegionState state =
          org.apache.pekko.actor.typed.javadsl.AskPattern
              .<Object, org.apache.pekko.cluster.sharding.ShardRegion.CurrentShardRegionState>ask(sharding,
                  replyTo -> new org.apache.pekko.cluster.sharding.typed.GetShardRegionState(
                      uk.co.lchat.room.RoomActor.ENTITY_KEY, replyTo),
                  java.time.Duration.ofSeconds(5), node.system().scheduler())
              .toCompletableFuture().get();
      for (org.apache.pekko.cluster.sharding.ShardRegion.ShardState shard : state.getShards()) {
        if (shard.getEntityIds().contains(roomId)) {
          return i;
        }
      }
    }
    return -1;
  }

  /** A single-node cluster on free ports. */
  public static LchatNode single() throws Exception {
    return LchatNode.start(config(0, List.of()));
  }

  /** A single-node cluster on free ports with {@code settings} over the test defaults. */
  public static LchatNode single(Map<String, Object> settings) throws Exception {
    return LchatNode.start(ConfigFactory.parseMap(settings).withFallback(config(0, List.of())));
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
