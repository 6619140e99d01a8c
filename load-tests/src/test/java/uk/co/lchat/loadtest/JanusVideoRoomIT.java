package uk.co.lchat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
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
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import uk.co.lchat.node.browser.NetworkNamespace;

/**
 * The load tool's Janus client against Debian's real Janus, so the side-by-side comparison
 * (load-tests/janus-compare.sh) cannot rot: Janus runs in a network namespace as the script starts it (our
 * configuration files, event_loops = cores, VideoRoom over the HTTP API), one publisher and two subscribers connect
 * with real ICE against its full agent and DTLS-SRTP, and both subscribers receive the publisher's audio and video
 * with their send times intact. Skipped unless root and Janus is installed ({@code bin/lchat test} installs it).
 */
class JanusVideoRoomIT {
  private static final Path JANUS = Path.of("/usr/bin/janus");
  private static final int HTTP_PORT = 8088;

  private final HttpClient http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor())
      .build();
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  @Test
  void onePublisherReachesTwoSubscribersThroughJanusVideoRoom() throws Exception {
    assumeTrue(NetworkNamespace.permitted(), "skipped: needs root to make the network namespace Janus runs in");
    assumeTrue(Files.isExecutable(JANUS), "skipped: Janus is not installed (apt-get install janus; bin/lchat test"
        + " installs it)");
    NetworkNamespace ns = NetworkNamespace.create();
    open.add(ns);
    Path config = Files.createTempDirectory("lchat-janus-it");
    Path log = config.resolve("janus.log");
    writeConfig(config, ns.innerAddress());
    ns.start(ns.command(JANUS.toString(), "-C", config.resolve("janus.jcfg").toString(), "-F", config.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()));
    URI base = URI.create("http://" + ns.innerAddress() + ":" + HTTP_PORT + "/janus");
    await(() -> answers(URI.create(base + "/info")), Duration.ofSeconds(60), () -> "Janus did not come up: "
        + tail(log));

    InetAddress local = InetAddress.getByName(ns.hostAddress());
    Measurements sent = new Measurements();
    long room = 1 + ProcessHandle.current().pid() % 1_000_000;
    JanusParticipant publisher = JanusParticipant.publisher(http, base, local, room, "ann", false, sent);
    open.add(publisher);
    List<Measurements> heard = List.of(new Measurements(), new Measurements());
    List<JanusParticipant> subscribers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      JanusParticipant s = JanusParticipant.subscriber(http, base, local, room, publisher.id(), "viewer-" + i,
          new DecryptionSample(4), heard.get(i));
      open.add(s);
      subscribers.add(s);
    }

    // The media clock of the load tool, until both have heard enough of both kinds: Opus every 20 ms, a video
    // frame every 33 ms (9 packets).
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    long next = System.nanoTime();
    for (int tick = 0; !bothHeard(subscribers, heard) && System.nanoTime() < deadline; tick++) {
      publisher.sendAudio(true);
      if (tick % 5 < 3) {
        publisher.sendVideoFrame(); // 3 frames per 100 ms: 30 frames/s
      }
      next += 20_000_000L;
      LockSupport.parkNanos(next - System.nanoTime());
    }

    for (int i = 0; i < 2; i++) {
      JanusParticipant s = subscribers.get(i);
      Measurements m = heard.get(i);
      assertTrue(s.audioReceived() >= 50 && s.videoReceived() >= 200, "viewer-" + i + " heard audio "
          + s.audioReceived() + " and video " + s.videoReceived() + " packets; Janus's log: " + tail(log));
      long[] delays = m.delayHistogram();
      long measured = 0;
      for (long c : delays) {
        measured += c;
      }
      assertTrue(measured > 0, "send times read from the decrypted sample");
      assertEquals(m.packets.sum(), s.audioReceived() + s.videoReceived());
      System.out.printf("viewer-%d through Janus: %d audio, %d video packets, %d lost, delay p50 %.2f ms%n", i,
          s.audioReceived(), s.videoReceived(), m.lost.sum(), Measurements.quantileMillis(delays, 0.5));
    }
  }

  private static boolean bothHeard(List<JanusParticipant> subscribers, List<Measurements> heard) {
    for (int i = 0; i < subscribers.size(); i++) {
      JanusParticipant s = subscribers.get(i);
      if (s.audioReceived() < 50 || s.videoReceived() < 200 || Measurements.quantileMillis(
          heard.get(i).delayHistogram(), 0.5) == 0) {
        return false;
      }
    }
    return true;
  }

  /** The script's configuration files (load-tests/janus), filled in as janus-compare.sh fills them. */
  private static void writeConfig(Path dir, String address) throws IOException {
    try (var files = Files.list(Path.of("janus"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".jcfg")).toList()) {
        String text = Files.readString(f, StandardCharsets.UTF_8).replace("@CONFIGS@", dir.toString())
            .replace("@EVENT_LOOPS@", Integer.toString(Runtime.getRuntime().availableProcessors()))
            .replace("@ADDRESS@", address).replace("@HTTP_PORT@", Integer.toString(HTTP_PORT));
        Files.writeString(dir.resolve(f.getFileName()), text);
      }
    }
  }

  private boolean answers(URI uri) {
    try {
      return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void await(BooleanSupplier condition, Duration within, Supplier<String> why)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(why.get());
      }
      Thread.sleep(200);
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }
}
