package uk.co.lchat.node.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static uk.co.lchat.node.browser.MeetingPages.MEDIA;
import static uk.co.lchat.node.browser.MeetingPages.selectedPair;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import uk.co.lchat.node.netns.LanNodeProcess;
import uk.co.lchat.node.netns.NetworkNamespaces;

/**
 * A call that can only go through TURN. The node (LAN mode for HTTPS, so the pages get their cameras) and coturn
 * (use-auth-secret with the node's secret, relaying from the same host) run on 10.77.0.33; the participants' host,
 * 10.77.0.34, reaches the node's web port and coturn but not its media port at all: nftables on the node's host
 * drops UDP and TCP from the participants' address to it. Both participants get TURN credentials in {@code joined},
 * their connections to the media router go through relay candidates, and they see and hear each other; the dropped
 * packets show the direct path was tried and blocked.
 */
class TurnRelayIT {
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final String NODE_NS = "lchat-turn-node";
  private static final String CLIENT_NS = "lchat-turn-client";
  private static final String NODE = "10.77.0.33";
  private static final String CLIENT = "10.77.0.34";
  private static final int MEDIA_PORT = 10000;
  private static NetworkNamespaces hosts;
  private static Path work;
  private static LanNodeProcess node;
  private static Chromium chromium;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(NetworkNamespaces.root(), "TurnRelayIT builds network namespaces, which takes root: skipped");
    assertTrue(Chromium.available(), "Debian's chromium must be installed (bin/lchat test installs it)");
    assertTrue(Files.isExecutable(Path.of("/usr/bin/turnserver")), "Debian's coturn must be installed"
        + " (bin/lchat test installs it)");
    hosts = NetworkNamespaces.pair(NODE_NS, NODE, CLIENT_NS, CLIENT);
    work = Path.of("target", "netns", "turn").toAbsolutePath();
    deleteTree(work);
    Files.createDirectories(work);
    blockMediaFromClients();
    String secret = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    startCoturn(secret);
    node = LanNodeProcess.start(hosts, NODE_NS, "lchat.lan.data-dir = \"" + work.resolve("data") + "\"\n"
        + "lchat.media.port = " + MEDIA_PORT + "\n"
        + "lchat.room.features.p2p = false\n"
        + "lchat.turn.urls = [\"turn:" + NODE + ":3478?transport=udp\", \"turn:" + NODE + ":3478?transport=tcp\"]\n"
        + "lchat.turn.secret = \"" + secret + "\"\n", work, 240);
    chromium = Chromium.launch(Chromium.Options.defaults().inNamespace(CLIENT_NS)
        .trusting(work.resolve("data").resolve("ca.crt")));
  }

  /** nftables on the node's host: the participants' host may not reach the media port, by UDP or TCP. */
  private static void blockMediaFromClients() throws Exception {
    Path rules = work.resolve("block-media.nft");
    Files.writeString(rules, "table inet lchat_block {\n"
        + "  chain input {\n"
        + "    type filter hook input priority 0; policy accept;\n"
        + "    ip saddr " + CLIENT + " udp dport " + MEDIA_PORT + " counter drop\n"
        + "    ip saddr " + CLIENT + " tcp dport " + MEDIA_PORT + " counter drop\n"
        + "  }\n"
        + "}\n");
    hosts.exec(NODE_NS, "nft", "-f", rules.toString());
  }

  /** coturn on the node's host, as an operator sets it up for the node: use-auth-secret, relaying from there. */
  private static void startCoturn(String secret) throws Exception {
    Path config = work.resolve("turnserver.conf");
    Files.writeString(config, String.join("\n", List.of(
        "listening-ip=" + NODE, "relay-ip=" + NODE, "listening-port=3478", "min-port=49152", "max-port=49252",
        "use-auth-secret", "static-auth-secret=" + secret, "realm=lchat.test", "fingerprint",
        "no-tls", "no-dtls", "no-cli", "no-multicast-peers",
        // coturn relays only to the node (its relay address and the node's are on the same host here).
        "allowed-peer-ip=" + NODE, "denied-peer-ip=0.0.0.0-255.255.255.255",
        "userdb=" + work.resolve("turndb"), "pidfile=" + work.resolve("turnserver.pid"),
        "log-file=stdout", "simple-log", "verbose")) + "\n");
    hosts.start(NODE_NS, List.of("turnserver", "-c", config.toString()), work.resolve("turnserver.log"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!hosts.exec(NODE_NS, "ss", "-Hlnu").contains(NODE + ":3478")) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("coturn did not listen: " + Files.readString(work.resolve("turnserver.log")));
      }
      Thread.sleep(200);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (chromium != null) {
      chromium.close();
    }
    if (hosts != null) {
      hosts.close(); // stops the node and coturn, and takes the nftables table with the namespace
    }
  }

  @Test
  void participantsWhoCannotReachTheMediaPortTalkThroughTheTurnRelay() throws Exception {
    String base = node.url().substring(0, node.url().length() - 1);
    try (Chromium.Page alice = MeetingPages.join(chromium, base, "turn-meeting", "Alice", WAIT);
         Chromium.Page bob = MeetingPages.join(chromium, base, "turn-meeting", "Bob", WAIT)) {
      for (Chromium.Page page : new Chromium.Page[] {alice, bob}) {
        JsonNode servers = page.eval("window.lchatMeeting.iceServers");
        assertEquals(2, servers.get(0).get("urls").size(), servers.toString());
        assertTrue(servers.get(0).get("username").asText().matches("\\d+:[a-z0-9]+"), servers.toString());
      }
      waitForMedia(alice);
      waitForMedia(bob);
      for (Chromium.Page page : new Chromium.Page[] {alice, bob}) {
        for (String pc : new String[] {"publisher", "subscriber"}) {
          JsonNode pair = page.eval(selectedPair("window.lchatMeeting.media." + pc));
          assertEquals("relay", pair.get("local").asText(), pc + " goes through coturn: " + pair);
          assertEquals(NODE, pair.get("remoteAddress").asText(), "to the media router: " + pair);
        }
      }
    }
    assertTrue(droppedPackets() > 0, "the participants tried the media port directly and were dropped");
  }

  /** {@code page} decodes the other's video and hears its audio. */
  private static void waitForMedia(Chromium.Page page) throws Exception {
    try {
      page.waitFor(MEDIA + ".then(m => m.videos >= 1 && m.audios >= 1)", WAIT);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; media " + page.eval(MEDIA) + "; pairs "
          + page.eval(selectedPair("window.lchatMeeting.media.publisher")) + " / "
          + page.eval(selectedPair("window.lchatMeeting.media.subscriber")) + "; coturn "
          + Files.readString(work.resolve("turnserver.log")), e);
    }
  }

  private static long droppedPackets() throws Exception {
    String table = hosts.exec(NODE_NS, "nft", "list", "table", "inet", "lchat_block");
    long dropped = 0;
    Matcher m = Pattern.compile("counter packets (\\d+)").matcher(table);
    while (m.find()) {
      dropped += Long.parseLong(m.group(1));
    }
    return dropped;
  }

  private static void deleteTree(Path dir) throws Exception {
    if (Files.exists(dir)) {
      try (var files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }
}
