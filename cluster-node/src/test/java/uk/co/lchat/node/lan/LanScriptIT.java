package uk.co.lchat.node.lan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import uk.co.lchat.node.tls.ServerCertificate;

/**
 * {@code bin/lchat run --lan} as a person runs it: the script itself (its JDK search, its flags, the class path it
 * builds, the JVM it starts), not the node started by hand. The first run makes LAN mode's CA and server certificate
 * under the user's home ({@code ~/.local/share/lchat/lan}; the home is a directory of the test's), prints the HTTPS
 * URL on this machine's network address and both fingerprints, and serves the meeting there over HTTPS with that
 * certificate; a second run keeps both certificates. Plain {@code bin/lchat run} stays on loopback: it answers on
 * 127.0.0.1 and not on the network address. Free ports throughout, so other nodes on the machine are no matter.
 *
 * <p>The script runs with {@code LCHAT_SKIP_BUILD=1}: inside {@code mvn verify} the build is what is being tested
 * already, and building again from the script would be a second Maven run on the same tree.
 */
class LanScriptIT {
  private static final Duration WAIT = Duration.ofSeconds(180);
  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern URL = Pattern.compile("(https://([0-9.]+):(\\d+)/)");
  private static final Pattern CA = Pattern.compile("CA SHA-256 fingerprint:\\s+([0-9A-F:]{95})");
  private static final Pattern SERVER = Pattern.compile("server SHA-256 fingerprint:\\s+([0-9A-F:]{95})");

  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopNodes() throws InterruptedException {
    for (Process p : started) {
      stop(p);
    }
  }

  /** bin/lchat with {@code args}, as this user with {@code home}; its output (the banner, the log) to {@code log}. */
  private Process script(Path home, Path log, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(REPO.resolve("bin/lchat").toString()));
    command.addAll(List.of(args));
    ProcessBuilder b = new ProcessBuilder(command).directory(REPO.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    b.environment().put("JAVA_HOME", System.getProperty("java.home"));
    b.environment().put("LCHAT_SKIP_BUILD", "1");
    b.environment().put("HOME", home.toString());
    // Java takes the home directory from the password database, not $HOME: name it, as the person's own would be.
    b.environment().put("LCHAT_JAVA_OPTS", "-Duser.home=" + home + " -Xmx384m -XX:+UseSerialGC");
    Process p = b.start();
    started.add(p);
    return p;
  }

  /** What {@code log} holds once {@code done} matches it (the script's process must stay up until then). */
  private static String awaitOutput(Process p, Path log, Pattern done) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      String out = Files.exists(log) ? Files.readString(log) : "";
      if (done.matcher(out).find()) {
        return out;
      }
      if (!p.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError("bin/lchat did not get there (" + (p.isAlive() ? "timed out" : "exited "
            + p.exitValue()) + "): " + out);
      }
      Thread.sleep(250);
    }
  }

  /** SIGTERM, as Ctrl-C or systemd would: the script exec'd the JVM, which shuts down. */
  private static void stop(Process p) throws InterruptedException {
    p.destroy();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static String group(Pattern pattern, String text, int group) {
    Matcher m = pattern.matcher(text);
    assertTrue(m.find(), "no " + pattern + " in: " + text);
    return m.group(group);
  }

  private static X509Certificate certificate(Path file) throws Exception {
    try (InputStream in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  private static SSLContext trusting(X509Certificate ca) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setCertificateEntry("lan", ca);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }

  @Test
  void lanModeMakesAndKeepsItsCertificatePrintsTheUrlAndFingerprintsAndServesHttps() throws Exception {
    assumeFalse(LanMode.detect().isEmpty(), "this machine has no network address but loopback: nothing to serve a"
        + " LAN on (LAN mode says so and stops)");
    Path home = Files.createTempDirectory("lchat-lan-home");
    Path data = home.resolve(".local/share/lchat/lan");
    int port = freePort();
    Path firstLog = home.resolve("first.log");
    Process first = script(home, firstLog, "run", "--lan", "--http", String.valueOf(port), "--media-port",
        String.valueOf(freePort()), "--remote-port", String.valueOf(freePort()));
    String banner = awaitOutput(first, firstLog, SERVER);

    // The URL: this machine's own network address (what LAN mode detects), on the port asked for.
    String address = group(URL, banner, 2);
    assertEquals(String.valueOf(port), group(URL, banner, 3), banner);
    assertTrue(LanMode.detect().stream().map(InetAddress::getHostAddress).anyMatch(address::equals),
        address + " is one of this machine's addresses " + LanMode.detect());
    assertFalse(address.startsWith("127."), "not loopback: " + banner);
    // The certificates it made, kept under the home directory, and the fingerprints it printed of them.
    X509Certificate ca = certificate(data.resolve("ca.crt"));
    assertEquals(ServerCertificate.fingerprint(ca), group(CA, banner, 1));
    assertEquals(ServerCertificate.fingerprint(certificate(data.resolve("server.crt"))), group(SERVER, banner, 1));
    assertTrue(banner.contains(data.resolve("ca.crt").toString()), "it says which file to import: " + banner);

    // HTTPS on that URL, with that certificate, checked against the address by a client that trusts the CA.
    SSLContext client = trusting(ca);
    HttpResponse<String> page = HttpClient.newBuilder().sslContext(client).build().send(HttpRequest.newBuilder(
        URI.create(group(URL, banner, 1) + "lan-meeting")).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("<html"), "the meeting page");
    try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket(address, port)) {
      s.startHandshake();
      Certificate served = s.getSession().getPeerCertificates()[0];
      assertEquals(group(SERVER, banner, 1), ServerCertificate.fingerprint((X509Certificate) served));
    }
    stop(first);

    // Again: the same authority and certificate, nothing new to import.
    byte[] caBytes = Files.readAllBytes(data.resolve("ca.crt"));
    Path secondLog = home.resolve("second.log");
    Process second = script(home, secondLog, "run", "--lan", "--http", String.valueOf(port), "--media-port",
        String.valueOf(freePort()), "--remote-port", String.valueOf(freePort()));
    String again = awaitOutput(second, secondLog, SERVER);
    assertEquals(group(CA, banner, 1), group(CA, again, 1), "the CA is kept");
    assertEquals(group(SERVER, banner, 1), group(SERVER, again, 1), "the server certificate is kept");
    assertArrayEquals(caBytes, Files.readAllBytes(data.resolve("ca.crt")));
    assertFalse(again.contains("a new authority") || again.contains("a new server certificate"), again);
  }

  @Test
  void plainRunStaysOnLoopback() throws Exception {
    Path home = Files.createTempDirectory("lchat-run-home");
    int port = freePort();
    Path log = home.resolve("run.log");
    Process run = script(home, log, "run", "--http", String.valueOf(port), "--media-port",
        String.valueOf(freePort()), "--remote-port", String.valueOf(freePort()));
    awaitOutput(run, log, Pattern.compile("Lunar Chat node up: http://127\\.0\\.0\\.1:" + port + "/"));
    HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/health")).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, health.statusCode(), health.body());
    for (InetAddress lan : LanMode.detect()) {
      assertThrows(ConnectException.class, () -> {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress(lan, port), 5000);
        }
      }, "not served on the network address " + lan.getHostAddress());
    }
  }
}
