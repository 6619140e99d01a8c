package uk.co.lchat.node.netns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import uk.co.lchat.node.Main;

/**
 * A node started as {@code bin/lchat run --lan} starts it (Main with {@code --lan}), in a network namespace, in a
 * JVM of its own: the namespace has its own addresses, which this JVM's sockets cannot use. Ready once it has
 * printed LAN mode's banner, from which the URL and the fingerprints are read as a person would read them.
 */
public final class LanNodeProcess {
  private static final Pattern URL = Pattern.compile("(https://[0-9.]+:\\d+/)");
  private static final Pattern CA = Pattern.compile("CA SHA-256 fingerprint:\\s+([0-9A-F:]{95})");
  private static final Pattern SERVER = Pattern.compile("server SHA-256 fingerprint:\\s+([0-9A-F:]{95})");

  private final Process process;
  private final Path log;
  private final String url;
  private final String caFingerprint;
  private final String serverFingerprint;

  private LanNodeProcess(Process process, Path log, String banner) {
    this.process = process;
    this.log = log;
    this.url = group(URL, banner);
    this.caFingerprint = group(CA, banner);
    this.serverFingerprint = group(SERVER, banner);
  }

  /**
   * Starts {@code Main --lan --config <config>} in {@code namespace} and waits (up to {@code waitSeconds}) for its
   * banner; {@code config} holds HOCON for the rest (the data directory, test settings).
   */
  public static LanNodeProcess start(NetworkNamespaces ns, String namespace, String config, Path workDir,
                                     long waitSeconds) throws IOException, InterruptedException {
    Files.createDirectories(workDir);
    Path file = workDir.resolve("node.conf");
    Files.writeString(file, config);
    Path log = workDir.resolve("node.log");
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
    command.addAll(List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "--lan", "--config", file.toString()));
    Process p = ns.start(namespace, command, log);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
    while (true) {
      String out = Files.exists(log) ? Files.readString(log) : "";
      if (SERVER.matcher(out).find()) {
        return new LanNodeProcess(p, log, out);
      }
      if (!p.isAlive() || System.nanoTime() > deadline) {
        p.destroyForcibly();
        throw new AssertionError("the LAN node in " + namespace + " did not start: " + out);
      }
      Thread.sleep(250);
    }
  }

  private static String group(Pattern pattern, String text) {
    Matcher m = pattern.matcher(text);
    if (!m.find()) {
      throw new AssertionError("no " + pattern + " in the banner: " + text);
    }
    return m.group(1);
  }

  /** The first URL the banner names, e.g. https://10.77.0.1:8443/. */
  public String url() {
    return url;
  }

  public String caFingerprint() {
    return caFingerprint;
  }

  public String serverFingerprint() {
    return serverFingerprint;
  }

  public boolean alive() {
    return process.isAlive();
  }

  public String log() throws IOException {
    return Files.readString(log);
  }
}
