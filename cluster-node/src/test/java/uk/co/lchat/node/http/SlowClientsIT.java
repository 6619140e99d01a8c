package uk.co.lchat.node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;

/**
 * Issue 17, item 5: slow ("slowloris") clients cannot lock people out of the node. Each slow connection sends the
 * start of a request head and then one byte every few seconds, never finishing it.
 *
 * <p>All clients of a test come from loopback, so the per-address cap is set here (100) and the slow connections
 * come from 20 loopback addresses (127.0.0.10 to .29; Linux routes all of 127/8 to the loopback interface), while
 * {@code /health} is asked from 127.0.0.1. The test needs about 4,200 file descriptors (both ends of 2,000 sockets
 * in this JVM); HotSpot raises its soft limit to the hard limit at start (-XX:+MaxFDLimit, on by default), so the
 * hard {@code ulimit -Hn} must be at least 5,000 (the test checks /proc/self/limits and says so).
 */
class SlowClientsIT {
  static final Duration HEADER_TIMEOUT = Duration.ofSeconds(30);
  static final int PER_ADDRESS = 100;
  static LchatNode node;
  static int port;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.single(Map.of(
            "lchat.http.header-timeout", HEADER_TIMEOUT.toSeconds() + "s",
            "lchat.http.max-connections-per-address", PER_ADDRESS));
    port = node.httpPort();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void healthAnswersWhileTwoThousandSlowConnectionsAreOpenAndTheyAreClosedAfterTheHeaderTimeout() throws Exception {
    assertTrue(openFileLimit() >= 5000, "this test needs at least 5000 open files (ulimit -n), has "
        + openFileLimit());
    long timeoutsBefore = node.connections().headerTimeouts();
    long openBefore = node.connections().openConnections();
    List<Socket> slow = new ArrayList<>();
    AtomicBoolean trickling = new AtomicBoolean(true);
    Thread trickle = new Thread(() -> trickle(slow, trickling), "slowloris");
    try {
      for (int i = 0; i < 2000; i++) {
        slow.add(slowConnection(InetAddress.getByName("127.0.0." + (10 + i / PER_ADDRESS))));
      }
      trickle.start();
      await(() -> node.connections().openConnections() >= openBefore + 2000, Duration.ofSeconds(60),
          "the node accepts the 2000 slow connections");

      HttpResponse<String> health = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).build()
          .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
              .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, health.statusCode());
      assertEquals("ok", new ObjectMapper().readTree(health.body()).get("status").asText());
      assertEquals(timeoutsBefore, node.connections().headerTimeouts(),
          "/health answered while every slow connection was still open");
      assertTrue(node.connections().openConnections() >= openBefore + 2000);

      await(() -> node.connections().headerTimeouts() >= timeoutsBefore + 2000,
          HEADER_TIMEOUT.plus(Duration.ofSeconds(90)), "the node closes the slow connections after the header timeout");
      for (Socket s : slow) {
        assertTrue(closedByServer(s, Duration.ofSeconds(30)), "each slow connection was closed by the node");
      }
      assertTrue(TestNodes.get(port, "/metrics").body().contains("lchat_http_refused_total{reason=\"header_timeout\",}"));
    } finally {
      trickling.set(false);
      for (Socket s : slow) {
        s.close();
      }
    }
  }

  @Test
  void anAddressOverItsConnectionCapIsRefusedAtOnceWhileOthersAreServed() throws Exception {
    InetAddress crowded = InetAddress.getByName("127.0.0.3");
    long refusedBefore = node.connections().refusedConnections();
    long openBefore = node.connections().openConnections();
    List<Socket> slow = new ArrayList<>();
    try {
      for (int i = 0; i < PER_ADDRESS; i++) {
        slow.add(slowConnection(crowded));
      }
      await(() -> node.connections().openConnections() >= openBefore + PER_ADDRESS, Duration.ofSeconds(30),
          "the node accepts " + PER_ADDRESS + " connections from one address");
      Socket oneTooMany = slowConnection(crowded);
      slow.add(oneTooMany);
      // Closed well before the header timeout, without waiting for a request.
      assertTrue(closedByServer(oneTooMany, HEADER_TIMEOUT.dividedBy(2)), "the connection over the cap is closed");
      assertEquals(refusedBefore + 1, node.connections().refusedConnections());
      assertEquals("ok", TestNodes.getJson(port, "/health").get("status").asText(), "another address is served");
    } finally {
      for (Socket s : slow) {
        s.close();
      }
    }
  }

  /** A connection from {@code local} that has sent the start of a request head, and no end to it. */
  private static Socket slowConnection(InetAddress local) throws IOException {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(local, 0));
    s.connect(new InetSocketAddress("127.0.0.1", port), 20_000);
    s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    return s;
  }

  /** One more byte of the endless header on every connection, every few seconds (what keeps pekko's idle timer). */
  private static void trickle(List<Socket> sockets, AtomicBoolean running) {
    while (running.get()) {
      for (Socket s : List.copyOf(sockets)) {
        try {
          s.getOutputStream().write('a');
        } catch (IOException closed) {
          // the node closed it: expected after the header timeout
        }
      }
      try {
        Thread.sleep(3000);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Whether the node closed {@code s} (end of stream or reset) within {@code within}. */
  private static boolean closedByServer(Socket s, Duration within) throws IOException {
    s.setSoTimeout((int) within.toMillis());
    InputStream in = s.getInputStream();
    try {
      while (true) {
        if (in.read() == -1) {
          return true;
        }
      }
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  private static void await(BooleanSupplier condition, Duration within, String what) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + within.toSeconds() + " s: " + what);
      }
      Thread.sleep(100);
    }
  }

  /** The soft limit on open files of this process. */
  private static long openFileLimit() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
      if (line.startsWith("Max open files")) {
        String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
        return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
      }
    }
    return Long.MAX_VALUE;
  }
}
