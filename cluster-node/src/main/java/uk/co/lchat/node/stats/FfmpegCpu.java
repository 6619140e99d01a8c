package uk.co.lchat.node.stats;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The CPU the node's FFmpeg children (its recordings' encoders and decoders) used between two calls, as a share of
 * the machine (0-1 over all cores), from each process's own CPU time. Other children (node processes a local
 * autoscaler started) are nodes of their own and not counted. Called from one thread (the stats sampler).
 */
final class FfmpegCpu {
  private final Map<Long, Long> cpuNanos = new HashMap<>();
  private long lastNanos = System.nanoTime();

  double shareSinceLastCall() {
    long now = System.nanoTime();
    long wall = now - lastNanos;
    lastNanos = now;
    long spent = 0;
    Map<Long, Long> seen = new HashMap<>();
    for (ProcessHandle child : ProcessHandle.current().children().filter(FfmpegCpu::isFfmpeg).toList()) {
      long cpu = child.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
      seen.put(child.pid(), cpu);
      spent += cpu - cpuNanos.getOrDefault(child.pid(), cpu); // a child new since the last call counts from now
    }
    cpuNanos.clear();
    cpuNanos.putAll(seen);
    return wall <= 0 ? 0 : Math.max(0, (double) spent / wall / Runtime.getRuntime().availableProcessors());
  }

  /** No recording runs: nothing to count, and a child seen later counts from when it is first seen. Returns 0. */
  double forget() {
    cpuNanos.clear();
    lastNanos = System.nanoTime();
    return 0;
  }

  private static boolean isFfmpeg(ProcessHandle p) {
    return p.info().command().map(c -> c.endsWith("/ffmpeg") || c.equals("ffmpeg")).orElse(false);
  }
}
