package uk.co.lchat.node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.typesafe.config.ConfigFactory;

import uk.co.lchat.node.stats.StatsProtocol;

/**
 * The front doors of the cluster as the directory of nodes lists them: hello's fail-over list names the other live
 * nodes that take people, and the origin check keeps trusting a node's pages after the node has gone.
 */
class ClusterOriginsTest {
  // The directory is the receptionist's: this system's own, without a cluster around it; one per test, so each
  // test's nodes are the only ones listed.
  private final ActorTestKit kit = ActorTestKit.create(
      ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));

  @AfterEach
  void shutdown() {
    kit.shutdownTestKit();
  }

  /** A node's statistics actor as the directory lists it: it answers with its cluster address and signaling URL. */
  private static Behavior<StatsProtocol.Command> node(String address, String wsUrl, boolean draining) {
    return Behaviors.setup(ctx -> {
      ctx.getSystem().receptionist().tell(Receptionist.register(StatsProtocol.SERVICE_KEY, ctx.getSelf()));
      return Behaviors.receive(StatsProtocol.Command.class)
          .onMessage(StatsProtocol.GetNodeInfo.class, m -> {
            m.replyTo().tell(new StatsProtocol.NodeInfo(address, wsUrl, draining));
            return Behaviors.same();
          })
          .build();
    });
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void helloListsTheOtherLiveNodesButNeitherThisOneNorOneThatDrains() throws Exception {
    ClusterOrigins cluster = new ClusterOrigins();
    kit.spawn(node("pekko://lchat@10.0.0.1:25520", "ws://10.0.0.1:8080/ws", false));
    kit.spawn(node("pekko://lchat@10.0.0.2:25520", "ws://10.0.0.2:8080/ws", false));
    kit.spawn(node("pekko://lchat@10.0.0.3:25520", "ws://10.0.0.3:8080/ws", true));
    kit.system().systemActorOf(cluster.follower(), "origins-live", Props.empty());

    await("all three nodes answered", () -> cluster.contains("http://10.0.0.3:8080"));
    await("the other live node is listed", () -> !cluster.signalingUrls("pekko://lchat@10.0.0.1:25520").isEmpty());
    assertEquals(List.of("ws://10.0.0.2:8080/ws"), cluster.signalingUrls("pekko://lchat@10.0.0.1:25520"));
    assertTrue(cluster.contains("http://10.0.0.1:8080"), "a draining node's pages are still the cluster's");
  }

  @Test
  void aNodeThatIsGoneLeavesTheListButItsPagesMayStillConnect() throws Exception {
    ClusterOrigins cluster = new ClusterOrigins();
    ActorRef<StatsProtocol.Command> doomed = kit.spawn(node("pekko://lchat@10.0.1.2:25520", "ws://10.0.1.2:8080/ws",
        false));
    kit.spawn(node("pekko://lchat@10.0.1.1:25520", "ws://10.0.1.1:8080/ws", false));
    kit.system().systemActorOf(cluster.follower(), "origins-gone", Props.empty());
    await("the doomed node is listed", () -> cluster.signalingUrls("self").contains("ws://10.0.1.2:8080/ws"));

    kit.stop(doomed);

    await("the doomed node leaves the list", () -> !cluster.signalingUrls("self").contains("ws://10.0.1.2:8080/ws"));
    assertTrue(cluster.signalingUrls("self").contains("ws://10.0.1.1:8080/ws"));
    // Its pages fail over to the nodes left, with its origin.
    assertTrue(cluster.contains("http://10.0.1.2:8080"));
    assertFalse(cluster.contains("http://10.0.9.9:8080"), "never a node of this cluster");
  }
}
