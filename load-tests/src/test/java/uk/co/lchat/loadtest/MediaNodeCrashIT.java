package uk.co.lchat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import uk.co.lchat.autoscaler.LocalProcessProvider;
import uk.co.lchat.media.control.MediaRouterProtocol;

/**
 * kill -9 of the node whose media router carries part of a meeting while everyone's signaling runs through other
 * nodes: the participants whose media was there move it to a live router by themselves as soon as the cluster finds
 * the node unreachable (without waiting for it to be removed), and everyone hears everyone again within seconds.
 */
class MediaNodeCrashIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Map<String, Object> NODE = Map.of(
      "lchat.media.placement.strategy", "local",
      "lchat.rebalance.enabled", false);
  /** The target: every surviving participant receives media again within this of the kill. */
  private static final long TARGET_MILLIS = 5_000;
  /** A starved host's bound, three times the target: what it proves is that the media comes back at all. */
  private static final long STARVED_HOST_MILLIS = 15_000;
  private CrashCluster cluster;
  private final List<SimParticipant> participants = new ArrayList<>();
  private volatile boolean sending = true;

  @AfterEach
  void stop() {
    sending = false;
    participants.forEach(SimParticipant::close);
    if (cluster != null) {
      cluster.close();
    }
  }

  private SimParticipant join(int httpPort, String name, String room, Measurements m) throws Exception {
    SimParticipant p = new SimParticipant(HTTP, URI.create("http://127.0.0.1:" + httpPort), name, true, false, m);
    participants.add(p);
    p.join(room);
    return p;
  }

  @Test
  void killingTheNodeThatCarriesTheMediaMovesItToALiveRouterWithinSeconds() throws Exception {
    cluster = CrashCluster.start(NODE, 2, "media-node-crash");
    LocalProcessProvider.NodeProcess doomed = cluster.process(0);
    LocalProcessProvider.NodeProcess survivor = cluster.process(1);
    // The room's actor lives on a node that stays: this test is about media alone (RoomNodeCrashIT kills the room's).
    String room = cluster.roomNotOn("media-crash", doomed);
    Measurements m = new Measurements();
    List<SimParticipant> onFirst = List.of(join(cluster.first.httpPort(), "Ann", room, m),
        join(cluster.first.httpPort(), "Bob", room, m), join(cluster.first.httpPort(), "Cat", room, m));
    List<SimParticipant> onSurvivor = List.of(join(survivor.httpPort(), "Dan", room, m),
        join(survivor.httpPort(), "Eve", room, m));
    List<SimParticipant> everyone = new ArrayList<>(onFirst);
    everyone.addAll(onSurvivor);
    Thread sender = Talkers.send(everyone, false, () -> sending);
    Talkers.awaitHearingEachOther(everyone, "before the move", 30);

    // The media of the three on this JVM's node goes to the node that will die (as rebalancing would move it);
    // their signaling stays here, so nothing but the media router breaks.
    ActorRef<MediaRouterProtocol.Command> doomedRouter = cluster.routerOf(doomed);
    int shed = AskPattern.<MediaRouterProtocol.Command, Integer>ask(cluster.first.router(),
            reply -> new MediaRouterProtocol.Shed(3, doomedRouter, reply), Duration.ofSeconds(10),
            cluster.first.system().scheduler())
        .toCompletableFuture().get(15, TimeUnit.SECONDS);
    assertEquals(3, shed);
    Talkers.await("the three moved their media once", 30, () -> onFirst.stream().allMatch(p -> p.mediaMoves() == 1));
    Talkers.awaitHearingEachOther(everyone, "with three participants' media on the doomed node", 30);
    everyone.forEach(SimParticipant::resetGaps);
    long lostBefore = m.lost.sum();

    long killed = System.nanoTime();
    CrashCluster.kill(doomed);
    Talkers.await("the three moved their media off the dead router", 60,
        () -> onFirst.stream().allMatch(p -> p.mediaMoves() == 2));
    // The move follows the failure detector, not the node's removal (the split-brain resolver's 7 s stable-after
    // comes on top of detection): the dead node is still a member when everyone has been told to move.
    assertTrue(cluster.isMember(doomed), "the media moved while the dead node was still a member");
    Talkers.awaitHearingEachOther(everyone, "after the kill", 60);
    long heardAgainMillis = (System.nanoTime() - killed) / 1_000_000;

    // Measured from the kill to the moment each of the five gets every other's audio again (within the last
    // 0.5 s); the participants whose receiving side moved get new SSRCs from the new router, so their own gap
    // counters would not see the outage.
    // The 5 s target is a speed figure, measured and reported in docs/benchmarks.md (3.6-3.9 s); here it
    // is printed, and only a starved host's bound is asserted (6.5 s was seen once at load average 40).
    System.out.printf("media node kill -9: everyone heard everyone again %d ms after the kill (target %d ms)%n",
        heardAgainMillis, TARGET_MILLIS);
    assertTrue(heardAgainMillis <= STARVED_HOST_MILLIS, "the media came back " + heardAgainMillis + " ms after the kill");
    for (SimParticipant p : onSurvivor) {
      assertEquals(0, p.mediaMoves(), p.id() + "'s media was never on the dead node");
    }
    // The load tool counts the outage as loss although the audio slots' sequence numbers (the router's own) show no
    // gap: at least two seconds of one talker (the failure detector alone takes 2 s). It counts each silent slot at
    // the rate the slot had, and the router forwards the loudest few, not every talker in full, so the count is
    // below five receivers times the talkers' 50 packets/s.
    long lost = m.lost.sum() - lostBefore;
    System.out.printf("media node kill -9: the load tool counted %d packets lost%n", lost);
    assertTrue(lost >= 2 * 50, "the stopped streams were counted as lost: " + lost);

    // Nothing leaks: the live routers carry exactly the five participants.
    Talkers.await("this node's router carries the three again and nothing else", 30,
        () -> statusOf(cluster.first.router()).participants() == 3);
    ActorRef<MediaRouterProtocol.Command> survivorRouter = cluster.routerOf(survivor);
    assertEquals(2, statusOf(survivorRouter).participants());
    assertEquals(0, m.failures.sum(), () -> "no participant failed to publish or to answer an offer: "
        + m.failureReasons());
    sending = false;
    sender.join(2000);
  }

  private MediaRouterProtocol.RouterStatus statusOf(ActorRef<MediaRouterProtocol.Command> router) {
    try {
      return cluster.status(router);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
