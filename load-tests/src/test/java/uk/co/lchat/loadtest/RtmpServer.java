package uk.co.lchat.loadtest;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * An RTMP server for streams to be pushed to and played from, as YouTube's or Twitch's ingest would be: Debian's
 * nginx with its RTMP module ({@code libnginx-mod-rtmp}), run as a child process of the test (never the system's
 * service) on a free loopback port, its configuration and logs in a directory of the test's. One application,
 * {@code live}: whatever is published to {@code rtmp://127.0.0.1:<port>/live/<key>} can be played from the same
 * URL while it is published. {@link #kill()} makes it vanish as a crashed server would; the tests that need it are
 * skipped where nginx or the module is not installed ({@code bin/lchat test} installs both).
 */
final class RtmpServer implements AutoCloseable {
  private static final Path MODULE = Path.of("/usr/lib/nginx/modules/ngx_rtmp_module.so");
  private static final long START_SECONDS = 15;
  /** Another process may take the free port between our look and nginx's bind: then try another. */
  private static final int ATTEMPTS = 3;

  private final Process nginx;
  private final int port;
  private final Path errorLog;

  private RtmpServer(Process nginx, int port, Path errorLog) {
    this.nginx = nginx;
    this.port = port;
    this.errorLog = errorLog;
  }

  /** Starts nginx with its files in {@code dir} (created if need be), once its port takes connections. */
  static RtmpServer start(Path dir) throws IOException, InterruptedException {
    Optional<Path> binary = nginx();
    assumeTrue(binary.isPresent() && Files.isRegularFile(MODULE),
        "needs Debian's nginx and libnginx-mod-rtmp (" + MODULE + ")");
    Files.createDirectories(dir);
    Path errorLog = dir.resolve("error.log");
    for (int attempt = 1; ; attempt++) {
      int port = freePort();
      Path conf = dir.resolve("nginx.conf");
      Files.writeString(conf, config(dir, port));
      Process p = new ProcessBuilder(binary.get().toString(), "-p", dir.toString(), "-c", conf.toString(),
          "-e", errorLog.toString())
          .redirectErrorStream(true).redirectOutput(Redirect.appendTo(dir.resolve("nginx.out").toFile())).start();
      RtmpServer server = new RtmpServer(p, port, errorLog);
      if (server.awaitListening()) {
        return server;
      }
      server.kill();
      String log = server.log();
      if (attempt == ATTEMPTS || !log.contains("Address already in use")) {
        throw new IllegalStateException("nginx did not listen on 127.0.0.1:" + port + " within " + START_SECONDS
            + " s: " + log);
      }
    }
  }

  /**
   * Single process in the foreground, so that the process we hold is the server; every path in {@code dir}.
   * No http block: nginx needs none, and so opens no other port.
   */
  private static String config(Path dir, int port) {
    return String.join("\n",
        "load_module " + MODULE + ";",
        "daemon off;",
        "master_process off;",
        "pid " + dir.resolve("nginx.pid") + ";",
        "error_log " + dir.resolve("error.log") + " info;",
        "events {}",
        "rtmp {",
        "  access_log " + dir.resolve("rtmp-access.log") + ";",
        "  server {",
        "    listen 127.0.0.1:" + port + ";",
        "    application live {",
        "      live on;",
        "      record off;",
        "    }",
        "  }",
        "}",
        "");
  }

  private static Optional<Path> nginx() {
    String path = System.getenv().getOrDefault("PATH", "");
    // Debian puts it in /usr/sbin, which is not on every user's PATH.
    return Stream.concat(Stream.of(path.split(File.pathSeparator)), Stream.of("/usr/sbin"))
        .filter(d -> !d.isEmpty()).map(d -> Path.of(d, "nginx")).filter(Files::isExecutable).findFirst();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Whether nginx takes TCP connections on its port before the deadline; false at once if it exited. */
  private boolean awaitListening() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
    while (System.nanoTime() < deadline && nginx.isAlive()) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return true;
      } catch (IOException e) {
        Thread.sleep(50);
      }
    }
    return false;
  }

  int port() {
    return port;
  }

  /** Where a stream is published to and played from: {@code rtmp://127.0.0.1:<port>/live/<key>}. */
  String url(String key) {
    return "rtmp://127.0.0.1:" + port + "/live/" + key;
  }

  /** What nginx logged: connections, publishes and plays, and why it failed if it did. */
  String log() {
    try {
      return Files.isRegularFile(errorLog) ? Files.readString(errorLog) : "(no " + errorLog + ")";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The server goes away at once, as a crashed one would (SIGKILL): its connections are cut, not closed. */
  void kill() throws InterruptedException {
    nginx.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
  }

  /** Stops nginx (SIGTERM: its fast shutdown), killing it if it takes long. */
  @Override
  public void close() throws InterruptedException {
    nginx.destroy();
    if (!nginx.waitFor(5, TimeUnit.SECONDS)) {
      kill();
    }
  }
}
