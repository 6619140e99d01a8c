package uk.co.lchat.autoscaler;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;

/**
 * Nodes as processes on this machine, so the whole scaling loop runs on a laptop. The cluster has {@code fixedNodes}
 * nodes this provider did not start (at least the one running the autoscaler); it adds node processes that join
 * through {@code seed}, each on free ports, and removes the newest one with SIGTERM, which makes that node drain
 * (its participants move to other nodes) before it leaves and exits.
 */
public final class LocalProcessProvider implements CapacityProvider, AutoCloseable {
  private static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";

  /** A node process this provider started. */
  public record NodeProcess(Process process, String host, int httpPort, int remotePort, int mediaPort, Path log) {}

  private final List<String> command;
  private final String host;
  private final String seed;
  private final int fixedNodes;
  private final Path logDir;
  private final Deque<NodeProcess> started = new ConcurrentLinkedDeque<>();

  /**
   * @param command the node's command line up to its flags (e.g. java, options, -cp, classpath, main class)
   * @param seed    host:port of a cluster member's remoting, for the new nodes to join
   */
  public LocalProcessProvider(List<String> command, String host, String seed, int fixedNodes, Path logDir) {
    if (command.isEmpty()) {
      throw new IllegalArgumentException("autoscaler local provider: the node command is empty");
    }
    this.command = List.copyOf(command);
    this.host = host;
    this.seed = seed;
    this.fixedNodes = fixedNodes;
    this.logDir = logDir;
  }

  /**
   * The command that starts a node like this JVM's: the same java binary and class path, then {@code jvmOptions}.
   * Native access is granted for the media router's epoll library (JNI), which JDK 24+ otherwise warns about.
   */
  public static List<String> sameJvmCommand(List<String> jvmOptions, String mainClass) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command()
        .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java"));
    if (jvmOptions.stream().noneMatch(o -> o.startsWith("--enable-native-access"))) {
      cmd.add(NATIVE_ACCESS);
    }
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass);
    return cmd;
  }

  @Override
  public int current() {
    started.removeIf(n -> !n.process().isAlive());
    return fixedNodes + started.size();
  }

  @Override
  public synchronized void scaleTo(int nodes) throws IOException {
    while (current() < nodes) {
      start();
    }
    while (current() > nodes && !started.isEmpty()) {
      NodeProcess newest = started.removeLast();
      newest.process().destroy(); // SIGTERM: the node drains, hands its rooms over, leaves and exits
    }
  }

  private void start() throws IOException {
    int http = freeTcpPort();
    int remote = freeTcpPort();
    int media = freeUdpPort();
    Files.createDirectories(logDir);
    Path log = logDir.resolve("node-" + http + ".log");
    List<String> cmd = new ArrayList<>(command);
    cmd.addAll(List.of("--host", host, "--http", Integer.toString(http), "--remote-port", Integer.toString(remote),
        "--media-port", Integer.toString(media), "--seed", seed));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    started.addLast(new NodeProcess(p, host, http, remote, media, log));
  }

  /** The node processes running now, oldest first. */
  public List<NodeProcess> nodes() {
    current();
    return List.copyOf(started);
  }

  /** Stops every node this provider started (SIGTERM, then a kill after {@code graceSeconds}). */
  @Override
  public void close() {
    close(30);
  }

  public void close(int graceSeconds) {
    for (NodeProcess n : started) {
      n.process().destroy();
    }
    for (NodeProcess n : started) {
      try {
        if (!n.process().waitFor(graceSeconds, TimeUnit.SECONDS)) {
          n.process().destroyForcibly();
        }
      } catch (InterruptedException e) {
        n.process().destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    started.clear();
  }

  private int freeTcpPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return s.getLocalPort();
    }
  }

  private int freeUdpPort() throws IOException {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getByName(host))) {
      return s.getLocalPort();
    }
  }
}
