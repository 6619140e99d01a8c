package uk.co.lchat.loadtest;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;

import uk.co.lchat.autoscaler.LocalProcessProvider;
import uk.co.lchat.node.Main;

/**
 * One node with egress on in a JVM of its own, started as {@code bin/lchat} starts one ({@link Main}, a
 * configuration file), so that what it costs is measured apart from the simulated participants and their FFmpegs in
 * the test's JVM: {@link EgressNodes}' nodes share that JVM. It records to a storage directory; the server API is
 * called with its one API key. CPU time comes from {@code /proc}: the whole process's, and its threads' by name
 * (Java names a thread's native thread, cut to 15 characters). Its recordings' FFmpegs are this JVM's descendants
 * too, found by {@link EgressNodes#ffmpegsOf}.
 */
final class EgressNodeProcess implements AutoCloseable {
  private static final String KEY = "bench-key";
  private static final String SECRET = "bench-secret-0123456789abcdef01234567";
  private static final String AUTH = "Basic " + Base64.getEncoder()
      .encodeToString((KEY + ":" + SECRET).getBytes(StandardCharsets.UTF_8));
  /** How long a node's JVM gets to start and to stop; a niced JVM on a busy machine starts in 10-30 s. */
  private static final int START_SECONDS = 180;
  private static final int STOP_SECONDS = 60;

  private final Process process;
  private final int httpPort;
  private final Path log;

  private EgressNodeProcess(Process process, int httpPort, Path log) {
    this.process = process;
    this.httpPort = httpPort;
    this.log = log;
  }

  /**
   * Starts the node, recording to {@code storage}, its configuration and log in {@code dir}; returns once it is
   * ready (GET /ready answers 200), or fails with the end of its log.
   */
  static EgressNodeProcess start(Path storage, Path dir) throws Exception {
    Files.createDirectories(storage);
    Files.createDirectories(dir);
    int http;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      http = s.getLocalPort();
    }
    Map<String, Object> settings = new HashMap<>();
    settings.put("lchat.http.port", http);
    settings.put("lchat.media.port", 0);
    settings.put("lchat.cluster.remote-port", 0);
    settings.put("lchat.cluster.seeds", List.of());
    settings.put("lchat.media.placement.strategy", "local");
    settings.put("lchat.api.keys", List.of(Map.of("id", KEY, "secret", SECRET)));
    settings.put("lchat.egress.enabled", true);
    settings.put("lchat.egress.storage", storage.toAbsolutePath().toString());
    settings.put("lchat.room.features.recording", true);
    Path conf = dir.resolve("node.conf");
    Files.writeString(conf, ConfigFactory.parseMap(settings).root().render(ConfigRenderOptions.concise()));
    Path log = dir.resolve("node.log");
    // The options bin/lchat gives a node, and no others: its heap and collector are the JVM's defaults there too.
    List<String> command = new ArrayList<>(LocalProcessProvider.sameJvmCommand(
        List.of("--sun-misc-unsafe-memory-access=allow"), Main.class.getName()));
    command.addAll(List.of("--config", conf.toAbsolutePath().toString()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    EgressNodeProcess node = new EgressNodeProcess(p, http, log);
    try {
      node.awaitReady();
    } catch (Exception e) {
      node.close();
      throw e;
    }
    return node;
  }

  private void awaitReady() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the node exited (" + process.exitValue() + "): " + logTail());
      }
      try {
        if (fetch("/ready").statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException("the node was not ready in " + START_SECONDS + " s: " + logTail());
  }

  /** The last 2,000 characters of the node's log. */
  String logTail() {
    try {
      String all = Files.readString(log);
      return all.substring(Math.max(0, all.length() - 2000));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  URI base() {
    return URI.create("http://127.0.0.1:" + httpPort);
  }

  long pid() {
    return process.pid();
  }

  /** A call to the server API with the API key's credentials and {@code body} (none if null) as JSON. */
  HttpResponse<String> call(String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(base().resolve(path)).timeout(Duration.ofSeconds(30))
        .header("Authorization", AUTH).header("Content-Type", "application/json");
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return InJvmNodes.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A GET without credentials, as a scraper makes it. */
  HttpResponse<String> fetch(String path) throws IOException, InterruptedException {
    return InJvmNodes.HTTP.send(HttpRequest.newBuilder(base().resolve(path)).timeout(Duration.ofSeconds(30)).GET()
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The node's process: CPU seconds so far, its threads' together (NaN once it has gone). */
  double cpuSeconds() {
    return CpuWindow.procCpuSeconds(process.pid());
  }

  /** CPU seconds so far of each of its threads whose name {@code name} accepts, by thread id. */
  Map<Long, Double> threadCpuSeconds(Predicate<String> name) throws IOException {
    Map<Long, Double> cpu = new HashMap<>();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(process.pid()),
        "task"))) {
      for (Path task : tasks) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException ended) {
          continue; // the thread ended while we listed them
        }
        String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        if (name.test(comm)) {
          cpu.put(Long.parseLong(task.getFileName().toString()), CpuWindow.cpuSecondsOfStat(stat));
        }
      }
    }
    return cpu;
  }

  /**
   * Stops the node as an operator does (SIGTERM: it ends its recordings and leaves), killed if it takes over a
   * minute; then any FFmpeg of its recordings that outlived it.
   */
  @Override
  public void close() {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(STOP_SECONDS, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }
}
