package uk.co.lchat.node.netns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test hosts made of Linux network namespaces: two namespaces joined by a veth pair, each end with one address in
 * 10.77.0.0/24 (nothing else on the machine is touched: no address or link in this JVM's own namespace). Processes
 * started in them are this object's to stop. A run killed before its clean-up leaves namespaces behind; creating
 * them again first removes those of the same names, with the processes still in them (started by that run).
 */
public final class NetworkNamespaces implements AutoCloseable {
  private final List<String> names;
  private final List<Process> processes = new ArrayList<>();

  private NetworkNamespaces(List<String> names) {
    this.names = names;
  }

  /** Whether this JVM may make namespaces (it runs as root). */
  public static boolean root() {
    try {
      Process p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
      String uid = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
      return p.waitFor() == 0 && uid.equals("0");
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  /**
   * Namespaces {@code a} and {@code b}, {@code a} holding {@code addressA}/24 and {@code b} holding
   * {@code addressB}/24 on the two ends of one veth pair, both with loopback up.
   */
  public static NetworkNamespaces pair(String a, String addressA, String b, String addressB) throws IOException,
      InterruptedException {
    for (String name : List.of(a, b)) {
      removeLeftover(name);
    }
    NetworkNamespaces ns = new NetworkNamespaces(List.of(a, b));
    try {
      run("ip", "netns", "add", a);
      run("ip", "netns", "add", b);
      // Made inside a, its peer moved straight into b: the veth never exists in this JVM's namespace.
      ns.exec(a, "ip", "link", "add", "veth0", "type", "veth", "peer", "name", "veth0", "netns", b);
      for (String[] end : new String[][] {{a, addressA}, {b, addressB}}) {
        ns.exec(end[0], "ip", "addr", "add", end[1] + "/24", "dev", "veth0");
        ns.exec(end[0], "ip", "link", "set", "veth0", "up");
        ns.exec(end[0], "ip", "link", "set", "lo", "up");
      }
      return ns;
    } catch (IOException | InterruptedException | RuntimeException e) {
      ns.close();
      throw e;
    }
  }

  /** Runs a command in {@code namespace} to its end; its output, or IOException with it when it fails. */
  public String exec(String namespace, String... command) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
    full.addAll(List.of(command));
    return run(full.toArray(new String[0]));
  }

  /** Starts a long-running command in {@code namespace}, its output going to {@code log}; stopped by close. */
  public Process start(String namespace, List<String> command, Path log) throws IOException {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
    full.addAll(command);
    Files.createDirectories(log.toAbsolutePath().getParent());
    Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    processes.add(p);
    return p;
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " did not finish");
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + out.trim());
    }
    return out;
  }

  /** A namespace of this name from an earlier run: the processes it still holds are stopped and it is deleted. */
  private static void removeLeftover(String name) throws IOException, InterruptedException {
    if (!run("ip", "netns", "list").lines().anyMatch(l -> l.split(" ")[0].equals(name))) {
      return;
    }
    for (String pid : run("ip", "netns", "pids", name).trim().split("\\s+")) {
      if (!pid.isEmpty()) {
        ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
    run("ip", "netns", "del", name);
  }

  /** Stops what was started (SIGTERM, then SIGKILL after 15 s) and deletes the namespaces, which takes the veth. */
  @Override
  public void close() {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(15, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          p.waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (String name : names) {
      try {
        removeLeftover(name);
      } catch (IOException | InterruptedException e) {
        System.err.println("could not remove network namespace " + name + ": " + e.getMessage());
      }
    }
  }
}
