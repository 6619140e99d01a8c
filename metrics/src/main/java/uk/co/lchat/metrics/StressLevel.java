package uk.co.lchat.metrics;

/**
 * How loaded a node is against its configured capacity: 0 idle, 1 at capacity, above 1 overloaded. It is the larger
 * of the packet rate (in plus out) over {@code packetsPerSecond} and the process CPU over {@code cpuTarget}, so
 * whichever runs out first counts. The autoscaler's input.
 */
public record StressLevel(double packetsPerSecond, double cpuTarget) {
  public StressLevel {
    if (packetsPerSecond <= 0 || cpuTarget <= 0 || cpuTarget > 1) {
      throw new IllegalArgumentException("capacity must be positive and the CPU target in (0, 1]");
    }
  }

  public double of(double packetRate, double processCpuLoad) {
    double packets = packetRate / packetsPerSecond;
    double cpu = processCpuLoad < 0 ? 0 : processCpuLoad / cpuTarget;
    return Math.max(packets, cpu);
  }
}
