package uk.co.lchat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import uk.co.lchat.autoscaler.LocalProcessProvider;
import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.Main;
import uk.co.lchat.node.TestNodes;

/**
 * The scaling loop on this machine with real node processes: load raises stress, the autoscaler starts a node
 * process that joins, new rooms land on it; load falls, it is told to go (SIGTERM), drains (its participants move
 * without losing a second of media) and exits. And a node process killed with SIGTERM while people meet on it
 * (signaling, media and the room itself): they carry on through the other node.
 */
class LocalScalingIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  /**
   * Small capacities so a few simulated participants make a node "busy"; the same for started processes.
   * Rebalancing (RebalanceIT) is off: here, only new rooms go to the new node.
   */
  private static final Map<String, Object> SMALL = Map.of(
      "lchat.rebalance.enabled", false,
      "lchat.metrics.capacity.packets-per-second", 800,
      "lchat.metrics.capacity.cpu", 1.0,
      "lchat.metrics.rate-window", "2s",
      "lchat.media.placement.strategy", "least-loaded",
      "lchat.media.placement.interval", "500ms");
  private static final Path LOGS = Path.of("target", "scaled-nodes");

  private LchatNode parent;
  private final List<SimParticipant> everyone = new ArrayList<>();
  private volatile boolean sending = true;
  private LocalProcessProvider manual;

  @AfterEach
  void stop() {
    sending = false;
    everyone.forEach(SimParticipant::close);
    if (manual != null) {
      manual.close(5);
    }
    if (parent != null) {
      parent.close();
    }
  }

  private static List<String> childJvmOptions() {
    List<String> options = new ArrayList<>(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    SMALL.forEach((k, v) -> options.add("-D" + k + "=" + v));
    return options;
  }

  private static Config parentConfig(boolean autoscale) {
    Map<String, Object> c = new HashMap<>(SMALL);
    c.put("lchat.http.port", 0);
    c.put("lchat.media.port", 0);
    c.put("lchat.cluster.remote-port", 0);
    c.put("lchat.autoscaler.enabled", autoscale);
    c.put("lchat.autoscaler.provider", "local");
    c.put("lchat.autoscaler.interval", "1s");
    c.put("lchat.autoscaler.target-utilisation", 0.5);
    c.put("lchat.autoscaler.band", 0.1);
    c.put("lchat.autoscaler.min-nodes", 1);
    c.put("lchat.autoscaler.max-nodes", 2);
    c.put("lchat.autoscaler.scale-up-cooldown", "1s");
    c.put("lchat.autoscaler.scale-down-cooldown", "3s");
    c.put("lchat.autoscaler.stress-per-participant", 0.0);
    c.put("lchat.autoscaler.local.jvm-options", childJvmOptions());
    c.put("lchat.autoscaler.local.log-dir", LOGS.toAbsolutePath().toString());
    return ConfigFactory.parseMap(c);
  }

  private SimParticipant join(URI node, String name, String room, boolean video) throws Exception {
    SimParticipant p = new SimParticipant(HTTP, node, name, true, video, new Measurements());
    everyone.add(p);
    p.join(room);
    return p;
  }

  private static int participantsOn(int httpPort) {
    try {
      return TestNodes.getJson(httpPort, "/stats").path("participants").asInt();
    } catch (Exception e) {
      return -1;
    }
  }

  @Test
  void loadStartsANodeAndNewRoomsLandOnItThenTheNodeDrainsAndExitsWhenLoadFalls() throws Exception {
    parent = LchatNode.start(parentConfig(true));
    URI parentUrl = URI.create("http://127.0.0.1:" + parent.httpPort());
    List<SimParticipant> busy = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      busy.add(join(parentUrl, "busy-" + i, "busy", true));
    }
    Talkers.send(busy, true, () -> sending);

    // Stress above 1 on the only node: the autoscaler starts a second node process, which joins.
    Talkers.await("a second node joined", 120, () -> TestNodes.upMembers(parent) == 2);
    LocalProcessProvider.NodeProcess child = parent.localNodes().nodes().get(0);
    Talkers.await("placement knows the new node's router", 30, () -> parent.placement().load().size() == 2);

    // A new room lands on the new, empty node (its media; signaling stays where the clients connected).
    SimParticipant ann = join(parentUrl, "Ann", "fresh", false);
    SimParticipant bob = join(parentUrl, "Bob", "fresh", false);
    List<SimParticipant> fresh = List.of(ann, bob);
    Talkers.send(fresh, true, () -> sending);
    Talkers.await("the new room's media is on the new node", 20, () -> participantsOn(child.httpPort()) == 2);
    Talkers.awaitHearingEachOther(fresh, "in the new room", 20);

    // Load falls: the busy room ends. The autoscaler scales in; the new node drains (Ann and Bob move back) and
    // exits.
    for (SimParticipant p : busy) {
      p.close();
      everyone.remove(p);
    }
    busy.clear();
    fresh.forEach(SimParticipant::resetGaps);
    assertTrue(child.process().waitFor(180, TimeUnit.SECONDS), "the scaled-in node process did not exit");
    Talkers.await("one node left", 30, () -> TestNodes.upMembers(parent) == 1);
    Talkers.awaitHearingEachOther(fresh, "after the move", 20);
    for (SimParticipant p : fresh) {
      assertEquals(1, p.mediaMoves(), p.id() + "'s media moved once");
      long gap = p.longestAudioGapNanos() / 1_000_000;
      System.out.printf("scale-in: %s heard a longest audio gap of %d ms%n", p.id(), gap);
      assertTrue(gap < 1000, p.id() + " lost " + gap + " ms of audio");
    }
    assertEquals(2, participantsOn(parent.httpPort()));
  }

  @Test
  void peopleMeetingOnANodeThatGetsSigtermCarryOnThroughTheOtherNode() throws Exception {
    parent = LchatNode.start(parentConfig(false));
    URI parentUrl = URI.create("http://127.0.0.1:" + parent.httpPort());
    // Warm the parent's shard region so the next room's shard goes to the new node (fewest shards).
    join(parentUrl, "warm", "warm-up", false);
    // Media stays on the node each client reached (not least-loaded, which could put a participant's media on this
    // JVM's node from the start): everything of the meeting is on the process that gets SIGTERM.
    List<String> options = new ArrayList<>(childJvmOptions());
    options.add("-Dlchat.media.placement.strategy=local");
    manual = new LocalProcessProvider(LocalProcessProvider.sameJvmCommand(options, Main.class.getName()),
        "127.0.0.1", "127.0.0.1:" + org.apache.pekko.cluster.typed.Cluster.get(parent.system()).selfMember()
            .address().getPort().get(), 1, LOGS);
    manual.scaleTo(2);
    Talkers.await("the node process joined", 120, () -> TestNodes.upMembers(parent) == 2);
    LocalProcessProvider.NodeProcess child = manual.nodes().get(0);
    URI childUrl = URI.create("http://127.0.0.1:" + child.httpPort());
    Talkers.await("the node process serves HTTP", 30, () -> participantsOn(child.httpPort()) >= 0);

    // Everyone connects to the node process: signaling, media and (a fresh shard) the room are there.
    SimParticipant ann = join(childUrl, "Ann", "sigterm", false);
    SimParticipant bob = join(childUrl, "Bob", "sigterm", false);
    SimParticipant cat = join(childUrl, "Cat", "sigterm", false);
    List<SimParticipant> room = List.of(ann, bob, cat);
    Talkers.send(room, true, () -> sending);
    Talkers.awaitHearingEachOther(room, "before SIGTERM", 20);
    ann.chat("before SIGTERM");
    Thread.sleep(300);
    room.forEach(SimParticipant::resetGaps);

    child.process().destroy(); // SIGTERM
    assertTrue(child.process().waitFor(120, TimeUnit.SECONDS), "the node did not exit after SIGTERM");
    assertFalse(child.process().isAlive());
    Talkers.awaitHearingEachOther(room, "through the remaining node", 20);
    for (SimParticipant p : room) {
      assertEquals(1, p.reconnects(), p.id() + "'s signaling moved once");
      assertEquals(1, p.mediaMoves(), p.id() + "'s media moved once");
      long gap = p.longestAudioGapNanos() / 1_000_000;
      System.out.printf("sigterm: %s heard a longest audio gap of %d ms%n", p.id(), gap);
      assertTrue(gap < 1000, p.id() + " lost " + gap + " ms of audio");
    }
    SimParticipant dan = join(parentUrl, "Dan", "sigterm", false);
    JsonNode joined = dan.joined();
    List<String> ids = new ArrayList<>();
    joined.path("room").path("participants").forEach(p -> ids.add(p.path("id").asText()));
    assertEquals(List.of(ann.id(), bob.id(), cat.id(), dan.id()), ids);
    assertEquals("before SIGTERM", joined.path("room").path("chatHistory").path(0).path("text").asText());
  }
}
