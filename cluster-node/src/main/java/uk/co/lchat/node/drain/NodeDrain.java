package uk.co.lchat.node.drain;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

import com.typesafe.config.Config;

import uk.co.lchat.media.control.MediaRouterProtocol;
import uk.co.lchat.node.placement.Placement;
import uk.co.lchat.node.signaling.ParticipantSession;
import uk.co.lchat.node.stats.StatsProtocol;

/**
 * Empties this node before it leaves the cluster (scale-in, SIGTERM, a Kubernetes pod ending), run by Coordinated
 * Shutdown before the HTTP server unbinds:
 * <ol>
 *   <li>The node stops taking participants: placement never picks its media router, new WebSockets are refused and
 *   {@code GET /ready} answers 503 (so a load balancer sends people elsewhere).</li>
 *   <li>With {@code lchat.drain.move-participants}, the media router asks each of its participants' sessions to move
 *   their media to another node's router; the client publishes again there (an ICE and DTLS handshake with the new
 *   router, no user action).</li>
 *   <li>Then every signaling connection to this node is asked to reconnect to another node (or to
 *   {@code lchat.drain.reconnect-url}) and resume its participant there.</li>
 *   <li>When no participant's media or signaling is left here, or after {@code lchat.drain.timeout}, shutdown goes
 *   on: Cluster Sharding hands this node's rooms, state and all, to other nodes, and the node leaves.</li>
 * </ol>
 * Without moving, the drain waits for people to leave until the timeout.
 */
public final class NodeDrain {
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration SETTLE = Duration.ofSeconds(1);

  private final Set<ActorRef<Object>> sessions = ConcurrentHashMap.newKeySet();
  private final boolean move;
  private final Duration timeout;
  private final String reconnectUrl;
  private final Duration directoryWait;
  private volatile boolean draining;
  private volatile boolean skip;
  private CompletableFuture<Done> done;

  public NodeDrain(boolean move, Duration timeout, String reconnectUrl, Duration directoryWait) {
    this.move = move;
    this.timeout = timeout;
    this.reconnectUrl = reconnectUrl;
    this.directoryWait = directoryWait;
  }

  public static NodeDrain fromConfig(Config root) {
    Config d = root.getConfig("lchat.drain");
    return new NodeDrain(d.getBoolean("move-participants"), d.getDuration("timeout"), d.getString("reconnect-url"),
        d.getDuration("directory-wait"));
  }

  public void register(ActorRef<Object> session) {
    sessions.add(session);
  }

  public void unregister(ActorRef<Object> session) {
    sessions.remove(session);
  }

  public boolean draining() {
    return draining;
  }

  /** A stop that should not wait for anybody (tests closing a node, a failed start). */
  public void skip() {
    skip = true;
  }

  /**
   * Starts the drain (once; later calls get the same completion). {@code self} is this node's cluster address,
   * so another node is chosen for reconnects.
   */
  public synchronized CompletionStage<Done> drain(ActorSystem<?> system, ActorRef<MediaRouterProtocol.Command> router,
                                                  Placement placement, String self) {
    if (done != null) {
      return done;
    }
    done = new CompletableFuture<>();
    if (skip) {
      done.complete(Done.getInstance());
      return done;
    }
    draining = true;
    placement.drainLocal();
    router.tell(new MediaRouterProtocol.Drain(move));
    Thread.ofVirtual().name("lchat-drain").start(() -> {
      try {
        run(system, router, self);
      } catch (Exception e) {
        system.log().warn("drain: {}", e.toString());
      } finally {
        done.complete(Done.getInstance());
      }
    });
    return done;
  }

  private void run(ActorSystem<?> system, ActorRef<MediaRouterProtocol.Command> router, String self)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    system.log().info("drain: {} signaling connections here; {}", sessions.size(),
        move ? "moving participants to other nodes" : "waiting for participants to leave");
    if (move) {
      // Media first, while the clients' signaling still runs through this node; at most a third of the time.
      Instant mediaDeadline = Instant.now().plus(timeout.dividedBy(3));
      while (participantsOn(system, router) > 0 && Instant.now().isBefore(mediaDeadline)) {
        Thread.sleep(POLL.toMillis());
      }
      // The sessions detached at once; give the clients a moment to finish publishing to their new routers
      // before their signaling moves too.
      Thread.sleep(SETTLE.toMillis());
      String url = reconnectUrl.isEmpty() ? otherNode(system, self) : reconnectUrl;
      if (url == null) {
        system.log().warn("drain: no other node to send connections to; waiting for them to leave");
      } else {
        system.log().info("drain: asking {} connections to reconnect to {}", sessions.size(), url);
        for (ActorRef<Object> s : sessions) {
          s.tell(new ParticipantSession.Reconnect(url));
        }
      }
    }
    int left;
    while (((left = participantsOn(system, router)) > 0 || !sessions.isEmpty()) && Instant.now().isBefore(deadline)) {
      Thread.sleep(POLL.toMillis());
    }
    if (left > 0 || !sessions.isEmpty()) {
      system.log().warn("drain: timed out with {} participants' media and {} connections still here", left,
          sessions.size());
    } else {
      system.log().info("drain: done, nobody is left on this node");
    }
  }

  private static int participantsOn(ActorSystem<?> system, ActorRef<MediaRouterProtocol.Command> router) {
    try {
      return AskPattern.<MediaRouterProtocol.Command, MediaRouterProtocol.RouterStatus>ask(router,
              MediaRouterProtocol.GetStatus::new, Duration.ofSeconds(3), system.scheduler())
          .toCompletableFuture().get(4, TimeUnit.SECONDS).participants();
    } catch (Exception e) {
      return 0; // the router is gone: nothing of its media is left
    }
  }

  /**
   * The HTTP base URL (scheme, host, port) of where newcomers should go instead of this draining node: another node
   * that is not draining, or {@code lchat.drain.reconnect-url}'s; null when there is none.
   */
  public CompletionStage<String> elsewhere(ActorSystem<?> system, String self) {
    CompletableFuture<String> base = new CompletableFuture<>();
    Thread.ofVirtual().name("lchat-drain-elsewhere").start(() -> {
      try {
        String ws = reconnectUrl.isEmpty() ? otherNode(system, self) : reconnectUrl;
        base.complete(ws == null ? null : httpBase(ws));
      } catch (RuntimeException | InterruptedException e) {
        base.completeExceptionally(e);
      }
    });
    return base;
  }

  /** ws://host:port/ws -> http://host:port (wss -> https). */
  public static String httpBase(String wsUrl) {
    java.net.URI u = java.net.URI.create(wsUrl);
    String scheme = "wss".equals(u.getScheme()) || "https".equals(u.getScheme()) ? "https" : "http";
    return scheme + "://" + u.getRawAuthority();
  }

  /**
   * The WebSocket URL of another node that is not draining, or null when the cluster has no live peer. The
   * directory (the receptionist's listing of every node's statistics actor) is gossiped, so a node that has just
   * seen a peer come up may not list it yet: while a reachable peer is a cluster member but not listed with a
   * signaling URL, this asks again, for at most {@code lchat.drain.directory-wait}, instead of answering "no other
   * node" too soon.
   */
  private String otherNode(ActorSystem<?> system, String self) throws InterruptedException {
    Instant deadline = Instant.now().plus(directoryWait);
    while (true) {
      String url = listedOtherNode(system, self);
      if (url != null || livePeers(system, self) == 0 || !Instant.now().isBefore(deadline)) {
        if (url == null && livePeers(system, self) > 0) {
          system.log().warn("drain: {} live peers, but none listed a signaling URL within {}", livePeers(system, self),
              directoryWait);
        }
        return url;
      }
      Thread.sleep(POLL.toMillis());
    }
  }

  /** Members other than this node that are up and reachable: the nodes a newcomer could be sent to. */
  private static int livePeers(ActorSystem<?> system, String self) {
    ClusterEvent.CurrentClusterState state = Cluster.get(system).state();
    int live = 0;
    for (Member m : state.getMembers()) {
      boolean up = m.status() == MemberStatus.up() || m.status() == MemberStatus.weaklyUp();
      if (up && !m.address().toString().equals(self) && !state.getUnreachable().contains(m)) {
        live++;
      }
    }
    return live;
  }

  /** The first other node in the directory that is not draining and serves signaling, or null. */
  private static String listedOtherNode(ActorSystem<?> system, String self) {
    try {
      Receptionist.Listing listing = AskPattern.<Receptionist.Command, Receptionist.Listing>ask(
              system.receptionist(), r -> Receptionist.find(StatsProtocol.SERVICE_KEY, r), Duration.ofSeconds(3),
              system.scheduler())
          .toCompletableFuture().get(4, TimeUnit.SECONDS);
      List<CompletableFuture<StatsProtocol.NodeInfo>> infos = listing.getServiceInstances(StatsProtocol.SERVICE_KEY)
          .stream()
          .map(ref -> AskPattern.<StatsProtocol.Command, StatsProtocol.NodeInfo>ask(ref,
                  StatsProtocol.GetNodeInfo::new, Duration.ofSeconds(3), system.scheduler())
              .toCompletableFuture().exceptionally(e -> null))
          .toList();
      for (CompletableFuture<StatsProtocol.NodeInfo> f : infos) {
        StatsProtocol.NodeInfo info = f.get(4, TimeUnit.SECONDS);
        if (info != null && !info.node().equals(self) && !info.draining() && !info.wsUrl().isEmpty()) {
          return info.wsUrl();
        }
      }
    } catch (Exception e) {
      system.log().warn("drain: could not list the other nodes: {}", e.toString());
    }
    return null;
  }
}
