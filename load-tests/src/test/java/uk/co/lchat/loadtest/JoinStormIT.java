package uk.co.lchat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.typesafe.config.ConfigFactory;

import uk.co.lchat.media.control.MediaRouterProtocol;
import uk.co.lchat.node.LchatNode;

/**
 * A join storm across a three-node cluster: 200 receivers join one room within 10 s while two publishers on
 * different nodes talk, then half of them leave. The forwarding stays consistent: everyone still in the room gets
 * both publishers' streams, and no router keeps anything for those who left.
 */
class JoinStormIT {
  private static final List<LchatNode> nodes = new ArrayList<>();

  private static com.typesafe.config.Config config(List<String> seeds) {
    return ConfigFactory.parseMap(Map.of("lchat.http.port", 0, "lchat.media.port", 0, "lchat.cluster.remote-port", 0,
        "lchat.cluster.seeds", seeds, "lchat.media.placement.strategy", "local"));
  }

  @BeforeAll
  static void start() throws Exception {
    LchatNode first = LchatNode.start(config(List.of()));
    nodes.add(first);
    String seed = "127.0.0.1:" + Cluster.get(first.system()).selfMember().address().getPort().get();
    nodes.add(LchatNode.start(config(List.of(seed))));
    nodes.add(LchatNode.start(config(List.of(seed))));
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (nodes.stream().anyMatch(n -> {
      long up = 0;
      for (org.apache.pekko.cluster.Member m : Cluster.get(n.system()).state().getMembers()) {
        up += m.status() == MemberStatus.up() ? 1 : 0;
      }
      return up < 3;
    })) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no 3-node cluster in 30 s");
      }
      Thread.sleep(200);
    }
  }

  @AfterAll
  static void stop() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
  }

  private static int participantsOnRouters() throws Exception {
    int n = 0;
    for (LchatNode node : nodes) {
      n += AskPattern.<MediaRouterProtocol.Command, MediaRouterProtocol.RouterStatus>ask(node.router(),
          MediaRouterProtocol.GetStatus::new, Duration.ofSeconds(5), node.system().scheduler())
          .toCompletableFuture().get().participants();
    }
    return n;
  }

  private static URI url(int i) {
    return URI.create("http://127.0.0.1:" + nodes.get(i % 3).httpPort());
  }

  @Test
  void twoHundredJoinsInTenSecondsThenHalfLeaveAndEveryoneLeftGetsEveryStream() throws Exception {
    HttpClient http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();
    Measurements m = new Measurements();
    List<SimParticipant> publishers = new ArrayList<>();
    List<SimParticipant> receivers = new ArrayList<>();
    Thread sender = null;
    try {
      for (int i = 0; i < 2; i++) {
        SimParticipant p = new SimParticipant(http, url(i), "talker-" + i, true, false, m);
        p.join("storm");
        publishers.add(p);
      }
      boolean[] sending = {true};
      sender = Thread.ofPlatform().start(() -> {
        while (sending[0]) {
          for (SimParticipant p : publishers) {
            try {
              p.sendAudio(true);
            } catch (Exception e) {
              // keep going
            }
          }
          try {
            Thread.sleep(20);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      long start = System.nanoTime();
      try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
        List<Future<SimParticipant>> joins = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          int k = i;
          joins.add(pool.submit(() -> {
            // Spread over the 10 s, round robin over the three nodes.
            Thread.sleep(k * 45L);
            SimParticipant p = new SimParticipant(http, url(k), "viewer-" + k, false, false, m);
            p.join("storm");
            return p;
          }));
        }
        for (Future<SimParticipant> f : joins) {
          receivers.add(f.get());
        }
      }
      assertTrue(System.nanoTime() - start < Duration.ofSeconds(20).toNanos(), "the storm took too long");
      waitUntilAllReceive(receivers, 2);
      // Half of them leave at once.
      List<SimParticipant> leaving = new ArrayList<>(receivers.subList(0, 100));
      for (SimParticipant p : leaving) {
        p.close();
      }
      receivers.removeAll(leaving);
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (participantsOnRouters() != 102 && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      assertEquals(102, participantsOnRouters(), "the routers hold exactly the two publishers and 100 receivers");
      waitUntilAllReceive(receivers, 2);
      sending[0] = false;
    } finally {
      if (sender != null) {
        sender.interrupt();
      }
      for (SimParticipant p : receivers) {
        p.close();
      }
      for (SimParticipant p : publishers) {
        p.close();
      }
    }
  }

  private static void waitUntilAllReceive(List<SimParticipant> receivers, int streams) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    long missing = receivers.size();
    while (System.nanoTime() < deadline) {
      missing = receivers.stream().filter(r -> r.streamsFlowing(1_000_000_000L) < streams).count();
      if (missing == 0) {
        return;
      }
      Thread.sleep(250);
    }
    StringBuilder relays = new StringBuilder();
    for (int i = 0; i < nodes.size(); i++) {
      relays.append(" node").append(i).append(' ').append(nodes.get(i).mediaRouter().relays());
    }
    throw new AssertionError(missing + " of " + receivers.size() + " receivers are missing a stream;" + relays);
  }
}
