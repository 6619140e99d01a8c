package uk.co.lchat.node.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;
import uk.co.lchat.node.tls.TestPem.KeyForm;

/**
 * A node serving HTTPS itself on loopback: pages, the API and signaling over TLS, the plain port's redirects and
 * ACME challenges, certificates renewed under it, broken files that leave it serving the old one, and the door's
 * guards (the header deadline, the per-address cap) applying to connections that have not finished their TLS
 * handshake.
 */
class HttpsIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static Path dir;
  private static TestPem.Authority ca;
  private static SSLContext client;
  private static LchatNode node;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("lchat-https");
    ca = TestPem.Authority.create("HttpsIT CA");
    client = ca.trustingClient();
    ca.issue(TestPem.ec()).write(dir.resolve("cert.pem"), dir.resolve("key.pem"), KeyForm.PKCS8);
    Files.createDirectories(dir.resolve("acme/.well-known/acme-challenge"));
    node = TestNodes.single(settings(dir.resolve("cert.pem"), dir.resolve("key.pem"), Map.of(
        "lchat.http.tls.acme-webroot", dir.resolve("acme").toString(),
        "lchat.http.header-timeout", "2s")));
  }

  private static Map<String, Object> settings(Path cert, Path key, Map<String, Object> more) throws IOException {
    Map<String, Object> s = new HashMap<>(more);
    s.put("lchat.http.tls.enabled", true);
    s.put("lchat.http.tls.certificate", cert.toString());
    s.put("lchat.http.tls.private-key", key.toString());
    s.put("lchat.http.tls.check-interval", "200ms");
    s.put("lchat.http.tls.redirect-port", freePort());
    return s;
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static HttpClient https() {
    return HttpClient.newBuilder().sslContext(client).build();
  }

  /** The certificate a new TLS connection to {@code port} is shown. */
  private static X509Certificate served(int port) throws IOException {
    try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
      s.setSoTimeout(20_000);
      s.startHandshake();
      return (X509Certificate) s.getSession().getPeerCertificates()[0];
    }
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(100);
    }
  }

  @Test
  void pagesTheApiAndSignalingAreServedOverTls() throws Exception {
    HttpResponse<String> health = https().send(HttpRequest.newBuilder(
        URI.create("https://127.0.0.1:" + node.httpPort() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, health.statusCode());
    assertEquals("TLSv1.3", health.sslSession().orElseThrow().getProtocol());
    HttpResponse<String> page = https().send(HttpRequest.newBuilder(
        URI.create("https://127.0.0.1:" + node.httpPort() + "/some-room")).build(), HttpResponse.BodyHandlers.ofString());
    assertTrue(page.body().contains("<html"), "the web client");
    CompletableFuture<String> first = new CompletableFuture<>();
    WebSocket ws = https().newWebSocketBuilder()
        .header("Origin", "https://127.0.0.1:" + node.httpPort())
        .buildAsync(URI.create("wss://127.0.0.1:" + node.httpPort() + "/ws"), new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            first.complete(data.toString());
            return null;
          }
        }).get(30, TimeUnit.SECONDS);
    assertTrue(first.get(30, TimeUnit.SECONDS).contains("\"type\":\"hello\""), "the page's own https origin");
    ws.abort();
  }

  @Test
  void everyHttpsResponseCarriesStrictTransportSecurityAndThePlainPortNone() throws Exception {
    for (String path : List.of("/health", "/some-room", "/api/no-such-route", "/whip/bad!room")) {
      HttpResponse<String> r = https().send(HttpRequest.newBuilder(
          URI.create("https://127.0.0.1:" + node.httpPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals("max-age=31536000", r.headers().firstValue("Strict-Transport-Security").orElse(""),
          "a year by default (RFC 6797 §6.1.1), errors too: " + path + " -> " + r.statusCode());
    }
    HttpResponse<String> redirect = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + node.redirectPort() + "/some-room")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(308, redirect.statusCode());
    assertTrue(redirect.headers().firstValue("Strict-Transport-Security").isEmpty(),
        "never over plain HTTP (RFC 6797 §7.2)");
  }

  @Test
  void strictTransportSecurityTakesItsConfiguredAgeAndSubdomainsOrIsOff() throws Exception {
    Path own = Files.createTempDirectory("lchat-https-hsts");
    ca.issue(TestPem.ec()).write(own.resolve("cert.pem"), own.resolve("key.pem"), KeyForm.PKCS8);
    try (LchatNode custom = TestNodes.single(settings(own.resolve("cert.pem"), own.resolve("key.pem"), Map.of(
             "lchat.http.tls.hsts.max-age", "1h", "lchat.http.tls.hsts.include-subdomains", true)));
         LchatNode off = TestNodes.single(settings(own.resolve("cert.pem"), own.resolve("key.pem"), Map.of(
             "lchat.http.tls.hsts.max-age", "0s")))) {
      assertEquals("max-age=3600; includeSubDomains", https().send(HttpRequest.newBuilder(URI.create(
              "https://127.0.0.1:" + custom.httpPort() + "/health")).build(), HttpResponse.BodyHandlers.ofString())
          .headers().firstValue("Strict-Transport-Security").orElse(""));
      assertTrue(https().send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + off.httpPort() + "/health"))
          .build(), HttpResponse.BodyHandlers.ofString()).headers().firstValue("Strict-Transport-Security")
          .isEmpty(), "max-age 0: no header");
    }
  }

  @Test
  void thePlainPortRedirectsEveryRequestToHttpsKeepingPathQueryAndMethod() throws Exception {
    HttpClient plain = HttpClient.newHttpClient();
    HttpResponse<String> get = plain.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + node.redirectPort() + "/moon-room?lang=en")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(308, get.statusCode());
    assertEquals("https://127.0.0.1:" + node.httpPort() + "/moon-room?lang=en",
        get.headers().firstValue("Location").orElseThrow());
    // The public name the client used (Java's client will not set Host itself).
    try (Socket raw = new Socket("127.0.0.1", node.redirectPort())) {
      raw.getOutputStream().write(("POST /whip/moon HTTP/1.1\r\nHost: meet.example.com\r\nContent-Type:"
          + " application/sdp\r\nContent-Length: 3\r\nConnection: close\r\n\r\nv=0").getBytes());
      String response = new String(raw.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      assertTrue(response.startsWith("HTTP/1.1 308 "), "308 keeps the POST a POST (RFC 9110 §15.4.9): " + response);
      assertTrue(response.contains("\r\nLocation: https://meet.example.com:" + node.httpPort() + "/whip/moon\r\n"),
          response);
    }
  }

  @Test
  void thePlainPortServesAcmeChallengesFromTheWebroot() throws Exception {
    Files.writeString(dir.resolve("acme/.well-known/acme-challenge/Tok3n_-x"), "Tok3n_-x.thumbprint");
    HttpClient plain = HttpClient.newHttpClient();
    HttpResponse<String> challenge = plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + node.redirectPort() + "/.well-known/acme-challenge/Tok3n_-x")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, challenge.statusCode());
    assertEquals("Tok3n_-x.thumbprint", challenge.body());
    assertEquals(404, plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.redirectPort()
        + "/.well-known/acme-challenge/unknown")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
    assertEquals(404, plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.redirectPort()
        + "/.well-known/acme-challenge/..%2F..%2Fkey.pem")).build(), HttpResponse.BodyHandlers.ofString())
        .statusCode(), "nothing outside the challenge directory");
  }

  @Test
  void aRenewedCertificateReachesNewConnectionsAndBrokenFilesLeaveTheOldOneServed() throws Exception {
    TestPem.Issued renewed = ca.issue(TestPem.rsa());
    renewed.write(dir.resolve("cert.pem"), dir.resolve("key.pem"), KeyForm.PKCS1_OR_SEC1);
    await("new connections get the renewed certificate", () -> {
      try {
        return served(node.httpPort()).equals(renewed.certificate());
      } catch (IOException e) {
        return false;
      }
    });
    Files.writeString(dir.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\ntruncated");
    Files.setLastModifiedTime(dir.resolve("cert.pem"), FileTime.fromMillis(System.currentTimeMillis() + 5_000));
    await("the broken file is noticed", () -> node.certificate().problem().isPresent());
    assertEquals(renewed.certificate(), served(node.httpPort()), "still the last good certificate");
    HttpResponse<String> health = https().send(HttpRequest.newBuilder(
        URI.create("https://127.0.0.1:" + node.httpPort() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, health.statusCode());
    renewed.write(dir.resolve("cert.pem"), dir.resolve("key.pem"), KeyForm.PKCS8);
    await("the fixed files are read", () -> node.certificate().problem().isEmpty());
  }

  @Test
  void aHandshakeThatNeverFinishesCountsAgainstTheHeaderDeadline() throws Exception {
    long before = node.connections().headerTimeouts();
    try (Socket silent = new Socket(); Socket halfHello = new Socket()) {
      silent.connect(new InetSocketAddress("127.0.0.1", node.httpPort()));
      halfHello.connect(new InetSocketAddress("127.0.0.1", node.httpPort()));
      // A TLS record header announcing a ClientHello that never comes (RFC 8446 §5.1).
      halfHello.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01});
      halfHello.getOutputStream().flush();
      long start = System.nanoTime();
      assertClosedByServer(silent);
      assertClosedByServer(halfHello);
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
      assertTrue(seconds < 30, "closed after the 2 s header deadline, not the 120 s idle timeout: " + seconds + " s");
    }
    await("both counted as header timeouts", () -> node.connections().headerTimeouts() >= before + 2);
  }

  @Test
  void connectionsStillInTheirHandshakeCountAgainstTheAddressCap() throws Exception {
    Path own = Files.createTempDirectory("lchat-https-cap");
    ca.issue(TestPem.ec()).write(own.resolve("cert.pem"), own.resolve("key.pem"), KeyForm.PKCS8);
    // A deadline far longer than the test, so the handshaking connections are still open when the fourth comes.
    try (LchatNode node = TestNodes.single(settings(own.resolve("cert.pem"), own.resolve("key.pem"), Map.of(
        "lchat.http.header-timeout", "5m", "lchat.http.max-connections-per-address", 3)))) {
      connectionsOverTheCapAreRefused(node);
    }
  }

  private static void connectionsOverTheCapAreRefused(LchatNode node) throws Exception {
    InetAddress crowded = InetAddress.getByName("127.0.0.9");
    List<Socket> open = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(crowded, 0));
        s.connect(new InetSocketAddress("127.0.0.1", node.httpPort()));
        open.add(s);
      }
      await("three handshaking connections are counted", () -> node.connections().openConnections() >= 3);
      long refused = node.connections().refusedConnections();
      Socket fourth = new Socket();
      open.add(fourth);
      fourth.bind(new InetSocketAddress(crowded, 0));
      fourth.connect(new InetSocketAddress("127.0.0.1", node.httpPort()));
      assertClosedByServer(fourth);
      await("the fourth is refused by the cap (not cut by the deadline)",
          () -> node.connections().refusedConnections() == refused + 1);
      // Another address is served meanwhile.
      try (SSLSocket other = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", node.httpPort(),
          InetAddress.getByName("127.0.0.10"), 0)) {
        other.startHandshake();
      }
    } finally {
      for (Socket s : open) {
        s.close();
      }
    }
  }

  @Test
  void aNodeWhoseFilesAreMissingAtStartRunsAndServesHttpsOnceTheyAppear() throws Exception {
    Path later = Files.createTempDirectory("lchat-https-later");
    try (LchatNode waiting = TestNodes.single(settings(later.resolve("fullchain.pem"), later.resolve("privkey.pem"),
        Map.of()))) {
      assertTrue(waiting.certificate().problem().orElseThrow().contains("does not exist"));
      assertThrows(IOException.class, () -> served(waiting.httpPort()), "no certificate yet: closed at once");
      assertEquals(308, HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + waiting.redirectPort() + "/")).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode(), "the plain port answers meanwhile");
      TestPem.Issued issued = ca.issue(TestPem.ec());
      issued.write(later.resolve("fullchain.pem"), later.resolve("privkey.pem"), KeyForm.PKCS8);
      await("HTTPS works once the files are there", () -> {
        try {
          return served(waiting.httpPort()).equals(issued.certificate());
        } catch (IOException e) {
          return false;
        }
      });
    }
  }

  @Test
  void lanModeServesItsOwnCertificateForTheAddressAndOffersItsCaOnThePlainPort() throws Exception {
    Path data = Files.createTempDirectory("lchat-lan-data");
    try (LchatNode lan = TestNodes.single(Map.of("lchat.lan.enabled", true,
        "lchat.lan.addresses", List.of("127.0.0.1"), "lchat.lan.data-dir", data.toString(),
        "lchat.http.tls.redirect-port", freePort()))) {
      X509Certificate ca;
      try (InputStream in = Files.newInputStream(data.resolve("ca.crt"))) {
        ca = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
      }
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("lan", ca);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext trusting = SSLContext.getInstance("TLS");
      trusting.init(null, tmf.getTrustManagers(), null);
      // Java's client checks the address against the certificate's IP names, as browsers do.
      HttpResponse<String> health = HttpClient.newBuilder().sslContext(trusting).build().send(HttpRequest.newBuilder(
          URI.create("https://127.0.0.1:" + lan.httpPort() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, health.statusCode());
      assertTrue(health.headers().firstValue("Strict-Transport-Security").isEmpty(),
          "LAN mode sends no HSTS: it would pin the machine's name to HTTPS for its other services");
      HttpResponse<String> download = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
          "http://127.0.0.1:" + lan.redirectPort() + "/" + HttpsRedirect.CA_PATH)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, download.statusCode());
      assertEquals("application/x-x509-ca-cert", download.headers().firstValue("Content-Type").orElseThrow());
      assertEquals(Files.readString(data.resolve("ca.crt")), download.body());
    }
  }

  /** The server closes {@code socket} (end of stream or a reset) within the test's wait. */
  private static void assertClosedByServer(Socket socket) throws IOException {
    socket.setSoTimeout((int) WAIT.toMillis());
    InputStream in = socket.getInputStream();
    try {
      while (in.read() != -1) {
        // a TLS alert may come first
      }
    } catch (SocketException reset) {
      // closed with a reset: closed all the same
    }
  }
}
