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
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import uk.co.lchat.autoscaler.LocalProcessProvider;
import uk.co.lchat.media.control.MediaRouterProtocol;

/**
 * kill -9 of a node that carries only signaling: its clients reconnect to another node and resume as the same
 * participants, their media (on a live router) never stops, and once the cluster has removed the dead node nothing
 * of theirs is left behind and nobody is dropped.
 */
class SignalingNodeCrashIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Map<String, Object> NODE = Map.of(
      "lchat.media.placement.strategy", "local",
      "lchat.rebalance.enabled", false);
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

  private SimParticipant join(List<URI> nodes, String name, String room, Measurements m) throws Exception {
    SimParticipant p = new SimParticipant(HTTP, nodes.get(0), nodes, name, true, false, m);
    participants.add(p);
    p.join(room);
    return p;
  }

  private static URI base(int httpPort) {
    return URI.create("http://127.0.0.1:" + httpPort);
  }

  @Test
  void killingANodeThatCarriesOnlySignalingCostsItsClientsNoMediaAndLeavesNothingBehind() throws Exception {
    cluster = CrashCluster.start(NODE, 2, "signaling-node-crash");
    LocalProcessProvider.NodeProcess doomed = cluster.process(0);
    LocalProcessProvider.NodeProcess survivor = cluster.process(1);
    String room = cluster.roomNotOn("signaling-crash", doomed);
    URI first = base(cluster.first.httpPort());
    Measurements m = new Measurements();
    // Ann and Bob reach the node that will die; they know the others' addresses, as a client behind a load
    // balancer would reach another node with the same one.
    List<URI> doomedFirst = List.of(base(doomed.httpPort()), first, base(survivor.httpPort()));
    List<SimParticipant> onDoomed = List.of(join(doomedFirst, "Ann", room, m), join(doomedFirst, "Bob", room, m));
    SimParticipant cat = join(List.of(first), "Cat", room, m);
    SimParticipant dan = join(List.of(base(survivor.httpPort())), "Dan", room, m);
    List<SimParticipant> everyone = List.of(onDoomed.get(0), onDoomed.get(1), cat, dan);
    List<String> ids = everyone.stream().map(SimParticipant::id).toList();
    Thread sender = Talkers.send(everyone, false, () -> sending);
    Talkers.awaitHearingEachOther(everyone, "before the move", 30);

    // Ann's and Bob's media goes to this JVM's node (as rebalancing would move it): the doomed node keeps only
    // their signaling.
    ActorRef<MediaRouterProtocol.Command> doomedRouter = cluster.routerOf(doomed);
    int shed = AskPattern.<MediaRouterProtocol.Command, Integer>ask(doomedRouter,
            reply -> new MediaRouterProtocol.Shed(2, cluster.first.router(), reply), Duration.ofSeconds(10),
            cluster.first.system().scheduler())
        .toCompletableFuture().get(15, TimeUnit.SECONDS);
    assertEquals(2, shed);
    Talkers.await("Ann and Bob published again on this JVM's node", 30,
        () -> onDoomed.stream().allMatch(p -> p.mediaMoves() == 1));
    Talkers.awaitHearingEachOther(everyone, "with only Ann's and Bob's signaling on the doomed node", 30);
    everyone.forEach(SimParticipant::resetGaps);

    long killed = System.nanoTime();
    CrashCluster.kill(doomed);
    Talkers.await("Ann and Bob reconnected through another node", 60,
        () -> onDoomed.stream().allMatch(p -> p.reconnects() == 1));
    System.out.printf("signaling node kill -9: Ann and Bob resumed through another node within %d ms%n",
        (System.nanoTime() - killed) / 1_000_000);
    assertEquals(ids, everyone.stream().map(SimParticipant::id).toList(),
        "Ann and Bob resumed as the same participants");

    // The cluster removes the dead node; the room, which watched their old sessions, keeps them all the same.
    Talkers.await("the cluster removed the dead node", 90,
        () -> java.util.stream.StreamSupport.stream(Cluster.get(cluster.first.system()).state().getMembers()
            .spliterator(), false).count() == 2);
    Talkers.awaitHearingEachOther(everyone, "after the dead node's removal", 30);
    for (SimParticipant p : everyone) {
      long gap = p.longestAudioGapNanos() / 1_000_000;
      System.out.printf("signaling node kill -9: %s heard a longest audio gap of %d ms%n", p.id(), gap);
      assertTrue(gap < 1000, p.id() + " lost " + gap + " ms of audio though no router died");
    }
    for (SimParticipant p : onDoomed) {
      assertEquals(1, p.mediaMoves(), p.id() + "'s media stayed where it was");
    }
    SimParticipant eve = join(List.of(first), "Eve", room, m);
    List<String> roster = new ArrayList<>();
    for (JsonNode p : eve.joined().path("room").path("participants")) {
      roster.add(p.path("id").asText());
    }
    List<String> expected = new ArrayList<>(ids);
    expected.add(eve.id());
    assertEquals(expected.stream().sorted().toList(), roster.stream().sorted().toList(),
        "the roster holds the same four, once each, and Eve");
    // Nothing leaks: this JVM's router carries Ann, Bob, Cat and now Eve, the survivor's only Dan.
    assertEquals(4, cluster.status(cluster.first.router()).participants());
    assertEquals(1, cluster.status(cluster.routerOf(survivor)).participants());
    assertEquals(0, m.failures.sum(), () -> "no participant failed to publish or to answer an offer: "
        + m.failureReasons());
    assertEquals(0, m.reconnectsGivenUp.sum());
    sending = false;
    sender.join(2000);
  }
}
