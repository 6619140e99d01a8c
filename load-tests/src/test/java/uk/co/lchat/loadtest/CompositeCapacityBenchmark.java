package uk.co.lchat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static uk.co.lchat.loadtest.EgressNodes.ffmpegsOf;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.OperatingSystemMXBean;

import uk.co.lchat.egress.Probe;
import uk.co.lchat.egress.composite.Layout;

/**
 * How many recorded meetings one node runs at once with every meeting still smooth, and what each recording costs.
 * One node with egress on runs in a JVM of its own ({@link EgressNodeProcess}); meetings join it one by one, each
 * {@code bench.publishers} people publishing FFmpeg's VP8 and Opus (and {@code bench.viewers} who only watch), and
 * each is recorded as soon as it has joined (a composite at {@code bench.resolution}, or per track). After
 * {@code bench.settle} seconds, a window of {@code bench.window} seconds measures: the CPU of each recording's FFmpegs
 * (the composite's encoder, its decoders) and of the compositor's threads in the node's JVM, the node's JVM as a
 * whole, the publishers' FFmpegs and this JVM (the simulated participants), the machine; the composite pictures the
 * node dropped (its {@code /metrics}); and what the receivers measured of every meeting (loss, freezes). FFmpeg's
 * payloads cannot carry the send time the simulated receivers read one-way delay from (it would break the picture),
 * so a probe pair in a room of its own on the same node, not recorded, sends synthetic media that carries it: their
 * delay is the node's forwarding delay under the load of every meeting. A row per step goes to the output and to
 * {@code target/composite-capacity.md}; the run stops at the first step that is not
 * {@linkplain Step#notSmooth smooth}, or at {@code bench.max} meetings.
 *
 * <p>The publishers send a clip encoded once ({@link FfmpegMedia#looping}), so that they cost the machine almost
 * nothing beside the node ({@code bench.publisher=live} encodes each live instead, as the ITs do). At the end the
 * first recording, which ran through every step, is stopped and checked: how long its file lasts of how long it
 * recorded, and that its picture never stands still, loop points included.
 *
 * <p>Not a test CI runs (its name ends in neither IT nor Test); run it alone, on a quiet machine:
 * {@code nice -n 19 mvn -B -ntp -o -q -pl load-tests -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=CompositeCapacityBenchmark -Dfailsafe.failIfNoSpecifiedTests=false [-Dbench.max=8]
 * [-Dbench.resolution=1080p]}.
 */
class CompositeCapacityBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();

  // What "smooth" is: a call where nobody notices anything wrong, and a recording that keeps its frame rate.
  /** Of the packets the receivers should have had, at most this share lost. */
  private static final double MAX_LOSS = 0.01;
  /** One-way delay from a publisher's send to a receiver's arrival, 99th percentile, at most this. */
  private static final double MAX_P99_MILLIS = 200;
  /** Of the composite's pictures, at most this share dropped (the clock more than two frames late). */
  private static final double MAX_DROPPED = 0.05;
  // And no freeze: no receiver's video stream paused for over half a second (ReceivedStream.FREEZE_NANOS).

  /** Seconds of the clip the publishers loop; a new pass starts every so often in each recording. */
  private static final int CLIP_SECONDS = 10;
  /**
   * A recording's first seconds, where its tiles may still wait for a keyframe (one a second from each publisher)
   * and so stand still: freezes are counted after them.
   */
  private static final double START_SECONDS = 2;
  /**
   * FFmpeg's freezedetect: a picture (or a tile of it) that changes by less than -60 dB (its default) for 0.1 s,
   * three frames, is frozen. A test picture moves every frame; a duplicated one, re-encoded by H.264, differs by far
   * less than that, so this finds what comparing decoded frames' hashes misses.
   */
  private static final String FREEZE_FILTER = "freezedetect=n=-60dB:d=0.1";
  /** A freeze of a tile near one of its clip's loop points, from this much before it to this much after. */
  private static final double LOOP_BEFORE = 0.25;
  private static final double LOOP_AFTER = 1.0;
  /**
   * What FFmpeg logs at a recording's start and stop whatever its input: a decoder that joins between two keyframes,
   * its pipe closed at the end, the encoder's guess at a mono input's layout. Anything else is worth a look.
   */
  private static final List<String> EXPECTED_LOG = List.of("Keyframe missing", "Broken pipe",
      "Immediate exit requested", "Last message repeated", "Guessed Channel Layout");
  private static final Path WORK = Path.of("target", "composite-capacity");
  private static final Path REPORT = Path.of("target", "composite-capacity.md");

  /** The run's settings, from system properties. */
  private record Settings(String type, String resolution, int max, int publishers, int viewers, int settleSeconds,
                          int windowSeconds, boolean livePublishers) {
    static Settings fromProperties() {
      Settings s = new Settings(System.getProperty("bench.type", "composite"),
          System.getProperty("bench.resolution", "720p"), Integer.getInteger("bench.max", 10),
          Integer.getInteger("bench.publishers", 3), Integer.getInteger("bench.viewers", 0),
          Integer.getInteger("bench.settle", 10), Integer.getInteger("bench.window", 20),
          System.getProperty("bench.publisher", "clip").equals("live"));
      if (!s.type.equals("composite") && !s.type.equals("track")) {
        throw new IllegalArgumentException("bench.type: composite or track, not " + s.type);
      }
      if (s.publishers < 2 || s.max < 1 || s.windowSeconds < 5) {
        throw new IllegalArgumentException("2 publishers or more, 1 meeting or more, a window of 5 s or more: " + s);
      }
      return s;
    }

    boolean composite() {
      return type.equals("composite");
    }

    /** The POST body that starts a meeting's recording. */
    String body() {
      return composite() ? "{\"type\":\"composite\",\"layout\":\"grid\",\"resolution\":\"" + resolution + "\"}"
          : "{\"type\":\"track\"}";
    }

    /** A recording's FFmpegs: one decoder per track and the encoder of a composite; one per track of a per-track. */
    int ffmpegsPerRecording() {
      return 2 * publishers + (composite() ? 1 : 0);
    }

    @Override
    public String toString() {
      return (composite() ? "composite " + resolution + "30, grid" : "per track") + "; meetings of " + publishers
          + " publishers (" + (livePublishers ? "VP8 encoded live" : "a " + CLIP_SECONDS + " s clip looped")
          + ", Opus)" + (viewers > 0 ? " and " + viewers + " viewers" : "") + "; up to " + max + " meetings; "
          + settleSeconds + " s to settle, then a window of " + windowSeconds + " s";
    }
  }

  /** One meeting: its people, what they measured as receivers, its publishers' FFmpegs, and its recording. */
  private static final class Meeting {
    final String room;
    final Measurements measurements = new Measurements();
    final List<SimParticipant> people = new ArrayList<>();
    final List<FfmpegMedia> media = new ArrayList<>();
    String egressId;

    Meeting(String room) {
      this.room = room;
    }
  }

  /** What the receivers of one meeting had measured at some moment. */
  private record Received(long expected, long lost, long freezeMillis, long[] delays) {
    static Received of(Measurements m) {
      return new Received(m.expected.sum(), m.lost.sum(), m.freezeMillis.sum(), m.delayHistogram());
    }
  }

  /** The node's composite pictures from /metrics: encoded, the time they took, dropped; and sound dropped. */
  private record Frames(double encoded, double seconds, double droppedVideo, double droppedAudio) {
    static Frames scrape(EgressNodeProcess node) throws Exception {
      HttpResponse<String> r = node.fetch("/metrics");
      assertEquals(200, r.statusCode(), "/metrics");
      String m = r.body();
      return new Frames(MetricsText.sample(m, "lchat_egress_frame_encode_seconds_count", ""),
          MetricsText.sample(m, "lchat_egress_frame_encode_seconds_sum", ""),
          MetricsText.sample(m, "lchat_egress_dropped_frames_total", "kind=\"video\""),
          MetricsText.sample(m, "lchat_egress_dropped_frames_total", "kind=\"audio\""));
    }

  }

  /**
   * Everything a window's figures come from, read at its start and at its end; CPU seconds so far by process id
   * (the recordings' FFmpegs: composite encoders, and the others, decoders or a per-track's recorders) and by thread
   * id (the compositor's threads in the node's JVM).
   */
  private record Reading(long nanos, Map<Long, Double> encoders, Map<Long, Double> decoders,
                         Map<Long, Double> compositor, double nodeJvm, double publishers, double tool, long[] machine,
                         Frames frames, List<Received> meetings, Received probe) {
    static Reading take(EgressNodeProcess node, List<Meeting> meetings, Measurements probe) throws Exception {
      Map<Long, Double> encoders = new HashMap<>();
      Map<Long, Double> decoders = new HashMap<>();
      double publishers = 0;
      List<Received> receptions = new ArrayList<>();
      for (Meeting m : meetings) {
        for (ProcessHandle p : ffmpegsOf(m.egressId)) {
          boolean encoder = p.info().commandLine().orElse("").contains("composite.mp4");
          (encoder ? encoders : decoders).put(p.pid(), cpuSeconds(p));
        }
        for (FfmpegMedia f : m.media) {
          publishers += cpuSeconds(f.process());
        }
        receptions.add(Received.of(m.measurements));
      }
      Map<Long, Double> compositor = node.threadCpuSeconds(
          name -> name.startsWith("composite-") || name.startsWith("decode-"));
      double tool = ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
      return new Reading(System.nanoTime(), encoders, decoders, compositor, node.cpuSeconds(), publishers, tool,
          machineJiffies(), Frames.scrape(node), receptions, Received.of(probe));
    }

    private static double cpuSeconds(ProcessHandle p) {
      return p.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
    }

    /** The machine's {busy, all} clock ticks so far, every core (the first line of /proc/stat). */
    private static long[] machineJiffies() throws IOException {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
      long all = 0;
      for (int i = 1; i < f.length && i <= 8; i++) { // user nice system idle iowait irq softirq steal
        all += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      return new long[] {all - idle, all};
    }
  }

  /**
   * One step's figures over its window. CPU is in cores (CPU seconds per second: 1 is one core busy throughout);
   * the encoder's, the decoders' and the compositor's are per recording, the mean of those running.
   */
  private record Step(int meetings, int recordings, double encoder, double decoders,
                      double compositor, double nodeJvm, double recordingFfmpegs, double publishers, double tool,
                      double machine, int cores, double dropped, double droppedAudio, double pictureMillis,
                      double worstLoss, double probeP99, long freezeMillis, String recordingsLost) {
    static Step between(Reading a, Reading b, int recordingsRunning, String recordingsLost) {
      double s = (b.nanos() - a.nanos()) / 1e9;
      double encoders = since(a.encoders(), b.encoders());
      double decoders = since(a.decoders(), b.decoders());
      double compositor = since(a.compositor(), b.compositor());
      int n = b.meetings().size();
      Frames fa = a.frames();
      Frames fb = b.frames();
      double encoded = fb.encoded() - fa.encoded();
      double droppedVideo = fb.droppedVideo() - fa.droppedVideo();
      double worstLoss = 0;
      long freezes = 0;
      for (int i = 0; i <= b.meetings().size(); i++) {
        Received ra = i < b.meetings().size() ? a.meetings().get(i) : a.probe();
        Received rb = i < b.meetings().size() ? b.meetings().get(i) : b.probe();
        long expected = rb.expected() - ra.expected();
        // A meeting that expected nothing received nothing: as bad as it gets.
        worstLoss = Math.max(worstLoss, expected > 0 ? (double) (rb.lost() - ra.lost()) / expected : 1);
        freezes += rb.freezeMillis() - ra.freezeMillis();
      }
      double probeP99 = Measurements.quantileMillis(Measurements.minus(b.probe().delays(), a.probe().delays()), 0.99);
      long[] ma = a.machine();
      long[] mb = b.machine();
      int cores = Runtime.getRuntime().availableProcessors();
      return new Step(b.meetings().size(), recordingsRunning, encoders / n / s, decoders / n / s,
          compositor / n / s, (b.nodeJvm() - a.nodeJvm()) / s, (encoders + decoders) / s,
          (b.publishers() - a.publishers()) / s, (b.tool() - a.tool()) / s,
          cores * (double) (mb[0] - ma[0]) / (mb[1] - ma[1]), cores,
          encoded + droppedVideo > 0 ? droppedVideo / (encoded + droppedVideo) : 0,
          fb.droppedAudio() - fa.droppedAudio(), encoded > 0 ? 1e3 * (fb.seconds() - fa.seconds()) / encoded : 0,
          worstLoss, probeP99, freezes, recordingsLost);
    }

    /** CPU seconds from {@code a} to {@code b} of the processes or threads that run at {@code b}. */
    private static double since(Map<Long, Double> a, Map<Long, Double> b) {
      double sum = 0;
      for (Map.Entry<Long, Double> e : b.entrySet()) {
        sum += e.getValue() - a.getOrDefault(e.getKey(), 0.0);
      }
      return sum;
    }

    double perRecording() {
      return encoder + decoders + compositor;
    }

    /** Why this step is not smooth, or null if it is. */
    String notSmooth() {
      List<String> why = new ArrayList<>();
      if (recordingsLost != null) {
        why.add(recordingsLost);
      }
      if (worstLoss > MAX_LOSS) {
        why.add(String.format(Locale.ROOT, "loss %.2f %% > %.0f %%", 100 * worstLoss, 100 * MAX_LOSS));
      }
      if (probeP99 > MAX_P99_MILLIS) {
        why.add(String.format(Locale.ROOT, "p99 %.0f ms > %.0f ms", probeP99, MAX_P99_MILLIS));
      }
      if (freezeMillis > 0) {
        why.add("video froze " + freezeMillis + " ms");
      }
      if (dropped > MAX_DROPPED) {
        why.add(String.format(Locale.ROOT, "%.1f %% of pictures dropped > %.0f %%", 100 * dropped,
            100 * MAX_DROPPED));
      }
      return why.isEmpty() ? null : String.join("; ", why);
    }

    static String header() {
      return "| meetings | recordings | per recording | encoder | decoders | compositor | node JVM | node JVM +"
          + " recordings' FFmpegs | publishers' FFmpegs | load tool JVM | machine busy | pictures dropped"
          + " | ms per picture | loss (worst meeting) | p99 one-way (probe) | freezes | smooth |\n"
          + "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---:"
          + " | ---: | --- |";
    }

    String row() {
      String why = notSmooth();
      return String.format(Locale.ROOT, "| %d | %d | **%.3f** | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f"
              + " | %.2f of %d | %.2f %% (%.0f sound) | %.1f | %.3f %% | %.1f ms | %d ms | %s |", meetings,
          recordings, perRecording(), encoder, decoders, compositor, nodeJvm, nodeJvm + recordingFfmpegs,
          publishers, tool, machine, cores, 100 * dropped, droppedAudio, pictureMillis, 100 * worstLoss, probeP99,
          freezeMillis, why == null ? "yes" : "**no**: " + why);
    }
  }

  private final List<SimParticipant> everyone = new CopyOnWriteArrayList<>();
  /** Every publisher's FFmpeg, for closing: also those of a meeting that failed to join. */
  private final List<FfmpegMedia> media = new ArrayList<>();
  private final List<Meeting> meetings = new ArrayList<>();
  /** What the probe pair received. */
  private final Measurements probe = new Measurements();
  private volatile boolean running = true;
  /** Each step's window, from and to, epoch milliseconds. */
  private final List<long[]> windows = new ArrayList<>();

  @Test
  void meetingsAreRecordedOneMoreAtATimeUntilOneIsNoLongerSmooth() throws Exception {
    assumeTrue(FfmpegMedia.onPath(), "ffmpeg is not on the PATH");
    Settings settings = Settings.fromProperties();
    deleteRecursively(WORK);
    Files.createDirectories(WORK.resolve("logs"));
    List<Path> clips = new ArrayList<>();
    if (!settings.livePublishers()) {
      // A clip per seat, each its own colour and tone, so that the composite's tiles differ.
      for (int seat = 0; seat < settings.publishers(); seat++) {
        Path clip = WORK.resolve("clip-" + seat + ".nut");
        FfmpegMedia.encodeClip(seat, CLIP_SECONDS, clip, WORK.resolve("logs").resolve("clip-" + seat + ".log"));
        clips.add(clip);
      }
    }
    Path storage = WORK.resolve("storage").toAbsolutePath();
    List<String> report = new ArrayList<>(List.of("# Recordings on one node: " + settings, "",
        "Run " + Instant.now() + " on " + Runtime.getRuntime().availableProcessors() + " cores; load average at the"
            + " start " + loadAverage() + ". CPU in cores (CPU seconds per second); encoder, decoders and"
            + " compositor per recording, the mean of those running (per track: \"decoders\" are the recorders,"
            + " which copy), the other CPU columns totals; the node's JVM includes the compositor."
            + " Smooth: every meeting's receivers (and the probe pair's) lose at most " + pct(MAX_LOSS)
            + " of packets, the probe pair's p99 one-way delay is at most " + (int) MAX_P99_MILLIS + " ms, no"
            + " video freezes (a gap over 500 ms) anywhere, and the composites drop at most " + pct(MAX_DROPPED)
            + " of pictures.", "", Step.header()));
    System.out.println("composite capacity: " + settings);
    System.out.println(Step.header());
    EgressNodeProcess node = EgressNodeProcess.start(storage, WORK);
    Thread ticker = Thread.ofPlatform().daemon().name("capacity-tick").start(this::countMissingEverySecond);
    try {
      startProbe(node);
      for (int k = 1; k <= settings.max(); k++) {
        Meeting m = join(node, "capacity-" + k, settings, clips);
        meetings.add(m);
        m.egressId = record(node, m, settings);
        Thread.sleep(TimeUnit.SECONDS.toMillis(settings.settleSeconds()));
        long from = System.currentTimeMillis();
        Reading before = Reading.take(node, meetings, probe);
        Thread.sleep(TimeUnit.SECONDS.toMillis(settings.windowSeconds()));
        Reading after = Reading.take(node, meetings, probe);
        windows.add(new long[] {from, System.currentTimeMillis()});
        List<String> lost = new ArrayList<>();
        for (Meeting r : meetings) {
          int ffmpegs = ffmpegsOf(r.egressId).size();
          if (ffmpegs != settings.ffmpegsPerRecording()) {
            lost.add(r.egressId + " has " + ffmpegs + " of its " + settings.ffmpegsPerRecording() + " FFmpegs");
          }
        }
        Step step = Step.between(before, after, meetings.size() - lost.size(),
            lost.isEmpty() ? null : String.join(", ", lost));
        System.out.println(step.row());
        report.add(step.row());
        Files.write(REPORT, report, StandardCharsets.UTF_8);
        if (step.notSmooth() != null) {
          break;
        }
      }
      String check = checkFirstRecording(node, storage, !settings.livePublishers());
      System.out.println(check);
      report.addAll(List.of("", check));
      Files.write(REPORT, report, StandardCharsets.UTF_8);
    } finally {
      running = false;
      ticker.interrupt();
      everyone.forEach(SimParticipant::close);
      media.forEach(FfmpegMedia::close);
      node.close();
    }
  }

  /** The receivers count what stalled streams should have carried (Reception), as the load tool's tick does. */
  private void countMissingEverySecond() {
    while (running) {
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        return;
      }
      SimParticipant.countMissing(everyone);
    }
  }

  /**
   * Two people in a room of their own who send synthetic audio (every 20 ms) and video (three simulcast layers, a
   * frame every 60 ms) stamped with their send time, until the run ends; returns once they receive each other.
   */
  private void startProbe(EgressNodeProcess node) throws Exception {
    List<SimParticipant> pair = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      SimParticipant p = new SimParticipant(InJvmNodes.HTTP, node.base(), "Probe " + i, true, true, probe);
      everyone.add(p);
      p.join("capacity-probe");
      pair.add(p);
    }
    Talkers.send(pair, true, () -> running);
    Talkers.awaitHearingEachOther(pair, "the probe pair receive each other", 60);
  }

  /** Joins a meeting of publishers and viewers; returns once everyone receives every publisher's video but theirs. */
  private Meeting join(EgressNodeProcess node, String room, Settings settings, List<Path> clips) throws Exception {
    Meeting m = new Meeting(room);
    Path logs = WORK.resolve("logs");
    for (int i = 0; i < settings.publishers() + settings.viewers(); i++) {
      boolean publishes = i < settings.publishers();
      SimParticipant p = new SimParticipant(InJvmNodes.HTTP, node.base(), (publishes ? "Person " : "Viewer ") + i,
          publishes, publishes, m.measurements);
      everyone.add(p);
      if (publishes) {
        int index = meetings.size() * settings.publishers() + i;
        Path log = logs.resolve("publisher-" + room + "-" + i + ".log");
        FfmpegMedia source = settings.livePublishers() ? new FfmpegMedia(index, log)
            : FfmpegMedia.looping(index, clips.get(i), log);
        media.add(source);
        m.media.add(source);
        p.publishFrom(source);
      }
      p.join(room);
      m.people.add(p);
    }
    int publishers = settings.publishers();
    await("everyone in " + room + " receives every other publisher's video", 90,
        () -> m.people.stream().allMatch(p -> p.videoSenders(700_000_000L).size()
            == (m.people.indexOf(p) < publishers ? publishers - 1 : publishers)));
    return m;
  }

  /** Starts the meeting's recording; returns its id once all its FFmpegs run (and a composite's clock has too). */
  private static String record(EgressNodeProcess node, Meeting m, Settings settings) throws Exception {
    Frames before = Frames.scrape(node);
    HttpResponse<String> started = node.call("POST", "/api/v1/rooms/" + m.room + "/egress", settings.body());
    assertEquals(201, started.statusCode(), started.body());
    String id = JSON.readTree(started.body()).path("egressId").asText();
    await(settings.ffmpegsPerRecording() + " FFmpeg processes for " + id + " of " + m.room, 90,
        () -> ffmpegsOf(id).size() == settings.ffmpegsPerRecording());
    await(id + " is active", 90, () -> status(node, id).equals("active"));
    if (settings.composite()) {
      // A second of pictures, encoded or dropped, more than before it started.
      await("the clock of " + id + " runs", 90, () -> {
        Frames now = Frames.scrape(node);
        return now.encoded() + now.droppedVideo() - before.encoded() - before.droppedVideo() >= 30;
      });
    }
    return id;
  }

  private static String status(EgressNodeProcess node, String id) throws Exception {
    HttpResponse<String> r = node.call("GET", "/api/v1/egress/" + id, null);
    return r.statusCode() == 200 ? JSON.readTree(r.body()).path("status").asText() : "HTTP " + r.statusCode();
  }

  /**
   * Stops the first recording, which ran through every step and so across many of the clip's loop points, and says
   * what its files hold: how long each lasts of how long it recorded; for a composite, where its picture froze, as
   * a whole (the clock dropped pictures, FFmpeg repeated the last) and tile by tile (a publisher's stream, across a
   * loop point say), beside where the steps' windows were in it; and what its FFmpegs logged (warnings and errors).
   */
  private String checkFirstRecording(EgressNodeProcess node, Path storage, boolean looped) throws Exception {
    Meeting first = meetings.getFirst();
    String id = first.egressId;
    if (!status(node, id).equals("ended")) {
      assertEquals(204, node.call("DELETE", "/api/v1/rooms/" + first.room + "/egress/" + id, null).statusCode());
    }
    await(id + " ends", 120, () -> status(node, id).equals("ended"));
    JsonNode info = JSON.readTree(node.call("GET", "/api/v1/egress/" + id, null).body());
    StringBuilder out = new StringBuilder("First recording (" + id + ", " + info.path("reason").asText() + "):");
    for (JsonNode f : info.path("files")) {
      Path file = storage.resolve(f.path("name").asText());
      double recorded = (Instant.parse(f.path("stoppedAt").asText()).toEpochMilli()
          - Instant.parse(f.path("startedAt").asText()).toEpochMilli()) / 1e3;
      Probe probe = Probe.of("ffprobe", file);
      out.append(String.format(Locale.ROOT, " %s %s%s, %.2f s of %.2f s recorded", f.path("kind").asText(),
          probe.codecs(), probe.width() > 0 ? " " + probe.width() + "x" + probe.height() : "",
          probe.durationSeconds(), recorded));
      if (f.path("kind").asText().equals("composite")) {
        long startedAt = Instant.parse(f.path("startedAt").asText()).toEpochMilli();
        List<String> in = windows.stream().map(w -> String.format(Locale.ROOT, "%.0f-%.0f",
            (w[0] - startedAt) / 1e3, (w[1] - startedAt) / 1e3)).toList();
        out.append(String.format(Locale.ROOT, "; the steps' windows were at %s s of it; after its first %.0f s it"
            + " froze (%s): ", String.join(", ", in), START_SECONDS, FREEZE_FILTER));
        List<List<double[]>> freezes = freezes(file, probe, first.media.size());
        for (int i = 0; i < freezes.size(); i++) {
          List<double[]> frozen = freezes.get(i);
          out.append(i == 0 ? "the whole picture " : "; Person " + (i - 1) + "'s tile ").append(describe(frozen));
          if (i > 0 && looped) {
            double duration = probe.durationSeconds();
            List<Double> loops = loopPoints(first.media.get(i - 1), startedAt, duration);
            long atLoops = loops.stream().filter(l -> nearFreeze(frozen, l)).count();
            // As often as any moment is that near a freeze, loop point or not: chance, on a busy machine.
            int moments = 0;
            int near = 0;
            for (double t = START_SECONDS; t < duration; t += 0.1) {
              moments++;
              near += nearFreeze(frozen, t) ? 1 : 0;
            }
            out.append(String.format(Locale.ROOT, ", near %d of its clip's %d loop points (as near as %.0f %% of all"
                + " moments are)", atLoops, loops.size(), 100.0 * near / Math.max(1, moments)));
          }
        }
        run("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-ss", String.valueOf(recorded / 2), "-i",
            file.toString(), "-frames:v", "1", WORK.resolve("composite.png").toString());
      }
      out.append(".");
    }
    out.append(" Its FFmpegs logged: ").append(logged(storage, id)).append('.');
    return out.toString();
  }

  /**
   * Where a composite's picture froze after its first seconds, {start, duration} in seconds: first the whole
   * picture's, then each tile's of a grid of {@code publishers} (where {@link Layout} puts them, in the order they
   * joined), in one decoding.
   */
  private static List<List<double[]>> freezes(Path file, Probe probe, int publishers) throws Exception {
    List<Layout.Person> people = new ArrayList<>();
    for (int i = 0; i < publishers; i++) {
      people.add(new Layout.Person("p" + i, "Person " + i, "camera-" + i, null));
    }
    List<Layout.Tile> tiles = Layout.GRID.arrange(people, null, probe.width(), probe.height());
    StringBuilder graph = new StringBuilder("[0:v]split=" + (tiles.size() + 1));
    for (int i = 0; i <= tiles.size(); i++) {
      graph.append("[in").append(i).append(']');
    }
    List<String> command = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-nostats", "-loglevel", "error", "-i",
        file.toAbsolutePath().toString(), "-filter_complex"));
    for (int i = 0; i <= tiles.size(); i++) {
      String crop = "";
      if (i > 0) {
        Layout.Tile t = tiles.get(i - 1);
        crop = "crop=" + t.width() + ":" + t.height() + ":" + t.x() + ":" + t.y() + ",";
      }
      graph.append(";[in").append(i).append(']').append(crop).append(FREEZE_FILTER)
          .append(",metadata=mode=print:file=freezes-").append(i).append(".txt[out").append(i).append(']');
    }
    command.add(graph.toString());
    for (int i = 0; i <= tiles.size(); i++) {
      command.addAll(List.of("-map", "[out" + i + "]", "-f", "null", "-"));
    }
    // The metadata files are named relative to FFmpeg's directory: a path in a filter graph would need escaping.
    Process p = new ProcessBuilder(command).directory(WORK.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(600, TimeUnit.SECONDS) && p.exitValue() == 0, "freezedetect ran: " + out);
    List<List<double[]>> all = new ArrayList<>();
    for (int i = 0; i <= tiles.size(); i++) {
      List<double[]> freezes = new ArrayList<>();
      double start = -1;
      for (String line : Files.readAllLines(WORK.resolve("freezes-" + i + ".txt"))) {
        if (line.startsWith("lavfi.freezedetect.freeze_start=")) {
          start = Double.parseDouble(line.substring(line.indexOf('=') + 1));
        } else if (line.startsWith("lavfi.freezedetect.freeze_duration=") && start >= 0) {
          freezes.add(new double[] {start, Double.parseDouble(line.substring(line.indexOf('=') + 1))});
          start = -1;
        }
      }
      if (start >= 0) {
        freezes.add(new double[] {start, probe.durationSeconds() - start}); // frozen until the end
      }
      freezes.removeIf(z -> z[0] + z[1] <= START_SECONDS);
      all.add(freezes);
    }
    return all;
  }

  /**
   * Where in a recording (seconds of its file, which starts at {@code startedAt}, epoch ms) {@code media}'s clip
   * started again: every {@link #CLIP_SECONDS} from when its FFmpeg started, after the recording's first seconds.
   * FFmpeg's first packet comes a quarter of a second or so after its start, so a freeze that a loop point causes
   * begins within {@link #LOOP_BEFORE} before and {@link #LOOP_AFTER} after one of these.
   */
  private static List<Double> loopPoints(FfmpegMedia media, long startedAt, double duration) {
    double start = (media.process().info().startInstant().orElseThrow().toEpochMilli() - startedAt) / 1e3;
    List<Double> loops = new ArrayList<>();
    for (double t = start + CLIP_SECONDS; t < duration; t += CLIP_SECONDS) {
      if (t > START_SECONDS) {
        loops.add(t);
      }
    }
    return loops;
  }

  /** Whether a freeze begins within {@link #LOOP_BEFORE} before or {@link #LOOP_AFTER} after {@code t}, or spans it. */
  private static boolean nearFreeze(List<double[]> freezes, double t) {
    return freezes.stream().anyMatch(z -> z[0] < t + LOOP_AFTER && z[0] + z[1] > t - LOOP_BEFORE);
  }

  /** How often, how long in all and how long at most some picture froze, and where the longest was. */
  private static String describe(List<double[]> freezes) {
    if (freezes.isEmpty()) {
      return "never";
    }
    double total = 0;
    double[] longest = freezes.getFirst();
    for (double[] z : freezes) {
      total += z[1];
      longest = z[1] > longest[1] ? z : longest;
    }
    return String.format(Locale.ROOT, "%d times, %.2f s in all, at most %.2f s (at %.1f s)", freezes.size(), total,
        longest[1], longest[0]);
  }

  /** What the logs of a recording's FFmpegs say beyond {@link #EXPECTED_LOG} (its first five distinct lines). */
  private static String logged(Path storage, String id) throws IOException {
    Set<String> lines = new LinkedHashSet<>();
    int expected = 0;
    int total = 0;
    try (Stream<Path> files = Files.walk(storage)) {
      for (Path log : files.filter(p -> p.toString().contains(id) && p.toString().endsWith(".log")).sorted()
          .toList()) {
        for (String line : Files.readAllLines(log)) {
          if (line.isBlank()) {
            continue;
          }
          total++;
          if (EXPECTED_LOG.stream().anyMatch(line::contains)) {
            expected++;
          } else {
            lines.add(log.getFileName() + ": " + line.trim());
          }
        }
      }
    }
    return total + " lines, " + expected + " of them what a start and a stop log" + (lines.isEmpty() ? ", nothing else"
        : "; the others: " + String.join(" | ", lines.stream().limit(5).toList()));
  }

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), String.join(" ", command) + " finished");
    return out;
  }

  private static void await(String what, int seconds, Callable<Boolean> condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.call()) {
      assertTrue(System.nanoTime() < deadline, "not within " + seconds + " s: " + what);
      Thread.sleep(250);
    }
  }

  private static String loadAverage() throws IOException {
    String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
    return f[0] + " " + f[1] + " " + f[2];
  }

  private static String pct(double share) {
    return String.format(Locale.ROOT, "%.0f %%", 100 * share);
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
