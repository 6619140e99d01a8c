package uk.co.lchat.node.browser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A private Linux network namespace joined to this one by a veth pair: {@code hostAddress()} (10.77.n.1/30) on our
 * side, {@code innerAddress()} (10.77.n.2/30) inside, whose default route goes through us. A browser started in it
 * has a real, non-loopback interface and reaches the test's node at {@code hostAddress()}; Firefox gathers no host
 * candidates on loopback, nor on any interface but its default route's.
 *
 * <p>Needs root ({@code ip netns}). Names carry this JVM's pid ({@code lchat-ff-<pid>}), so concurrent runs do not
 * collide and a namespace left behind by a killed run (its pid gone) is removed, with what still ran in it, by the
 * next {@link #create()}.
 */
public final class NetworkNamespace implements AutoCloseable {
  private static final String PREFIX = "lchat-ff-";
  private static final Pattern OURS = Pattern.compile(PREFIX + "(\\d+)");

  private final String name;
  private final String hostAddress;
  private final String innerAddress;
  private final List<Process> started = new ArrayList<>();

  private NetworkNamespace(String name, String hostAddress, String innerAddress) {
    this.name = name;
    this.hostAddress = hostAddress;
    this.innerAddress = innerAddress;
  }

  /** Whether this process may create namespaces (it runs as root). */
  public static boolean permitted() {
    try {
      Process p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
      String uid = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return p.waitFor() == 0 && uid.equals("0");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  public static NetworkNamespace create() throws IOException, InterruptedException {
    removeLeftovers();
    long pid = ProcessHandle.current().pid();
    String name = PREFIX + pid;
    // Interface names are at most 15 characters.
    String hostSide = "lff" + (pid % 10_000_000) + "h";
    String innerSide = "lff" + (pid % 10_000_000) + "n";
    int subnet = freeSubnet((int) (pid % 250));
    String host = "10.77." + subnet + ".1";
    String inner = "10.77." + subnet + ".2";
    NetworkNamespace ns = new NetworkNamespace(name, host, inner);
    try {
      ip("netns", "add", name);
      ip("link", "add", hostSide, "type", "veth", "peer", "name", innerSide, "netns", name);
      ip("addr", "add", host + "/30", "dev", hostSide);
      ip("link", "set", hostSide, "up");
      ip("-n", name, "link", "set", "lo", "up");
      ip("-n", name, "addr", "add", inner + "/30", "dev", innerSide);
      ip("-n", name, "link", "set", innerSide, "up");
      ip("-n", name, "route", "add", "default", "via", host);
    } catch (IOException e) {
      ns.close();
      throw e;
    }
    return ns;
  }

  public String name() {
    return name;
  }

  /** Our end of the veth pair, which processes inside reach (and route everything through). */
  public String hostAddress() {
    return hostAddress;
  }

  public String innerAddress() {
    return innerAddress;
  }

  /** A process builder for {@code command} run inside the namespace. */
  public ProcessBuilder command(String... command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
    full.addAll(List.of(command));
    return new ProcessBuilder(full);
  }

  /** Runs {@code command} inside and waits for it; throws with its output when it fails. */
  public void run(String... command) throws IOException, InterruptedException {
    exec(command(command));
  }

  /** Starts a process inside that {@link #close()} ends if it still runs. */
  public synchronized Process start(ProcessBuilder builder) throws IOException {
    Process p = builder.start();
    started.add(p);
    return p;
  }

  /** Ends what still runs inside and removes the namespace; its veth pair goes with it. */
  @Override
  public void close() {
    synchronized (this) {
      for (Process p : started) {
        p.destroyForcibly();
      }
      started.clear();
    }
    remove(name);
  }

  private static void removeLeftovers() throws IOException, InterruptedException {
    for (String line : output("ip", "netns", "list").split("\n")) {
      Matcher m = OURS.matcher(line.trim().split(" ")[0]);
      if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
        remove(m.group());
      }
    }
  }

  /** Ends the processes still in namespace {@code name} (ours, from a run that was killed) and deletes it. */
  private static void remove(String name) {
    try {
      for (String pid : output("ip", "netns", "pids", name).split("\\s+")) {
        if (!pid.isBlank()) {
          ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
        }
      }
      output("ip", "netns", "del", name);
    } catch (IOException | RuntimeException e) {
      // gone already
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The first 10.77.n.0/30 from {@code start} on that no interface here uses yet. */
  private static int freeSubnet(int start) throws IOException, InterruptedException {
    String used = output("ip", "-4", "-o", "addr", "show");
    for (int i = 0; i < 250; i++) {
      int n = 1 + (start + i) % 250;
      if (!used.contains(" 10.77." + n + ".")) {
        return n;
      }
    }
    throw new IOException("no free 10.77.n.0/30 subnet");
  }

  private static void ip(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("ip"));
    command.addAll(List.of(args));
    exec(new ProcessBuilder(command));
  }

  private static void exec(ProcessBuilder builder) throws IOException, InterruptedException {
    Process p = builder.redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", builder.command()) + " failed: " + out.trim());
    }
  }

  private static String output(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(30, TimeUnit.SECONDS);
    return out;
  }
}
