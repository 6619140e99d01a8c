package uk.co.lchat.loadtest;

import java.io.IOException;
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

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.management.OperatingSystemMXBean;

/**
 * CPU spent over the measurement window, divided by the packets the simulated receivers got in it: the servers'
 * (from /proc/PID/stat, utime + stime of every thread, for any process such as Janus), each lchat node's own (its
 * {@code process_cpu_seconds_total} and {@code lchat_sent_packets_total} from /metrics, so the figure does not
 * depend on who else shares the cores), and the load tool's own (its JVM's process CPU time).
 */
final class CpuWindow {
  /** USER_HZ: /proc's clock ticks per second (100 on every Linux the project runs on). */
  private static final double TICKS_PER_SECOND = 100;

  /** One reading at the start or end of the window. */
  record Reading(long nanoTime, long packetsReceived, double toolCpuSeconds, List<Double> pidCpuSeconds,
                 List<double[]> nodes) {}

  private final HttpClient http;
  private final List<URI> nodes;
  private final List<Long> pids;

  /** {@code nodes}: lchat nodes' HTTP base URLs (empty against Janus); {@code pids}: server processes. */
  CpuWindow(HttpClient http, List<URI> nodes, List<Long> pids) {
    this.http = http;
    this.nodes = nodes;
    this.pids = pids;
  }

  Reading read(long packetsReceived) {
    List<Double> perPid = new ArrayList<>();
    for (long pid : pids) {
      perPid.add(procCpuSeconds(pid));
    }
    List<double[]> perNode = new ArrayList<>();
    for (URI node : nodes) {
      perNode.add(nodeCounters(node));
    }
    return new Reading(System.nanoTime(), packetsReceived, toolCpuSeconds(), perPid, perNode);
  }

  /** The window from {@code start} to {@code end} as the result's {@code window} object. */
  void report(Reading start, Reading end, ObjectNode window) {
    double seconds = (end.nanoTime() - start.nanoTime()) / 1e9;
    long packets = end.packetsReceived() - start.packetsReceived();
    window.put("seconds", round(seconds));
    window.put("packetsReceived", packets);
    window.put("packetsReceivedPerSecond", round(packets / seconds));
    double tool = end.toolCpuSeconds() - start.toolCpuSeconds();
    window.put("toolCpuSeconds", round(tool));
    window.put("toolCpuMicrosPerReceivedPacket", perPacket(tool, packets));
    ArrayNode servers = window.putArray("servers");
    for (int i = 0; i < pids.size(); i++) {
      double cpu = end.pidCpuSeconds().get(i) - start.pidCpuSeconds().get(i);
      servers.addObject().put("pid", pids.get(i)).put("cpuSeconds", round(cpu))
          .put("cpuMicrosPerReceivedPacket", perPacket(cpu, packets));
    }
    ArrayNode perNode = window.putArray("nodes");
    double allNodes = 0;
    for (int i = 0; i < nodes.size(); i++) {
      double[] a = start.nodes().get(i);
      double[] b = end.nodes().get(i);
      ObjectNode n = perNode.addObject().put("url", nodes.get(i).toString());
      if (Double.isNaN(a[0]) || Double.isNaN(b[0])) {
        n.put("error", "no /metrics");
        continue;
      }
      double cpu = b[0] - a[0];
      long sent = (long) (b[1] - a[1]);
      allNodes += cpu;
      n.put("cpuSeconds", round(cpu)).put("packetsSent", sent)
          .put("cpuMicrosPerSentPacket", perPacket(cpu, sent));
    }
    if (!nodes.isEmpty()) {
      window.put("nodesCpuSeconds", round(allNodes));
      window.put("nodesCpuMicrosPerReceivedPacket", perPacket(allNodes, packets));
    }
  }

  private static double perPacket(double cpuSeconds, long packets) {
    return packets > 0 ? round(cpuSeconds * 1e6 / packets) : 0;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  private static double toolCpuSeconds() {
    return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
  }

  /** utime + stime (fields 14 and 15 of /proc/PID/stat, after the command in parentheses), NaN if unreadable. */
  static double procCpuSeconds(long pid) {
    try {
      return cpuSecondsOfStat(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  static double cpuSecondsOfStat(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    // f[0] is field 3 (state), so utime (14) and stime (15) are f[11] and f[12].
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
  }

  /** {process_cpu_seconds_total, lchat_sent_packets_total} of one node, NaN when it does not answer. */
  private double[] nodeCounters(URI node) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(node.resolve("/metrics"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      return new double[] {sample(r.body(), "process_cpu_seconds_total"), sample(r.body(), "lchat_sent_packets_total")};
    } catch (IOException e) {
      return new double[] {Double.NaN, Double.NaN};
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new double[] {Double.NaN, Double.NaN};
    }
  }

  /** The value of an unlabelled sample in Prometheus text format (NaN when absent). */
  static double sample(String exposition, String name) {
    for (String line : exposition.split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1).trim().split(" ")[0]);
      }
    }
    return Double.NaN;
  }
}
