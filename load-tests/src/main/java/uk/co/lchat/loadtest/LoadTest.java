package uk.co.lchat.loadtest;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The load tool: simulated participants against a node or cluster, a scenario, progress once a second, and a JSON
 * result plus a self-contained HTML report in the output folder. See docs/benchmarks.md for the command lines.
 */
public final class LoadTest {
  static final com.fasterxml.jackson.databind.ObjectMapper JSON_READER = SignalingClient.JSON;
  /** What to run. {@code urls}: nodes to spread participants over (round robin). */
  public record Options(List<URI> urls, String scenario, int rooms, int participants, int talkers, int videoTalkers,
                        Duration duration, Duration churnEvery, Path out, int lastN, Measuring measuring) {
    public static Options parse(String[] args) {
      Measuring.Builder mb = new Measuring.Builder();
      List<URI> urls = new ArrayList<>();
      String scenario = "fanout";
      int rooms = 1;
      int participants = 10;
      int talkers = -1;
      int video = -1;
      Duration duration = Duration.ofSeconds(30);
      Duration churn = Duration.ofSeconds(2);
      Path out = Path.of("load-results");
      int lastN = -1;
      for (int i = 0; i < args.length; i++) {
        String v = i + 1 < args.length ? args[i + 1] : "";
        switch (args[i]) {
          case "--url" -> { urls.add(URI.create(v)); i++; }
          case "--scenario" -> { scenario = v; i++; }
          case "--rooms" -> { rooms = Integer.parseInt(v); i++; }
          case "--participants" -> { participants = Integer.parseInt(v); i++; }
          case "--talkers" -> { talkers = Integer.parseInt(v); i++; }
          case "--video-talkers" -> { video = Integer.parseInt(v); i++; }
          case "--duration" -> { duration = Duration.ofSeconds(Long.parseLong(v.replace("s", ""))); i++; }
          case "--churn-every" -> { churn = Duration.ofMillis(Long.parseLong(v.replace("ms", ""))); i++; }
          case "--out" -> { out = Path.of(v); i++; }
          case "--last-n" -> { lastN = Integer.parseInt(v); i++; }
          case "--server" -> { mb.server = v; i++; }
          case "--local-address" -> { mb.localAddress = v; i++; }
          case "--decrypt-all" -> mb.decryption = DecryptionSample.ALL;
          case "--decrypt-one-in" -> { mb.decryption = new DecryptionSample(Integer.parseInt(v)); i++; }
          case "--simulcast" -> { mb.simulcast = !v.equals("off"); i++; }
          case "--warmup" -> { mb.warmup = Duration.ofSeconds(Long.parseLong(v.replace("s", ""))); i++; }
          case "--server-pid" -> { mb.serverPids.add(Long.parseLong(v)); i++; }
          default -> throw new IllegalArgumentException("unknown option " + args[i] + "\n" + USAGE);
        }
      }
      if (urls.isEmpty()) {
        urls.add(URI.create("http://127.0.0.1:8080"));
      }
      Measuring measuring = mb.build();
      if (measuring.janus() && !scenario.equals("fanout")) {
        throw new IllegalArgumentException("against Janus the load tool runs the fanout scenario only\n" + USAGE);
      }
      return switch (scenario) {
        // 1 publisher (audio + 3-layer video) to N-1 receivers in one room: the per-core forwarding figure.
        case "fanout" -> new Options(urls, scenario, 1, participants, 1, 1, duration, churn, out, lastN, measuring);
        // many small rooms, everyone talking with video: e.g. --rooms 200 --participants 5.
        case "rooms" -> new Options(urls, scenario, rooms, participants, talkers < 0 ? participants : talkers,
            video < 0 ? participants : video, duration, churn, out, lastN, measuring);
        // one large room: a few talkers (with video), everyone else receives only.
        case "large" -> new Options(urls, scenario, 1, participants, talkers < 0 ? 10 : talkers,
            video < 0 ? 10 : video, duration, churn, out, lastN, measuring);
        // join/leave churn: one receiver leaves and a new one joins every --churn-every.
        case "churn" -> new Options(urls, scenario, rooms, participants, talkers < 0 ? 2 : talkers,
            video < 0 ? 1 : video, duration, churn, out, lastN, measuring);
        default -> throw new IllegalArgumentException("unknown scenario " + scenario + "\n" + USAGE);
      };
    }
  }

  static final String USAGE = """
      bin/lchat load [--url http://host:8080]... [--scenario fanout|rooms|large|churn] [--rooms R]
                     [--participants N (per room)] [--talkers T] [--video-talkers V] [--duration 30s]
                     [--churn-every 2000ms] [--last-n N (set by each room's moderator)] [--out folder]
                     [--decrypt-all | --decrypt-one-in 16] [--simulcast on|off] [--warmup 0s]
                     [--server-pid PID]... [--server lchat|janus] [--local-address 127.0.0.1]
        --server janus: --url is Janus's HTTP API (http://10.78.0.2:8088/janus), fanout scenario only.""";

  private final Options options;
  private final PrintStream progress;
  private final HttpClient http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor())
      .build();
  private final Measurements m = new Measurements();
  private final List<LoadParticipant> talkers = new CopyOnWriteArrayList<>();
  private final List<LoadParticipant> everyone = new CopyOnWriteArrayList<>();
  private volatile boolean sending = true;
  private int nextUrl;
  private int nameCounter;

  public LoadTest(Options options, PrintStream progress) {
    this.options = options;
    this.progress = progress;
  }

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    JsonNode result = new LoadTest(o, System.out).run();
    System.out.println("result: " + o.out().resolve("result.json").toAbsolutePath() + " report: "
        + o.out().resolve("report.html").toAbsolutePath());
    System.exit(result.path("summary").path("packetsReceived").asLong() > 0 ? 0 : 1);
  }

  private synchronized URI nextUrl() {
    return options.urls().get(nextUrl++ % options.urls().size());
  }

  private SimParticipant add(String room, boolean audio, boolean video) throws Exception {
    SimParticipant p;
    synchronized (this) {
      p = new SimParticipant(http, nextUrl(), options.urls(), "load-" + (nameCounter++), audio, video, m,
          options.measuring().decryption(), options.measuring().simulcast(), options.measuring().localAddress());
    }
    p.join(room);
    everyone.add(p);
    if (audio || video) {
      talkers.add(p);
    }
    return p;
  }

  /** Runs the scenario and writes result.json and report.html; returns the result. */
  public JsonNode run() throws Exception {
    Files.createDirectories(options.out());
    long start = System.nanoTime();
    progress.printf("lchat load: %s, %d room(s) x %d participants, %d talkers (%d with video), %s%n",
        options.scenario(), options.rooms(), options.participants(), options.talkers(), options.videoTalkers(),
        options.duration());
    if (options.measuring().janus()) {
      joinJanus(start);
    } else {
      joinLchat(start);
    }
    int lastNSet = 0;
    if (options.lastN() >= 0) {
      // Each room's moderator (its first to join) sets the room's last-N, as a person would in the settings.
      for (LoadParticipant lp : everyone) {
        JsonNode joined = lp instanceof SimParticipant p ? p.joined() : null;
        if (joined != null && "moderator".equals(joined.path("role").asText())) {
          ((SimParticipant) lp).setLastN(options.lastN());
          lastNSet++;
        }
      }
    }
    CpuWindow cpu = new CpuWindow(http, options.measuring().janus() ? List.of() : options.urls(),
        options.measuring().serverPids());
    long warmupSeconds = options.measuring().warmup().toSeconds();
    CpuWindow.Reading windowStart = warmupSeconds == 0 ? cpu.read(m.packets.sum()) : null;
    Thread sender = Thread.ofPlatform().name("load-media-clock").start(this::sendMedia);
    ArrayNode series = SignalingClient.JSON.createArrayNode();
    long[] lastHist = m.delayHistogram();
    long lastPackets = 0;
    long lastBytes = 0;
    long lastExpected = 0;
    long lastLost = 0;
    long runStart = System.nanoTime();
    long nextChurn = runStart + options.churnEvery().toNanos();
    int churned = 0;
    for (int second = 1; System.nanoTime() - runStart < options.duration().toNanos(); second++) {
      LockSupport.parkNanos(runStart + second * 1_000_000_000L - System.nanoTime());
      if (second == warmupSeconds) {
        windowStart = cpu.read(m.packets.sum());
      }
      if (options.scenario().equals("churn") && System.nanoTime() >= nextChurn) {
        churned += churn();
        nextChurn += options.churnEvery().toNanos();
      }
      countMissing();
      long[] hist = m.delayHistogram();
      long[] window = Measurements.minus(hist, lastHist);
      lastHist = hist;
      long packets = m.packets.sum();
      long bytes = m.bytes.sum();
      long expected = m.expected.sum();
      long lost = m.lost.sum();
      ObjectNode point = series.addObject();
      point.put("second", second);
      point.put("packetsPerSecond", packets - lastPackets);
      point.put("megabitsPerSecond", (bytes - lastBytes) * 8 / 1e6);
      // A second in which a stalled stream resumed may take back part of an earlier second's estimate (see
      // Reception): the figure of that second is floored at 0; the run's total is exact.
      point.put("loss", expected - lastExpected > 0
          ? Math.max(0, (double) (lost - lastLost) / (expected - lastExpected)) : 0);
      point.put("p50ms", Measurements.quantileMillis(window, 0.5));
      point.put("p95ms", Measurements.quantileMillis(window, 0.95));
      point.put("p99ms", Measurements.quantileMillis(window, 0.99));
      point.set("nodes", nodeLoad());
      lastPackets = packets;
      lastBytes = bytes;
      lastExpected = expected;
      lastLost = lost;
      progress.printf("%3d s  %8d pkt/s  %7.2f Mbit/s  loss %.4f  delay p50 %.2f p99 %.2f ms%n", second,
          point.path("packetsPerSecond").asLong(), point.path("megabitsPerSecond").asDouble(),
          point.path("loss").asDouble(), point.path("p50ms").asDouble(), point.path("p99ms").asDouble());
    }
    CpuWindow.Reading windowEnd = cpu.read(m.packets.sum());
    sending = false;
    sender.join();
    ObjectNode result = SignalingClient.JSON.createObjectNode();
    ObjectNode opts = result.putObject("options");
    opts.put("scenario", options.scenario()).put("rooms", options.rooms())
        .put("participants", options.participants()).put("talkers", options.talkers()).put("lastN", options.lastN())
        .put("videoTalkers", options.videoTalkers()).put("durationSeconds", options.duration().toSeconds())
        .put("urls", options.urls().toString()).put("roomsWithLastNSet", lastNSet)
        .put("warmupSeconds", warmupSeconds);
    ObjectNode summary = result.putObject("summary");
    long[] all = m.delayHistogram();
    summary.put("participantsJoined", everyone.size());
    summary.put("churned", churned);
    summary.put("packetsSent", m.packetsSent.sum());
    summary.put("packetsReceived", m.packets.sum());
    summary.put("packetsExpected", m.expected.sum());
    summary.put("packetsLost", m.lost.sum());
    summary.put("packetsLostWhileStalled", m.lostWhileStalled.sum());
    summary.put("loss", m.expected.sum() > 0 ? (double) m.lost.sum() / m.expected.sum() : 0);
    summary.put("delayP50ms", Measurements.quantileMillis(all, 0.5));
    summary.put("delayP95ms", Measurements.quantileMillis(all, 0.95));
    summary.put("delayP99ms", Measurements.quantileMillis(all, 0.99));
    summary.put("jitterMeanMs", m.jitterSamples.sum() > 0 ? m.jitterMicrosSum.sum() / 1000.0 / m.jitterSamples.sum()
        : 0);
    summary.put("freezeSeconds", m.freezeMillis.sum() / 1000.0);
    summary.put("signalingFailures", m.failures.sum());
    summary.put("signalingReconnects", m.reconnects.sum());
    summary.put("signalingReconnectsGivenUp", m.reconnectsGivenUp.sum());
    summary.put("processors", Runtime.getRuntime().availableProcessors());
    summary.put("server", options.measuring().server());
    summary.put("decryptOneIn", options.measuring().decryption().oneIn());
    summary.put("simulcast", options.measuring().simulcast());
    summary.put("loadAverage", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    if (windowStart != null) {
      ObjectNode window = result.putObject("window");
      window.put("fromSecond", warmupSeconds);
      cpu.report(windowStart, windowEnd, window);
      progress.println("window: " + window);
    }
    result.set("series", series);
    for (LoadParticipant p : everyone) {
      p.close();
    }
    Files.writeString(options.out().resolve("result.json"),
        SignalingClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result));
    Files.writeString(options.out().resolve("report.html"), Report.html(result));
    progress.println("summary: " + summary);
    return result;
  }

  /**
   * Against Janus: the first participant creates a VideoRoom and publishes, the others subscribe to its feed (the
   * fanout scenario), each with its own Janus session.
   */
  private void joinJanus(long start) throws Exception {
    URI base = options.urls().get(0);
    long room = 1 + (System.currentTimeMillis() % 1_000_000_000L);
    Measuring how = options.measuring();
    JanusParticipant publisher = JanusParticipant.publisher(http, base, how.localAddress(), room, "load-0",
        how.simulcast(), m);
    everyone.add(publisher);
    talkers.add(publisher);
    int failed = 0;
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<JanusParticipant>> joins = new ArrayList<>();
      for (int i = 1; i < options.participants(); i++) {
        String name = "load-" + i;
        joins.add(pool.submit(() -> JanusParticipant.subscriber(http, base, how.localAddress(), room,
            publisher.id(), name, how.decryption(), m)));
      }
      for (Future<JanusParticipant> f : joins) {
        try {
          everyone.add(f.get());
        } catch (Exception e) {
          failed++;
          progress.println("a subscriber could not join: " + e.getCause());
        }
      }
    }
    progress.printf("joined Janus room %d: 1 publisher and %d of %d subscribers in %.1f s%n", room,
        options.participants() - 1 - failed, options.participants() - 1, (System.nanoTime() - start) / 1e9);
  }

  private void joinLchat(long start) throws Exception {
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<SimParticipant>> joins = new ArrayList<>();

      String prefix = "load-" + Long.toString(System.currentTimeMillis(), 36);
      for (int r = 0; r < options.rooms(); r++) {
        String room = prefix + "-" + r;
        for (int i = 0; i < options.participants(); i++) {
          boolean talks = i < options.talkers();
          boolean video = i < options.videoTalkers();
          joins.add(pool.submit(() -> add(room, talks, video)));
        }
      }
      int failed = 0;
      for (Future<SimParticipant> f : joins) {
        try {
          f.get();
        } catch (Exception e) {
          if (failed++ < 3) {
            progress.println("a participant could not join: " + e.getCause());
          }
        }
      }
      progress.printf("joined %d of %d in %.1f s%n", joins.size() - failed, joins.size(),
          (System.nanoTime() - start) / 1e9);
    }
  }

  /** One thread sends every talker's media: audio every 20 ms, a video frame every 33.3 ms (30 frames/s). */
  private void sendMedia() {
    long nextAudio = System.nanoTime();
    long nextVideo = nextAudio;
    while (sending) {
      long now = System.nanoTime();
      boolean audio = now >= nextAudio;
      boolean video = now >= nextVideo;
      if (audio) {
        nextAudio += 20_000_000L;
      }
      if (video) {
        nextVideo += 33_333_333L;
      }
      for (LoadParticipant p : talkers) {
        try {
          if (audio) {
            p.sendAudio(true);
          }
          if (video) {
            p.sendVideoFrame();
          }
        } catch (IOException | RuntimeException e) {
          // a participant whose socket closed stops sending; the others go on
        }
      }
      LockSupport.parkNanos(Math.min(nextAudio, nextVideo) - System.nanoTime());
    }
  }

  /** Every receiver counts what it should have got this second and did not (see {@link Reception}). */
  private void countMissing() {
    SimParticipant.countMissing(everyone);
  }

  /** The oldest receiver leaves and a new one joins the same room. */
  private int churn() {
    for (LoadParticipant lp : everyone) {
      if (!talkers.contains(lp) && lp instanceof SimParticipant p) {
        everyone.remove(p);
        p.close();
        try {
          add(p.room(), false, false);
          return 1;
        } catch (Exception e) {
          return 0;
        }
      }
    }
    return 0;
  }

  /** Each node's stress and CPU from the cluster statistics (empty when the node cannot be asked). */
  private ArrayNode nodeLoad() {
    ArrayNode nodes = SignalingClient.JSON.createArrayNode();
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(options.urls().get(0).resolve("/stats?scope=cluster"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      for (JsonNode n : SignalingClient.JSON.readTree(r.body()).path("nodes")) {
        nodes.addObject().put("node", n.path("node").asText()).put("stress", n.path("stress_level").asDouble())
            .put("cpu", n.path("process_cpu_load").asDouble());
      }
    } catch (IOException | InterruptedException e) {
      // the report shows a gap
    }
    return nodes;
  }
}
