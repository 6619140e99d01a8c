package uk.co.lchat.node.http;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import javax.net.ssl.SSLEngine;

import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.TLSClosing;
import org.apache.pekko.stream.TLSProtocol.SslTlsInbound;
import org.apache.pekko.stream.TLSProtocol.SslTlsOutbound;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.TLS;
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
 *
 * <p>With a certificate, TLS is the bottom layer of each connection, under the guards: a connection counts against
 * its address's cap from its first byte, and its handshake against the deadline of its first request's head, so a
 * client that starts handshakes and never finishes them is cut off like one that sends its headers slowly.
 */
public final class HttpListener {
  private HttpListener() {}

  public static CompletionStage<Tcp.ServerBinding> bind(ActorSystem<?> system, String host, int port, Route routes,
                                                       FrontDoorSettings settings, ConnectionGate gate) {
    return bind(system, host, port, routes, settings, gate, null, List.of());
  }

  /**
   * HTTPS when {@code tls} is given: it makes each new connection's TLS engine with the certificate of the moment,
   * or gives none while there is no usable certificate, and the connection is then closed at once.
   * {@code responseHeaders} go on every response the routes give, refusals included (Strict-Transport-Security).
   */
  public static CompletionStage<Tcp.ServerBinding> bind(ActorSystem<?> system, String host, int port, Route routes,
                                                       FrontDoorSettings settings, ConnectionGate gate,
                                                       Supplier<Optional<SSLEngine>> tls,
                                                       List<HttpHeader> responseHeaders) {
    Config config = system.settings().config();
    ServerSettings server = ServerSettings.create(config);
    Materializer materializer = Materializer.matFromSystem(system);
    // After sealing (routes.flow), so that responses made from rejections carry the headers too.
    Flow<HttpRequest, HttpResponse, NotUsed> handler = responseHeaders.isEmpty() ? routes.flow(system)
        : routes.flow(system).map(response -> response.addHeaders(responseHeaders));
    return Tcp.get(system).bind(host, port, server.getBacklog(), server.getSocketOptions(), false,
            idleTimeout(config))
        .mapAsyncUnordered(settings.maxConnections(), connection ->
            serve(connection, Http.get(system), handler, server, settings, gate, tls, materializer))
        .toMat(Sink.ignore(), Keep.left())
        .run(materializer);
  }

  /** Serves one connection; completes (never fails) when it has closed, which frees its place. */
  private static CompletionStage<Done> serve(Tcp.IncomingConnection connection, Http http,
                                             Flow<HttpRequest, HttpResponse, NotUsed> handler, ServerSettings server,
                                             FrontDoorSettings settings, ConnectionGate gate,
                                             Supplier<Optional<SSLEngine>> tls, Materializer materializer) {
    InetAddress client = connection.remoteAddress().getAddress();
    if (!gate.admit(client)) {
      refuse(connection, materializer);
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    CompletionStage<Done> closed;
    try {
      BidiFlow<SslTlsOutbound, ByteString, ByteString, SslTlsInbound, NotUsed> transport;
      if (tls == null) {
        transport = plainText();
      } else {
        Optional<SSLEngine> engine = tls.get();
        if (engine.isEmpty()) {
          gate.release(client);
          refuse(connection, materializer);
          return CompletableFuture.completedFuture(Done.getInstance());
        }
        // As pekko-http's own HTTPS binding: either side ending ends the connection.
        transport = TLS.create(engine::get, TLSClosing.eagerClose());
      }
      // A connection that misses its deadline is cut at the socket: a TLS engine still waiting for a handshake
      // would otherwise hold the connection open after the layers above it have closed.
      SharedKillSwitch socket = KillSwitches.shared("http-connection");
      Runnable timedOut = () -> {
        gate.headerTimedOut();
        socket.shutdown();
      };
      BidiFlow<HttpResponse, ByteString, ByteString, HttpRequest, NotUsed> layers =
          BidiFlow.fromGraph(new RequestHeadDeadline(settings.headerTimeout(), timedOut))
              .atop(http.serverLayer(server, Optional.of(connection.remoteAddress())))
              .atop(transport)
              .atop(BidiFlow.fromFlows(socket.<ByteString>flow(), socket.<ByteString>flow()));
      closed = connection.handleWith(handler.join(layers).watchTermination(Keep.right()), materializer);
    } catch (RuntimeException e) {
      closed = CompletableFuture.failedFuture(e);
    }
    return closed.handle((done, failure) -> {
      gate.release(client);
      return Done.getInstance();
    });
  }

  private static void refuse(Tcp.IncomingConnection connection, Materializer materializer) {
    connection.handleWith(Flow.fromSinkAndSource(Sink.cancelled(), Source.empty()), materializer);
  }

  /** No TLS: bytes pass through as they are. */
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
