package uk.co.lchat.node;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import java.util.concurrent.atomic.AtomicReference;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.apache.pekko.stream.javadsl.Tcp;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;

import uk.co.lchat.media.control.ConferenceTracker;
import uk.co.lchat.media.control.MediaRouterActor;
import uk.co.lchat.media.control.MediaRouterProtocol;
import uk.co.lchat.media.router.MediaRouter;
import uk.co.lchat.autoscaler.LocalProcessProvider;
import uk.co.lchat.node.api.ServerApi;
import uk.co.lchat.node.auth.ApiKeys;
import uk.co.lchat.node.auth.AuthSettings;
import uk.co.lchat.node.auth.JoinTokens;
import uk.co.lchat.node.drain.NodeDrain;
import uk.co.lchat.node.http.ClusterOrigins;
import uk.co.lchat.node.http.ConnectionGate;
import uk.co.lchat.node.http.FrontDoorSettings;
import uk.co.lchat.node.http.HttpApi;
import uk.co.lchat.node.http.HttpListener;
import uk.co.lchat.node.http.OriginPolicy;
import uk.co.lchat.metrics.NodeMetrics;
import uk.co.lchat.metrics.StressLevel;
import uk.co.lchat.node.placement.Placement;
import uk.co.lchat.node.placement.RouterDirectory;
import uk.co.lchat.node.signaling.SignalingCounters;
import uk.co.lchat.node.signaling.SignalingSettings;
import uk.co.lchat.node.stats.AccessMetrics;
import uk.co.lchat.node.stats.FrontDoorCollector;
import uk.co.lchat.node.stats.MetricsSettings;
import uk.co.lchat.node.stats.NodeSampler;
import uk.co.lchat.node.stats.StatsActor;
import uk.co.lchat.node.stats.StatsProtocol;
import uk.co.lchat.node.stats.StatsRoutes;
import uk.co.lchat.room.RoomActor;
import uk.co.lchat.room.RoomConfig;
import uk.co.lchat.room.WebhookSender;
import uk.co.lchat.egress.EgressService;
import uk.co.lchat.egress.EgressSettings;
import uk.co.lchat.room.RoomCounters;

/** One running node: its actor system (a cluster member), the room shard region and the HTTP server. */
public final class LchatNode implements AutoCloseable {
  public static final String SYSTEM_NAME = "lchat";

  private final ActorSystem<Void> system;
  private final NodeSettings settings;
  private final Tcp.ServerBinding binding;
  private final ConnectionGate connections;
  private final SignalingCounters signaling = new SignalingCounters();
  private final MediaRouter mediaRouter;
  private final ActorRef<MediaRouterProtocol.Command> router;
  private final ConferenceTracker conferences = new ConferenceTracker();
  private final RoomCounters rooms = new RoomCounters();
  private final NodeMetrics metrics;
  private final Placement placement;
  private final ServerBinding metricsBinding;
  private final NodeDrain drain;
  /** How other nodes' clients reach this node's signaling (for their drains); empty until HTTP is bound. */
  private volatile String wsUrl = "";
  /** The node processes the autoscaler started, with provider = local (null otherwise). */
  private LocalProcessProvider localNodes;

  private LchatNode(ActorSystem<Void> system, NodeSettings settings) throws Exception {
    this.system = system;
    this.settings = settings;
    // Token keys are checked before the node joins anything: a bad secret or JWKS file stops it here.
    AuthSettings auth = AuthSettings.fromConfig(system.settings().config());
    JoinTokens tokens = new JoinTokens(auth);
    RoomConfig roomConfig = RoomConfig.fromConfig(system.settings().config());
    joinCluster();
    RoomActor.initSharding(system, roomConfig, rooms);
    AtomicReference<ActorRef<MediaRouterProtocol.Command>> routerRef = new AtomicReference<>();
    this.mediaRouter = MediaRouter.start(settings.media(), MediaRouterActor.speakerListener(routerRef::get));
    this.router = system.systemActorOf(MediaRouterActor.create(mediaRouter, conferences, settings.host(),
        system.settings().config().getInt("lchat.media.audio-slots")), "media-router",
        Props.empty());
    routerRef.set(router);
    MetricsSettings ms = MetricsSettings.fromConfig(system.settings().config());
    this.metrics = new NodeMetrics(new StressLevel(ms.capacityPacketsPerSecond(), ms.capacityCpu()),
        ms.rateWindow());
    String address = Cluster.get(system).selfMember().address().toString();
    this.drain = NodeDrain.fromConfig(system.settings().config());
    system.systemActorOf(StatsActor.create(metrics, new NodeSampler(mediaRouter, conferences, signaling), address,
        ms.sampleInterval(), () -> new StatsProtocol.NodeInfo(address, wsUrl, drain.draining())), "stats",
        Props.empty());
    new AccessMetrics(rooms).register(metrics.registry());
    StatsRoutes stats = new StatsRoutes(system, metrics, settings.askTimeout());
    com.typesafe.config.Config pc = system.settings().config().getConfig("lchat.media.placement");
    this.placement = new Placement(Placement.strategy(pc.getString("strategy")), router,
        pc.getInt("capacity-endpoints"), pc.getDouble("near-full"));
    system.systemActorOf(RouterDirectory.create(router, placement, pc.getDuration("interval")), "router-directory",
        Props.empty());
    startAutoscaler(system);
    startRebalancer(system, address);
    FrontDoorSettings door = FrontDoorSettings.fromConfig(system.settings().config());
    ClusterOrigins clusterOrigins = new ClusterOrigins();
    system.systemActorOf(clusterOrigins.follower(), "cluster-origins", Props.empty());
    HttpApi api = new HttpApi(system, settings, signaling, router, stats.routes(), placement, drain,
        SignalingSettings.fromConfig(system.settings().config()),
        new OriginPolicy(door.allowedOrigins(), clusterOrigins), clusterOrigins, tokens,
        new ServerApi(system, new ApiKeys(auth), settings.askTimeout(), roomConfig.replication(),
            roomConfig.maxParticipants(), new EgressService(EgressSettings.from(system.settings().config()), system,
            router, new WebhookSender(roomConfig.webhooks()))));
    this.connections = new ConnectionGate(door.maxConnectionsPerAddress());
    metrics.registry().register(new FrontDoorCollector(connections, signaling));
    this.binding = HttpListener.bind(system, settings.host(), settings.httpPort(), api.routes(), door, connections)
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    this.wsUrl = "ws://" + settings.host() + ":" + binding.localAddress().getPort() + "/ws";
    // SIGTERM, scale-in and leaving all run Coordinated Shutdown: drain first, while HTTP still serves.
    org.apache.pekko.actor.CoordinatedShutdown.get(system).addTask(
        org.apache.pekko.actor.CoordinatedShutdown.PhaseBeforeServiceUnbind(), "lchat-drain",
        () -> drain.drain(system, router, placement, address));
    // A separate metrics port, when configured, serves /metrics only (for a scrape network apart from users').
    this.metricsBinding = ms.port() > 0 && ms.port() != binding.localAddress().getPort()
        ? Http.get(system).newServerAt(ms.bindHost(), ms.port()).bind(stats.metricsRoute())
            .toCompletableFuture().get(30, TimeUnit.SECONDS)
        : null;
    system.log().info("Lunar Chat node up: http://{}:{}/ (remoting {}, media UDP {})", settings.host(),
        binding.localAddress().getPort(), settings.remotePort(), mediaRouter.port());
  }

  /**
   * With {@code lchat.autoscaler.enabled}, every node offers to host the autoscaler; the cluster runs exactly one
   * (a cluster singleton), which reads all nodes' statistics and scales the Kubernetes StatefulSet.
   */
  private void startAutoscaler(ActorSystem<Void> system) throws java.io.IOException {
    com.typesafe.config.Config a = system.settings().config().getConfig("lchat.autoscaler");
    if (!a.getBoolean("enabled")) {
      return;
    }
    uk.co.lchat.autoscaler.ScalingPolicy policy = new uk.co.lchat.autoscaler.ScalingPolicy(
        a.getDouble("target-utilisation"), a.getDouble("band"), a.getInt("min-nodes"), a.getInt("max-nodes"),
        a.getDuration("scale-up-cooldown"), a.getDuration("scale-down-cooldown"), a.getDouble("stress-per-participant"));
    uk.co.lchat.autoscaler.CapacityProvider provider = switch (a.getString("provider")) {
      case "kubernetes" -> uk.co.lchat.autoscaler.KubernetesScaleProvider.inCluster(
          java.net.http.HttpClient.newHttpClient(), a.getString("statefulset"));
      case "local" -> {
        com.typesafe.config.Config l = a.getConfig("local");
        List<String> command = l.getStringList("command");
        if (command.isEmpty()) {
          List<String> options = new ArrayList<>(l.getStringList("jvm-options"));
          options.add("-Dlchat.autoscaler.enabled=off"); // the autoscaler runs here, where the processes are known
          options.addAll(settings.tls().jvmOptions()); // and they join over the same remoting, TLS or not
          command = LocalProcessProvider.sameJvmCommand(options, Main.class.getName());
        }
        LocalProcessProvider local = new LocalProcessProvider(command,
            settings.host(), settings.host() + ":" + Cluster.get(system).selfMember().address().getPort().get(),
            l.getInt("fixed-nodes"), java.nio.file.Path.of(l.getString("log-dir")));
        this.localNodes = local;
        yield local;
      }
      default -> throw new IllegalArgumentException("lchat.autoscaler.provider: kubernetes or local, not "
          + a.getString("provider"));
    };
    java.time.Duration timeout = settings.askTimeout();
    org.apache.pekko.cluster.typed.ClusterSingleton.get(system).init(org.apache.pekko.cluster.typed.SingletonActor.of(
        uk.co.lchat.autoscaler.Autoscaler.create(policy, provider,
            () -> StatsRoutes.gather(system, timeout).thenApply(g -> g.nodes().entrySet().stream()
                .map(e -> new uk.co.lchat.autoscaler.Autoscaler.NodeReading(e.getKey(),
                    e.getValue().path("stress_level").asDouble(), e.getValue().path("participants").asInt()))
                .toList()),
            a.getDuration("interval"), new uk.co.lchat.autoscaler.Autoscaler.Metrics(metrics.registry())),
        "autoscaler"));
  }

  /**
   * With {@code lchat.rebalance.enabled} (the default), every node offers to host the rebalancer, a cluster
   * singleton that moves participants off an overloaded node to an idle one through the busy node's media router.
   */
  private void startRebalancer(ActorSystem<Void> system, String self) {
    com.typesafe.config.Config r = system.settings().config().getConfig("lchat.rebalance");
    if (!r.getBoolean("enabled")) {
      return;
    }
    uk.co.lchat.autoscaler.RebalancePolicy policy = new uk.co.lchat.autoscaler.RebalancePolicy(
        r.getDouble("overloaded"), r.getDouble("idle"), r.getDouble("max-share"), r.getDuration("cooldown"));
    java.time.Duration timeout = settings.askTimeout();
    uk.co.lchat.autoscaler.Rebalancer.Mover mover = (from, to, count) -> {
      ActorRef<MediaRouterProtocol.Command> source = placement.routerOf(from, self);
      ActorRef<MediaRouterProtocol.Command> target = placement.routerOf(to, self);
      if (source == null || target == null) {
        return java.util.concurrent.CompletableFuture.failedFuture(
            new IllegalStateException("no media router known on " + (source == null ? from : to)));
      }
      return org.apache.pekko.actor.typed.javadsl.AskPattern.ask(source,
          reply -> new MediaRouterProtocol.Shed(count, target, reply), timeout, system.scheduler());
    };
    org.apache.pekko.cluster.typed.ClusterSingleton.get(system).init(org.apache.pekko.cluster.typed.SingletonActor.of(
        uk.co.lchat.autoscaler.Rebalancer.create(policy, mover,
            () -> StatsRoutes.gather(system, timeout).thenApply(g -> g.nodes().entrySet().stream()
                .map(e -> {
                  ActorRef<MediaRouterProtocol.Command> router = placement.routerOf(e.getKey(), self);
                  return new uk.co.lchat.autoscaler.RebalancePolicy.NodeState(e.getKey(),
                      e.getValue().path("stress_level").asDouble(), e.getValue().path("participants").asInt(),
                      router != null && !placement.draining(router));
                })
                .toList()),
            r.getDuration("interval"), new uk.co.lchat.autoscaler.Rebalancer.Metrics(metrics.registry())),
        "rebalancer"));
  }

  /** Starts a node from a full configuration (defaults from reference.conf underneath). */
  public static LchatNode start(Config config) throws Exception {
    Config merged = config.withFallback(ConfigFactory.load()).resolve();
    // Read (and checked) before the actor system exists, so a node that must not bind remoting never does.
    NodeSettings settings = NodeSettings.fromConfig(merged);
    Config resolved = withRemoting(merged, settings);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), SYSTEM_NAME, resolved);
    try {
      return new LchatNode(system, settings);
    } catch (Exception e) {
      system.terminate();
      throw e;
    }
  }

  /**
   * lchat.node.host and lchat.cluster.remote-port decide Pekko's canonical address, lchat.cluster.tls its transport.
   */
  private static Config withRemoting(Config config, NodeSettings settings) {
    long drainMillis = config.getDuration("lchat.drain.timeout").toMillis();
    return settings.tls().applyTo(config)
        .withValue("pekko.coordinated-shutdown.phases.before-service-unbind.timeout",
            ConfigValueFactory.fromAnyRef((drainMillis + 15_000) + "ms"))
        .withValue("pekko.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(settings.host()))
        .withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(settings.remotePort()));
  }

  private void joinCluster() {
    if (settings.discovery().equals("kubernetes")) {
      PekkoManagement.get(system).start();
      ClusterBootstrap.get(system).start();
      return;
    }
    Cluster cluster = Cluster.get(system);
    List<org.apache.pekko.actor.Address> seeds = new ArrayList<>();
    if (settings.seeds().isEmpty()) {
      seeds.add(cluster.selfMember().address());
    }
    for (String seed : settings.seeds()) {
      seeds.add(toAddress(seed));
    }
    cluster.manager().tell(new JoinSeedNodes(seeds));
  }

  static org.apache.pekko.actor.Address toAddress(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostPort.length() - 1) {
      throw new IllegalArgumentException("a seed is host:port, got " + hostPort);
    }
    int port = Integer.parseInt(hostPort.substring(colon + 1));
    return new org.apache.pekko.actor.Address("pekko", SYSTEM_NAME, hostPort.substring(0, colon), port);
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public int httpPort() {
    return binding.localAddress().getPort();
  }

  public MediaRouter mediaRouter() {
    return mediaRouter;
  }

  public ActorRef<MediaRouterProtocol.Command> router() {
    return router;
  }

  public SignalingCounters signaling() {
    return signaling;
  }

  /** The HTTP port's open connections by client address, and what its door refused. */
  public ConnectionGate connections() {
    return connections;
  }

  public Placement placement() {
    return placement;
  }

  public NodeMetrics metrics() {
    return metrics;
  }

  /** The port serving GET /metrics: the metrics port when one is configured, else the HTTP port. */
  public int metricsPort() {
    return metricsBinding != null ? metricsBinding.localAddress().getPort() : httpPort();
  }

  /**
   * Leaves the cluster as on SIGTERM: drains (participants move to other nodes), hands rooms over, stops. Completes
   * when the actor system has terminated.
   */
  public CompletionStage<org.apache.pekko.Done> shutdownGracefully() {
    return org.apache.pekko.actor.CoordinatedShutdown.get(system)
        .runAll(org.apache.pekko.actor.CoordinatedShutdown.clusterLeavingReason());
  }

  public LocalProcessProvider localNodes() {
    return localNodes;
  }


  /** Stops at once, without draining (tests, failed starts). */
  @Override
  public void close() {
    drain.skip();
    if (localNodes != null) {
      localNodes.close();
    }
    mediaRouter.close();
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      system.log().warn("node did not stop cleanly: {}", e.toString());
    }
  }
}
