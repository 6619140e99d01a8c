package uk.co.lchat.loadtest;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;

import uk.co.lchat.autoscaler.LocalProcessProvider;
import uk.co.lchat.media.control.MediaRouterProtocol;
import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;
import uk.co.lchat.room.RoomActor;

/**
 * This JVM's node and node processes beside it, for tests that kill one of the processes with SIGKILL: no drain, no
 * handoff, the sockets reset by the kernel, as when a machine or a container dies.
 */
final class CrashCluster implements AutoCloseable {
  final LchatNode first;
  final LocalProcessProvider others;

  private CrashCluster(LchatNode first, LocalProcessProvider others) {
    this.first = first;
    this.others = others;
  }

  /** {@code processes} node processes joined to this JVM's node, all with {@code settings}, serving HTTP. */
  static CrashCluster start(Map<String, Object> settings, int processes, String logDir) throws Exception {
    LchatNode first = NodeProcesses.firstNode(settings);
    LocalProcessProvider others = NodeProcesses.beside(first, settings, logDir);
    CrashCluster cluster = new CrashCluster(first, others);
    try {
      others.scaleTo(processes + 1); // the cluster's size, this JVM's node included
      Talkers.await(processes + 1 + " nodes in one cluster", 120,
          () -> TestNodes.upMembers(first) == processes + 1);
      for (LocalProcessProvider.NodeProcess p : others.nodes()) {
        Talkers.await("node process " + p.httpPort() + " serves HTTP", 30, () -> health(p.httpPort()));
      }
      return cluster;
    } catch (Exception | AssertionError e) {
      cluster.close();
      throw e;
    }
  }

  LocalProcessProvider.NodeProcess process(int index) {
    return others.nodes().get(index);
  }

  /** The cluster port of the node whose shard region holds {@code room}'s shard, or -1. */
  int regionPortOf(String room) throws Exception {
    // The entity's shard, as Cluster Sharding's default extractor computes it from the room's name.
    int shards = first.system().settings().config().getInt("pekko.cluster.sharding.number-of-shards");
    String shard = String.valueOf(Math.abs(room.hashCode() % shards));
    ShardRegion.ClusterShardingStats stats = AskPattern.<ClusterShardingQuery, ShardRegion.ClusterShardingStats>ask(
            ClusterSharding.get(first.system()).shardState(),
            reply -> new GetClusterShardingStats(RoomActor.ENTITY_KEY, Duration.ofSeconds(5), reply),
            Duration.ofSeconds(10), first.system().scheduler())
        .toCompletableFuture().get(15, TimeUnit.SECONDS);
    for (var region : stats.getRegions().entrySet()) {
      if (region.getValue().getStats().containsKey(shard)) {
        return (Integer) region.getKey().getPort().get();
      }
    }
    return -1;
  }

  /**
   * The first of {@code prefix}-0, -1, ... whose actor lives on a node other than {@code process}: a room that
   * survives that process's kill untouched.
   */
  String roomNotOn(String prefix, LocalProcessProvider.NodeProcess process) throws Exception {
    for (int k = 0; k < 40; k++) {
      if (regionPortOf(prefix + "-" + k) != process.remotePort()) {
        return prefix + "-" + k;
      }
    }
    throw new AssertionError("every one of 40 rooms landed on the node process " + process.remotePort());
  }

  /** The media router of the node process, as this JVM's node knows it (awaited). */
  ActorRef<MediaRouterProtocol.Command> routerOf(LocalProcessProvider.NodeProcess process)
      throws InterruptedException {
    String self = Cluster.get(first.system()).selfMember().address().toString();
    String address = "pekko://" + first.system().name() + "@127.0.0.1:" + process.remotePort();
    Talkers.await("this node knows the media router of " + address, 30,
        () -> first.placement().routerOf(address, self) != null);
    return first.placement().routerOf(address, self);
  }

  /** What {@code router} reports (participants attached, endpoints). */
  MediaRouterProtocol.RouterStatus status(ActorRef<MediaRouterProtocol.Command> router) throws Exception {
    return AskPattern.<MediaRouterProtocol.Command, MediaRouterProtocol.RouterStatus>ask(router,
            MediaRouterProtocol.GetStatus::new, Duration.ofSeconds(5), first.system().scheduler())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Whether the node process is still a member of the cluster as this JVM's node sees it (unreachable counts). */
  boolean isMember(LocalProcessProvider.NodeProcess process) {
    for (Member m : Cluster.get(first.system()).state().getMembers()) {
      if (m.address().getPort().orElse(-1) == process.remotePort() && m.status() != MemberStatus.removed()) {
        return true;
      }
    }
    return false;
  }

  /** SIGKILL, and wait until the process is gone. */
  static void kill(LocalProcessProvider.NodeProcess process) throws InterruptedException {
    process.process().destroyForcibly();
    if (!process.process().waitFor(10, TimeUnit.SECONDS)) {
      throw new AssertionError("the killed node process did not end");
    }
  }

  static boolean health(int port) {
    try {
      return TestNodes.get(port, "/health").statusCode() == 200;
    } catch (Exception e) {
      return false;
    }
  }

  @Override
  public void close() {
    others.close(5);
    first.close();
  }
}
