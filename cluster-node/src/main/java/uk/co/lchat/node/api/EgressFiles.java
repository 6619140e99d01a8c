package uk.co.lchat.node.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

import uk.co.lchat.egress.EgressCluster;
import uk.co.lchat.egress.EgressProtocol;
import uk.co.lchat.egress.EgressProtocol.Chunk;
import uk.co.lchat.egress.EgressService;
import uk.co.lchat.node.http.JsonErrors;

/**
 * An egress's files over HTTP, whichever node recorded them: from this node's storage when it has them (ranges
 * served, so players can seek), else streamed from the node that has them, a piece at a time over the cluster
 * ({@link EgressProtocol.ReadChunk}), so a client never needs to know which node recorded.
 */
public final class EgressFiles extends AllDirectives {
  private final EgressService local;
  private final EgressCluster cluster;

  /** {@code local}: this node's egress, null when it does not record. */
  public EgressFiles(EgressService local, EgressCluster cluster) {
    this.local = local;
    this.cluster = cluster;
  }

  /**
   * The file {@code name} of {@code egressId}: a recorded file ({@code hls} false) or one of its HLS stream.
   * Not found anywhere: 404 with {@code notFound} as the message. {@code headers} go with the file only (a
   * cache must not keep an error for as long as a segment).
   */
  public Route serve(String egressId, String name, boolean hls, ContentType type, String notFound) {
    return serve(egressId, name, hls, type, notFound, List.of());
  }

  public Route serve(String egressId, String name, boolean hls, ContentType type, String notFound,
                     List<HttpHeader> headers) {
    Optional<Path> here = local == null ? Optional.empty()
        : hls ? local.hlsFile(egressId, name) : local.recordings().file(egressId, name);
    if (here.isPresent()) {
      return respondWithHeaders(headers, () -> getFromFile(here.get().toFile(), type));
    }
    return completeWithFuture(remote(egressId, name, hls, type)
        .thenApply(r -> r.map(ok -> ok.addHeaders(headers))
            .orElseGet(() -> JsonErrors.response(404, "file_not_found", notFound)))
        .exceptionally(e -> JsonErrors.response(503, "unavailable",
            "The node that has this file did not answer; try again.")));
  }

  /** The file from the node that has it, streamed piece by piece up to the size it had when the first came. */
  private CompletionStage<Optional<HttpResponse>> remote(String egressId, String name, boolean hls,
                                                         ContentType type) {
    return cluster.find(egressId).thenCompose(found -> {
      if (found.isEmpty()) {
        return CompletableFuture.completedFuture(Optional.<HttpResponse>empty());
      }
      ActorRef<EgressProtocol.Command> node = found.get().node();
      return cluster.read(node, egressId, name, hls, 0).thenApply(first -> {
        if (!first.found()) {
          return Optional.<HttpResponse>empty();
        }
        long size = first.size();
        Source<ByteString, ?> rest = Source.unfoldAsync((long) first.bytes().length, offset -> offset >= size
            ? CompletableFuture.completedFuture(Optional.<Pair<Long, ByteString>>empty())
            : cluster.read(node, egressId, name, hls, offset).thenApply(c -> piece(c, offset, size)));
        Source<ByteString, ?> all = Source.single(ByteString.fromArray(first.bytes())).concat(rest);
        return Optional.of(HttpResponse.create().withEntity(HttpEntities.create(type, size, all)));
      });
    });
  }

  /** The next piece and where the one after starts; a file gone or cut short mid-way fails the download. */
  private static Optional<Pair<Long, ByteString>> piece(Chunk c, long offset, long size) {
    if (!c.found() || c.bytes().length == 0) {
      throw new IllegalStateException("the file went away or was cut short at " + offset + " of " + size);
    }
    int take = (int) Math.min(c.bytes().length, size - offset);
    return Optional.of(Pair.create(offset + take, ByteString.fromArray(c.bytes(), 0, take)));
  }
}
