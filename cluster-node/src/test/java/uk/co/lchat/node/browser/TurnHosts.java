package uk.co.lchat.node.browser;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static uk.co.lchat.node.browser.MeetingPages.MEDIA;
import static uk.co.lchat.node.browser.MeetingPages.selectedPair;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import uk.co.lchat.node.netns.LanNodeProcess;
import uk.co.lchat.node.netns.NetworkNamespaces;

/**
 * The two test hosts of the TURN tests: the node's (the node in LAN mode, for HTTPS, and coturn beside it as an
 * operator sets it up: use-auth-secret with the node's secret, relaying only to the node) and the participants',
 * whose packets to chosen ports on the node's host nftables drops. Closing stops the node and coturn and takes the
 * nftables table with the namespaces.
 */
final class TurnHosts implements AutoCloseable {
  static final int MEDIA_PORT = 10000;

  final NetworkNamespaces hosts;
  final Path work;
  final String nodeNamespace;
  final String nodeAddress;
  final String clientNamespace;
  final String clientAddress;
  final String secret = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));

  private TurnHosts(NetworkNamespaces hosts, Path work, String nodeNamespace, String nodeAddress,
      String clientNamespace, String clientAddress) {
    this.hosts = hosts;
    this.work = work;
    this.nodeNamespace = nodeNamespace;
    this.nodeAddress = nodeAddress;
    this.clientNamespace = clientNamespace;
    this.clientAddress = clientAddress;
  }

  /** The two namespaces and an empty work directory {@code target/netns/<name>}; skips the test unless root. */
  static TurnHosts create(String test, String name, String nodeNamespace, String nodeAddress, String clientNamespace,
      String clientAddress) throws Exception {
    assumeTrue(NetworkNamespaces.root(), test + " builds network namespaces, which takes root: skipped");
    assertTrue(Chromium.available(), "Debian's chromium must be installed (bin/lchat test installs it)");
    assertTrue(Files.isExecutable(Path.of("/usr/bin/turnserver")), "Debian's coturn must be installed"
        + " (bin/lchat test installs it)");
    NetworkNamespaces hosts = NetworkNamespaces.pair(nodeNamespace, nodeAddress, clientNamespace, clientAddress);
    Path work = Path.of("target", "netns", name).toAbsolutePath();
    deleteTree(work);
    Files.createDirectories(work);
    return new TurnHosts(hosts, work, nodeNamespace, nodeAddress, clientNamespace, clientAddress);
  }

  /** nftables on the node's host: the participants' host may not reach these ports, by UDP or TCP. */
  void blockFromClients(int... ports) throws Exception {
    StringBuilder rules = new StringBuilder("table inet lchat_block {\n"
        + "  chain input {\n"
        + "    type filter hook input priority 0; policy accept;\n");
    for (int port : ports) {
      for (String protocol : new String[] {"udp", "tcp"}) {
        rules.append("    ip saddr ").append(clientAddress).append(' ').append(protocol).append(" dport ")
            .append(port).append(" counter drop\n");
      }
    }
    rules.append("  }\n}\n");
    Path file = work.resolve("block.nft");
    Files.writeString(file, rules.toString());
    hosts.exec(nodeNamespace, "nft", "-f", file.toString());
  }

  /**
   * coturn on the node's host with the settings every TURN test shares and {@code extra} ones, ready once
   * {@code ss} (with {@code ssFlags}, e.g. "-Hlnu") lists it on {@code port}.
   */
  void startCoturn(List<String> extra, String ssFlags, int port) throws Exception {
    List<String> settings = new ArrayList<>(List.of(
        "listening-ip=" + nodeAddress, "relay-ip=" + nodeAddress, "listening-port=3478",
        "min-port=49152", "max-port=49252",
        "use-auth-secret", "static-auth-secret=" + secret, "realm=lchat.test", "fingerprint",
        "no-dtls", "no-cli", "no-multicast-peers",
        // coturn relays only to the node (its relay address and the node's are on the same host here).
        "allowed-peer-ip=" + nodeAddress, "denied-peer-ip=0.0.0.0-255.255.255.255",
        "userdb=" + work.resolve("turndb"), "pidfile=" + work.resolve("turnserver.pid"),
        "log-file=stdout", "simple-log", "verbose"));
    settings.addAll(extra);
    Path config = work.resolve("turnserver.conf");
    Files.writeString(config, String.join("\n", settings) + "\n");
    hosts.start(nodeNamespace, List.of("turnserver", "-c", config.toString()), work.resolve("turnserver.log"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!hosts.exec(nodeNamespace, "ss", ssFlags).contains(nodeAddress + ":" + port)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("coturn did not listen on " + port + ": " + coturnLog());
      }
      Thread.sleep(200);
    }
  }

  /** The node in LAN mode on the node's host, handing out {@code turnUrls} (a HOCON list) with coturn's secret. */
  LanNodeProcess startNode(String turnUrls) throws Exception {
    return LanNodeProcess.start(hosts, nodeNamespace, "lchat.lan.data-dir = \"" + work.resolve("data") + "\"\n"
        + "lchat.media.port = " + MEDIA_PORT + "\n"
        + "lchat.room.features.p2p = false\n"
        + "lchat.turn.urls = " + turnUrls + "\n"
        + "lchat.turn.secret = \"" + secret + "\"\n", work, 240);
  }

  /** LAN mode's CA, which the participants' Chromium must trust to open the node's pages. */
  Path nodeCa() {
    return work.resolve("data").resolve("ca.crt");
  }

  /** {@code page} decodes the other's video and hears its audio; a timeout shows the pairs and coturn's log. */
  void waitForMedia(Chromium.Page page, Duration wait) throws Exception {
    try {
      page.waitFor(MEDIA + ".then(m => m.videos >= 1 && m.audios >= 1)", wait);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; media " + page.eval(MEDIA) + "; pairs "
          + page.eval(selectedPair("window.lchatMeeting.media.publisher")) + " / "
          + page.eval(selectedPair("window.lchatMeeting.media.subscriber")) + "; coturn " + coturnLog(), e);
    }
  }

  /** What nftables dropped so far, over all the blocked ports. */
  long droppedPackets() throws Exception {
    String table = hosts.exec(nodeNamespace, "nft", "list", "table", "inet", "lchat_block");
    long dropped = 0;
    Matcher m = Pattern.compile("counter packets (\\d+)").matcher(table);
    while (m.find()) {
      dropped += Long.parseLong(m.group(1));
    }
    return dropped;
  }

  private String coturnLog() throws Exception {
    return Files.readString(work.resolve("turnserver.log"));
  }

  @Override
  public void close() {
    hosts.close();
  }

  private static void deleteTree(Path dir) throws Exception {
    if (Files.exists(dir)) {
      try (var files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }
}
