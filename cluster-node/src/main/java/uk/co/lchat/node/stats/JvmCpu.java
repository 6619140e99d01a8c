package uk.co.lchat.node.stats;

import java.lang.management.ManagementFactory;

/**
 * The CPU this JVM used between two calls, as a share of the machine (0-1 over all cores), from its own CPU time.
 * The JDK's {@code getProcessCpuLoad} gives the same figure but reads and parses {@code /proc/self/stat} and
 * {@code /proc/stat} each time: once a second that was a tenth of an idle node's CPU (issue #21). Called from one
 * thread (the stats sampler).
 */
final class JvmCpu {
  private final com.sun.management.OperatingSystemMXBean os;
  private long lastCpuNanos;
  private long lastNanos;

  JvmCpu() {
    this.os = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean b
        ? b : null;
    this.lastCpuNanos = cpuNanos();
    this.lastNanos = System.nanoTime();
  }

  /** The share since the last call (or since this was made); -1 when the JVM cannot tell its CPU time. */
  double shareSinceLastCall() {
    long cpu = cpuNanos();
    long now = System.nanoTime();
    long spent = cpu - lastCpuNanos;
    long wall = now - lastNanos;
    lastCpuNanos = cpu;
    lastNanos = now;
    if (cpu < 0) {
      return -1;
    }
    return wall <= 0 ? 0 : Math.min(1.0, Math.max(0, (double) spent / wall / Runtime.getRuntime().availableProcessors()));
  }

  private long cpuNanos() {
    return os == null ? -1 : os.getProcessCpuTime();
  }
}
