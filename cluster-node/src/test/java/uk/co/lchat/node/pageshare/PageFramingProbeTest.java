package uk.co.lchat.node.pageshare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import uk.co.lchat.room.FramingCheck;
import uk.co.lchat.room.PageHosts;
import uk.co.lchat.room.RoomProtocol.Framing;

/** The node's framing check against a real HTTP server on loopback: headers, redirects, limits, SSRF. */
class PageFramingProbeTest {
  static final ActorTestKit kit = ActorTestKit.create();
  static HttpServer server;
  static final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
  static final Map<String, String> cookies = new ConcurrentHashMap<>();

  @BeforeAll
  static void serve() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    page("/open", Map.of());
    page("/deny", Map.of("X-Frame-Options", "DENY"));
    page("/csp", Map.of("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"));
    page("/moved", Map.of("Location", "/deny"), 302);
    page("/away", Map.of("Location", "http://elsewhere.invalid/"), 301);
    page("/loop", Map.of("Location", "/loop"), 302);
    server.createContext("/endless", x -> {
      count(x);
      x.getResponseHeaders().add("X-Frame-Options", "SAMEORIGIN");
      x.sendResponseHeaders(200, 0);
      byte[] chunk = new byte[64 * 1024];
      try (OutputStream out = x.getResponseBody()) {
        for (int i = 0; i < 100_000; i++) {
          out.write(chunk); // 6 GB, if anyone read it
        }
      } catch (IOException closed) {
        // the check hung up, as it should
      }
    });
    server.createContext("/silent", x -> {
      count(x);
      try {
        Thread.sleep(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      x.close();
    });
    server.start();
  }

  private static void page(String path, Map<String, String> headers) {
    page(path, headers, 200);
  }

  private static void page(String path, Map<String, String> headers, int status) {
    server.createContext(path, x -> {
      count(x);
      headers.forEach(x.getResponseHeaders()::add);
      byte[] body = "<!doctype html><title>page</title>".getBytes(StandardCharsets.UTF_8);
      x.sendResponseHeaders(status, body.length);
      try (OutputStream out = x.getResponseBody()) {
        out.write(body);
      }
    });
  }

  private static void count(HttpExchange x) {
    requests.computeIfAbsent(x.getRequestURI().getPath(), p -> new AtomicInteger()).incrementAndGet();
    String cookie = x.getRequestHeaders().getFirst("Cookie");
    if (cookie != null) {
      cookies.put(x.getRequestURI().getPath(), cookie);
    }
  }

  @AfterAll
  static void stop() {
    server.stop(0);
    kit.shutdownTestKit();
  }

  private static String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  private static FramingCheck.Result check(List<String> allowed, String path) throws Exception {
    return new PageFramingProbe(kit.system(), PageHosts.of(allowed), Duration.ofSeconds(2)).check(url(path))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static int served(String path) {
    AtomicInteger n = requests.get(path);
    return n == null ? 0 : n.get();
  }

  @Test
  void aPageWithoutFramingHeadersMayBeFramedAndOneWithThemMayNot() throws Exception {
    assertEquals(new FramingCheck.Result(Framing.ALLOWED, null), check(List.of("127.0.0.1"), "/open"));
    assertEquals(new FramingCheck.Result(Framing.REFUSED, "X-Frame-Options: DENY"),
        check(List.of("127.0.0.1"), "/deny"));
    assertEquals(Framing.REFUSED, check(List.of("127.0.0.1"), "/csp").framing());
    assertTrue(cookies.isEmpty(), "the check sends no cookies");
  }

  @Test
  void redirectsAreFollowedUpToALimitAndOnlyToAllowedHosts() throws Exception {
    assertEquals(Framing.REFUSED, check(List.of("127.0.0.1"), "/moved").framing());
    FramingCheck.Result away = check(List.of("127.0.0.1"), "/away");
    assertEquals(Framing.UNKNOWN, away.framing());
    assertEquals("not checked: redirected to elsewhere.invalid, a host not on the allow-list", away.detail());
    int before = served("/loop");
    assertEquals(new FramingCheck.Result(Framing.UNKNOWN, "not checked: more than 3 redirects"),
        check(List.of("127.0.0.1"), "/loop"));
    assertEquals(PageFramingProbe.MAX_REDIRECTS + 1, served("/loop") - before);
  }

  @Test
  void aLoopbackAddressIsNeverFetchedThroughAWildcard() throws Exception {
    int before = served("/open");
    FramingCheck.Result r = check(List.of("*"), "/open");
    assertEquals(Framing.UNKNOWN, r.framing());
    assertTrue(r.detail().contains("private or local address"), r.detail());
    assertEquals(before, served("/open"), "no request reached the loopback server");
  }

  @Test
  void theBodyIsNeverReadAndASilentSiteTimesOut() throws Exception {
    long start = System.nanoTime();
    assertEquals(Framing.REFUSED, check(List.of("127.0.0.1"), "/endless").framing());
    FramingCheck.Result silent = check(List.of("127.0.0.1"), "/silent");
    assertEquals(new FramingCheck.Result(Framing.UNKNOWN, "could not reach the site: no answer in time"), silent);
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(8), "both answered within their timeouts");
  }
}
