package uk.co.lchat.node.pageshare;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.ClientTransport;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.OutgoingConnectionBuilder;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.headers.UserAgent;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

import uk.co.lchat.room.FramingCheck;
import uk.co.lchat.room.PageAddress;
import uk.co.lchat.room.PageHosts;
import uk.co.lchat.room.RoomProtocol.Framing;

/**
 * The node's {@link FramingCheck}: it requests a shared page once (GET, no cookies or credentials, one connection
 * of its own, the body never read: the response headers are all it looks at, and the parser's header limits bound
 * them) and decides from X-Frame-Options and CSP ({@link FramingHeaders}). Redirects are followed, up to
 * {@link #MAX_REDIRECTS}, each hop checked again against the allow-list.
 *
 * <p>Server-side request forgery: the connection goes to the address this check resolved and vetted itself (Pekko
 * HTTP's custom resolver), never to one looked up again later, so a name that resolves to a public address for the
 * check and to 127.0.0.1 for the connection (DNS rebinding) gets nowhere. An address of the node's own or private
 * networks ({@link PrivateAddresses}) is fetched only when the allow-list names the host exactly; otherwise the
 * page is not checked (framing unknown: clients show it in the frame, their own browsers fetch it).
 */
public final class PageFramingProbe implements FramingCheck {
  static final int MAX_REDIRECTS = 3;
  private static final String USER_AGENT = "LunarChat-FramingCheck/1";

  private final ActorSystem<?> system;
  private final PageHosts hosts;
  private final Duration timeout;
  private final Executor lookups;

  public PageFramingProbe(ActorSystem<?> system, PageHosts hosts, Duration timeout) {
    this.system = system;
    this.hosts = hosts;
    this.timeout = timeout;
    // Name lookups block: they run on the blocking dispatcher, never on the actors' threads.
    this.lookups = system.dispatchers().lookup(DispatcherSelector.blocking());
  }

  /** Why the check did not fetch: an address it may not go to. */
  private static final class NotFetched extends RuntimeException {
    NotFetched(String message) {
      super(message, null, false, false);
    }
  }

  @Override
  public CompletionStage<Result> check(String url) {
    return fetch(url, 0).toCompletableFuture()
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(PageFramingProbe::unknown);
  }

  private CompletionStage<Result> fetch(String url, int hop) {
    if (!(PageAddress.parse(url) instanceof PageAddress.Parsed.Valid page)) {
      return CompletableFuture.completedFuture(new Result(Framing.UNKNOWN, "not checked: redirected to " + url));
    }
    if (!hosts.allows(page.host())) {
      return CompletableFuture.completedFuture(new Result(Framing.UNKNOWN,
          "not checked: redirected to " + page.host() + ", a host not on the allow-list"));
    }
    URI uri = URI.create(page.url());
    boolean https = uri.getScheme().equals("https");
    int port = uri.getPort() != -1 ? uri.getPort() : https ? 443 : 80;
    String host = page.host();
    ClientConnectionSettings settings = ClientConnectionSettings.create(system.settings().config())
        .withConnectingTimeout(timeout)
        .withIdleTimeout(timeout)
        .withUserAgentHeader(Optional.of(UserAgent.create(USER_AGENT)))
        .withTransport(ClientTransport.withCustomResolver((name, p) -> resolve(host, (Integer) p)));
    OutgoingConnectionBuilder connection = Http.get(system).connectionTo(host).toPort(port)
        .withClientConnectionSettings(settings);
    String target = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    HttpRequest request = HttpRequest.GET(target)
        .addHeader(RawHeader.create("Accept", "text/html,application/xhtml+xml,*/*;q=0.8"));
    return Source.single(request).via(https ? connection.https() : connection.http())
        .runWith(Sink.head(), system)
        .thenCompose(response -> {
          // The body is never read: cancelling it closes the connection.
          response.entity().getDataBytes().runWith(Sink.cancelled(), system);
          int status = response.status().intValue();
          Optional<HttpHeader> location = response.getHeader("Location");
          if (status >= 300 && status < 400 && location.isPresent()) {
            if (hop >= MAX_REDIRECTS) {
              return CompletableFuture.completedFuture(new Result(Framing.UNKNOWN,
                  "not checked: more than " + MAX_REDIRECTS + " redirects"));
            }
            String next;
            try {
              next = uri.resolve(location.get().value().trim()).toString();
            } catch (IllegalArgumentException e) {
              return CompletableFuture.completedFuture(new Result(Framing.UNKNOWN,
                  "not checked: a redirect to an invalid address"));
            }
            return fetch(next, hop + 1);
          }
          return CompletableFuture.completedFuture(FramingHeaders.decide(values(response, "X-Frame-Options"),
              values(response, "Content-Security-Policy")));
        });
  }

  /** Resolves {@code host} once and vets every address it has; the connection goes to the first one. */
  private CompletionStage<InetSocketAddress> resolve(String host, int port) {
    return CompletableFuture.supplyAsync(() -> {
      InetAddress[] addresses;
      try {
        addresses = InetAddress.getAllByName(host);
      } catch (UnknownHostException e) {
        throw new NotFetched("could not reach the site: no address for " + host);
      }
      if (!hosts.namesExactly(host)) {
        for (InetAddress a : addresses) {
          if (PrivateAddresses.isPrivate(a)) {
            throw new NotFetched("not checked: " + host + " is at a private or local address, which the node"
                + " fetches only for a host its allow-list names exactly");
          }
        }
      }
      return new InetSocketAddress(addresses[0], port);
    }, lookups);
  }

  private static List<String> values(HttpResponse response, String name) {
    List<String> values = new ArrayList<>();
    for (HttpHeader h : response.getHeaders()) {
      if (h.is(name.toLowerCase(Locale.ROOT))) {
        values.add(h.value());
      }
    }
    return values;
  }

  /** The site could not be asked: clients show the page in the frame anyway. */
  private static Result unknown(Throwable error) {
    Throwable e = error;
    while ((e instanceof CompletionException || e.getCause() instanceof NotFetched) && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof NotFetched) {
      return new Result(Framing.UNKNOWN, e.getMessage());
    }
    if (e instanceof TimeoutException) {
      return new Result(Framing.UNKNOWN, "could not reach the site: no answer in time");
    }
    return new Result(Framing.UNKNOWN, "could not reach the site: " + e.getClass().getSimpleName());
  }
}
