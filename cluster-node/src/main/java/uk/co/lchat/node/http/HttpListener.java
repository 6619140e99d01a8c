package uk.co.lchat.node.http;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.TLSProtocol.SslTlsInbound;
import org.apache.pekko.stream.TLSProtocol.SslTlsOutbound;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.TLSPlacebo;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

import com.typesafe.config.Config;

/**
 * The node's HTTP server: pekko-http's server layer on connections we accept ourselves, so that the door can be
 * guarded below HTTP. Each connection passes the {@link ConnectionGate} (a cap per client address) and a
 * {@link RequestHeadDeadline} (each request's head within {@code lchat.http.header-timeout}); the node holds at most
 * {@code lchat.http.max-connections} (further clients wait in the listen backlog until one closes). Otherwise it is
 * what {@code Http.newServerAt(...).bind(routes)} builds: the same {@code pekko.http.server} settings (timeouts,
 * parsing, WebSocket keep-alive), whose {@code max-connections} it replaces.
 */
public final class HttpListener {
  private HttpListener() {}

  public static CompletionStage<Tcp.ServerBinding> bind(ActorSystem<?> system, String host, int port, Route routes,
                                                       FrontDoorSettings settings, ConnectionGate gate) {
    Config config = system.settings().config();
    ServerSettings server = ServerSettings.create(config);
    Materializer materializer = Materializer.matFromSystem(system);
    Flow<HttpRequest, HttpResponse, NotUsed> handler = routes.flow(system);
    return Tcp.get(system).bind(host, port, server.getBacklog(), server.getSocketOptions(), false,
            idleTimeout(config))
        .mapAsyncUnordered(settings.maxConnections(), connection ->
            serve(connection, Http.get(system), handler, server, settings, gate, materializer))
        .toMat(Sink.ignore(), Keep.left())
        .run(materializer);
  }

  /** Serves one connection; completes (never fails) when it has closed, which frees its place. */
  private static CompletionStage<Done> serve(Tcp.IncomingConnection connection, Http http,
                                             Flow<HttpRequest, HttpResponse, NotUsed> handler, ServerSettings server,
                                             FrontDoorSettings settings, ConnectionGate gate,
                                             Materializer materializer) {
    InetAddress client = connection.remoteAddress().getAddress();
    if (!gate.admit(client)) {
      connection.handleWith(Flow.fromSinkAndSource(Sink.cancelled(), Source.empty()), materializer);
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    CompletionStage<Done> closed;
    try {
      BidiFlow<HttpResponse, ByteString, ByteString, HttpRequest, NotUsed> layers =
          BidiFlow.fromGraph(new RequestHeadDeadline(settings.headerTimeout(), gate::headerTimedOut))
              .atop(http.serverLayer(server, Optional.of(connection.remoteAddress())))
              .atop(plainText());
      closed = connection.handleWith(handler.join(layers).watchTermination(Keep.right()), materializer);
    } catch (RuntimeException e) {
      closed = CompletableFuture.failedFuture(e);
    }
    return closed.handle((done, failure) -> {
      gate.release(client);
      return Done.getInstance();
    });
  }

  /** No TLS: bytes pass through as they are (TLS, when it comes, goes here). */
  @SuppressWarnings("unchecked")
  private static BidiFlow<SslTlsOutbound, ByteString, ByteString, SslTlsInbound, NotUsed> plainText() {
    // The placebo's inbound SessionBytes are SslTlsInbound; Java's generics do not see the covariance.
    return (BidiFlow<SslTlsOutbound, ByteString, ByteString, SslTlsInbound, NotUsed>) (BidiFlow<?, ?, ?, ?, ?>)
        TLSPlacebo.getInstance();
  }

  /** pekko-http's idle timeout, applied to the whole TCP connection as its own binding does. */
  private static Optional<Duration> idleTimeout(Config config) {
    String path = "pekko.http.server.idle-timeout";
    if (config.getString(path).equals("infinite")) {
      return Optional.empty();
    }
    return Optional.of(config.getDuration(path));
  }
}
