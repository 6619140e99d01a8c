package uk.co.lchat.node.stats;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import uk.co.lchat.metrics.ClusterStatistics;
import uk.co.lchat.metrics.NodeMetrics;

/** GET /metrics (Prometheus) and GET /stats (JSON; {@code ?scope=cluster} for every node together). */
public final class StatsRoutes {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ActorSystem<?> system;
  private final NodeMetrics metrics;
  private final Duration timeout;

  public StatsRoutes(ActorSystem<?> system, NodeMetrics metrics, Duration timeout) {
    this.system = system;
    this.metrics = metrics;
    this.timeout = timeout;
  }

  public Route metricsRoute() {
    return path("metrics", () -> get(() -> complete(HttpResponse.create()
        .withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, metrics.scrape())))));
  }

  public Route routes() {
    return concat(metricsRoute(),
        path("stats", () -> get(() -> parameterOptional("scope", scope -> {
          String s = scope.orElse("node");
          if (s.equals("node")) {
            return json(metrics.statisticsJson());
          }
          if (s.equals("cluster")) {
            return completeWithFuture(cluster().thenApply(body -> HttpResponse.create()
                .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body))));
          }
          return complete(StatusCodes.BAD_REQUEST, "scope must be node or cluster");
        }))));
  }

  private Route json(String body) {
    return complete(HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body)));
  }

  /** Every node's statistics, aggregated; nodes that did not answer in time are counted, not waited for. */
  private CompletionStage<String> cluster() {
    return gather(system, timeout).thenApply(g -> {
      Map<String, Object> body = ClusterStatistics.aggregate(g.nodes());
      body.put("node_count", g.nodes().size());
      body.put("nodes_not_answering", g.missing());
      try {
        return JSON.writeValueAsString(body);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  /** Each answering node's statistics by its address, and how many did not answer. */
  public record Gathered(Map<String, JsonNode> nodes, int missing) {}

  /** Asks every node's statistics actor (found through the receptionist) for its statistics. */
  public static CompletionStage<Gathered> gather(ActorSystem<?> system, Duration timeout) {
    CompletionStage<Receptionist.Listing> listing = AskPattern.ask(system.receptionist(),
        reply -> Receptionist.find(StatsProtocol.SERVICE_KEY, reply), timeout, system.scheduler());
    return listing.thenCompose(l -> {
      List<CompletableFuture<StatsProtocol.NodeStats>> asks = l.getServiceInstances(StatsProtocol.SERVICE_KEY)
          .stream()
          .map(ref -> AskPattern.<StatsProtocol.Command, StatsProtocol.NodeStats>ask(ref,
                  StatsProtocol.GetNodeStats::new, timeout, system.scheduler())
              .toCompletableFuture()
              .exceptionally(e -> null))
          .toList();
      return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenApply(done -> {
        Map<String, JsonNode> nodes = new TreeMap<>();
        int missing = 0;
        for (CompletableFuture<StatsProtocol.NodeStats> f : asks) {
          StatsProtocol.NodeStats n = f.join();
          if (n == null) {
            missing++;
            continue;
          }
          try {
            nodes.put(n.node(), JSON.readTree(n.json()));
          } catch (JsonProcessingException e) {
            missing++;
          }
        }
        return new Gathered(nodes, missing);
      });
    });
  }
}
