package uk.co.lchat.node;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.apache.pekko.stream.javadsl.Tcp;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;

import uk.co.lchat.autoscaler.Autoscaler;
import uk.co.lchat.autoscaler.AutoscalerSettings;
import uk.co.lchat.autoscaler.CapacityProvider;
import uk.co.lchat.autoscaler.LocalProcessProvider;
import uk.co.lchat.autoscaler.RebalanceSettings;
import uk.co.lchat.autoscaler.Rebalancer;
import uk.co.lchat.egress.EgressCluster;
import uk.co.lchat.egress.EgressNode;
import uk.co.lchat.egress.EgressProtocol;
import uk.co.lchat.egress.EgressService;
import uk.co.lchat.egress.EgressSettings;
import uk.co.lchat.media.control.ConferenceTracker;
import uk.co.lchat.media.control.MediaRouterProtocol;
import uk.co.lchat.media.control.NodeRouter;
import uk.co.lchat.media.router.MediaRouter;
import uk.co.lchat.metrics.NodeMetrics;
import uk.co.lchat.metrics.StressLevel;
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
import uk.co.lchat.node.lan.LanMode;
import uk.co.lchat.node.pageshare.PageFramingProbe;
import uk.co.lchat.node.placement.Placement;
import uk.co.lchat.node.placement.PlacementSettings;
import uk.co.lchat.node.placement.RouterDirectory;
import uk.co.lchat.node.placement.RouterMover;
import uk.co.lchat.node.presentation.PresentationStore;
import uk.co.lchat.node.signaling.SignalingCounters;
import uk.co.lchat.node.signaling.SignalingSettings;
import uk.co.lchat.node.stats.AccessMetrics;
import uk.co.lchat.node.stats.ClusterLoad;
import uk.co.lchat.node.stats.EgressCollector;
import uk.co.lchat.node.stats.FrontDoorCollector;
import uk.co.lchat.node.stats.MetricsSettings;
import uk.co.lchat.node.stats.NodeSampler;
import uk.co.lchat.node.stats.StatsActor;
import uk.co.lchat.node.stats.StatsProtocol;
import uk.co.lchat.node.stats.StatsRoutes;
import uk.co.lchat.node.tls.CertificateRenewal;
import uk.co.lchat.node.tls.HttpsRedirect;
import uk.co.lchat.node.turn.TurnSettings;
import uk.co.lchat.room.RoomActor;
import uk.co.lchat.room.RoomConfig;
import uk.co.lchat.room.RoomCounters;
import uk.co.lchat.room.WebhookSender;

/** One running node: its actor system (a cluster member), the room shard region and the HTTP server. */
public final class LchatNode implements AutoCloseable {
  public static final String SYSTEM_NAME = "lchat";

  private final ActorSystem<Void> system;
  private final NodeSettings settings;
  private final Tcp.ServerBinding binding;
  /** The plain-HTTP port redirecting to HTTPS ({@code lchat.http.tls.redirect-port}); null when there is none. */
  private final Tcp.ServerBinding redirectBinding;
  /** The HTTPS certificate, re-read when its files change; null for plain HTTP. */
  private final CertificateRenewal certificate;
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
  /** This node's recordings: finalised before the node goes, however it goes. */
  private final EgressService egress;
  /** The cluster's recordings, wherever they run. */
  private final EgressCluster egresses;
  /** How other nodes' clients reach this node's signaling (for their drains); empty until HTTP is bound. */
  private volatile String wsUrl = "";
  /** The presented documents whose uploads reached this node. */
  private final PresentationStore presentations;
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
    // Shared pages are checked for framing by the node hosting their room, under the room's own allow-list.
    RoomActor.initSharding(system, roomConfig, rooms, new PageFramingProbe(system,
        roomConfig.sharedPage().allowedHosts(), roomConfig.sharedPage().checkTimeout()));
    NodeRouter media = NodeRouter.start(system, settings.media(), conferences, settings.host());
    this.mediaRouter = media.data();
    this.router = media.control();
    MetricsSettings ms = MetricsSettings.fromConfig(system.settings().config());
    this.metrics = new NodeMetrics(new StressLevel(ms.capacityPacketsPerSecond(), ms.capacityCpu()),
        ms.rateWindow());
    String address = Cluster.get(system).selfMember().address().toString();
    this.drain = NodeDrain.fromConfig(system.settings().config());
    this.egress = new EgressService(EgressSettings.from(system.settings().config()), system, router,
        new WebhookSender(roomConfig.webhooks()));
    system.systemActorOf(StatsActor.create(metrics, new NodeSampler(mediaRouter, conferences, signaling,
        egress::running), address,
        ms.sampleInterval(), () -> new StatsProtocol.NodeInfo(address, wsUrl, drain.draining())), "stats",
        Props.empty());
    new AccessMetrics(rooms).register(metrics.registry());
    StatsRoutes stats = new StatsRoutes(system, metrics, settings.askTimeout());
    PlacementSettings ps = PlacementSettings.fromConfig(system.settings().config());
    this.placement = new Placement(ps.strategy(), router, ps.capacityEndpoints(), ps.nearFull());
    system.systemActorOf(RouterDirectory.create(router, placement, ps.interval()), "router-directory",
        Props.empty());
    ClusterLoad load = new ClusterLoad(system, settings.askTimeout());
    startAutoscaler(AutoscalerSettings.fromConfig(system.settings().config()), load);
    startRebalancer(RebalanceSettings.fromConfig(system.settings().config()), load, address);
    FrontDoorSettings door = FrontDoorSettings.fromConfig(system.settings().config());
    ClusterOrigins clusterOrigins = new ClusterOrigins();
    system.systemActorOf(clusterOrigins.follower(), "cluster-origins", Props.empty());
    metrics.registry().register(new EgressCollector(egress.counters()));
    ActorRef<EgressProtocol.Command> egressNode = null;
    if (egress.settings().enabled()) {
      ClusterSharding sharding = ClusterSharding.get(system);
      egressNode = system.systemActorOf(EgressNode.create(egress,
          room -> sharding.entityRefFor(RoomActor.ENTITY_KEY, room)), "egress", Props.empty());
    }
    this.egresses = new EgressCluster(system, egressNode, address, () -> load.readings().thenApply(rs -> rs.stream()
        .collect(java.util.stream.Collectors.toMap(Autoscaler.NodeReading::node, Autoscaler.NodeReading::stress,
            (a, b) -> a))), settings.askTimeout());
    HttpApi api = new HttpApi(system, settings, signaling, router, stats.routes(), placement, drain,
        SignalingSettings.fromConfig(system.settings().config()),
        new OriginPolicy(door.allowedOrigins(), clusterOrigins), clusterOrigins, tokens,
        new ServerApi(system, new ApiKeys(auth), settings.askTimeout(), roomConfig.replication(),
            roomConfig.maxParticipants(), egress.settings().enabled() ? egress : null, egresses),
        () -> wsUrl.isEmpty() ? null : NodeDrain.httpBase(wsUrl));
    this.presentations = api.presentationStore();
    this.connections = new ConnectionGate(door.maxConnectionsPerAddress());
    metrics.registry().register(new FrontDoorCollector(connections, signaling));
    this.certificate = settings.https().enabled() ? CertificateRenewal.start(settings.https()) : null;
    // Strict-Transport-Security on the HTTPS port only: never over plain HTTP (RFC 6797 §7.2).
    List<HttpHeader> httpsHeaders = certificate == null ? List.of()
        : settings.https().hsts().header().stream().toList();
    this.binding = HttpListener.bind(system, settings.httpBindHost(), settings.httpPort(), api.routes(), door,
            connections, certificate == null ? null : certificate::newEngine, httpsHeaders)
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    // The redirect port shares the connection caps: one client address holds its share across both ports.
    this.redirectBinding = settings.https().redirectPort() > 0
        ? HttpListener.bind(system, settings.httpBindHost(), settings.https().redirectPort(),
            HttpsRedirect.routes(binding.localAddress().getPort(), settings.https().acmeWebroot(), lanCa(system)),
            door, connections)
            .toCompletableFuture().get(30, TimeUnit.SECONDS)
        : null;
    this.wsUrl = (certificate == null ? "ws://" : "wss://") + httpHost() + ":" + binding.localAddress().getPort()
        + "/ws";
    // SIGTERM, scale-in and leaving all run Coordinated Shutdown: drain first, while HTTP still serves.
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "lchat-drain",
        () -> drain.drain(system, router, placement, address));
    // Recordings move to another node that records (a new file there, both listed), or end with the node; either
    // way their files here are finalised and indexed while the router still feeds them.
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "lchat-egress",
        () -> egresses.moveAway(egress).thenCompose(v -> egress.stopAll("node_shutdown"))
            .thenApply(v -> org.apache.pekko.Done.getInstance()));
    // A separate metrics port, when configured, serves /metrics only (for a scrape network apart from users').
    this.metricsBinding = ms.port() > 0 && ms.port() != binding.localAddress().getPort()
        ? Http.get(system).newServerAt(ms.bindHost(), ms.port()).bind(stats.metricsRoute())
            .toCompletableFuture().get(30, TimeUnit.SECONDS)
        : null;
    system.log().info("Lunar Chat node up: {}://{}:{}/ (remoting {}, media UDP {})",
        certificate == null ? "http" : "https", httpHost(), binding.localAddress().getPort(), settings.remotePort(),
        mediaRouter.port());
  }

  /** LAN mode's CA certificate, which the redirect port offers for download; empty outside LAN mode. */
  private static Optional<Path> lanCa(ActorSystem<?> system) {
    Config lan = system.settings().config().getConfig("lchat.lan");
    return lan.getBoolean("enabled") ? Optional.of(Path.of(lan.getString("data-dir"), "ca.crt")) : Optional.empty();
  }

  /** The address clients reach the HTTP port at: where it binds, or the node's host when it binds every interface. */
  private String httpHost() {
    String bind = settings.httpBindHost();
    return bind.equals("0.0.0.0") || bind.equals("::") ? settings.host() : bind;
  }

  /**
   * With {@code lchat.autoscaler.enabled}, every node offers to host the autoscaler; the cluster runs exactly one
   * (a cluster singleton), which reads all nodes' statistics and scales the Kubernetes StatefulSet or, with the
   * local provider, node processes like this one, which join through this node.
   */
  private void startAutoscaler(AutoscalerSettings autoscaler, ClusterLoad load) throws IOException {
    if (!autoscaler.enabled()) {
      return;
    }
    String seed = settings.host() + ":" + Cluster.get(system).selfMember().address().getPort().get();
    CapacityProvider provider = autoscaler.capacityProvider(new AutoscalerSettings.NodeTemplate(settings.host(), seed,
        settings.tls().jvmOptions(), Main.class.getName()));
    if (provider instanceof LocalProcessProvider local) {
      this.localNodes = local;
    }
    Autoscaler.initSingleton(system, autoscaler, provider, load::readings, metrics.registry());
  }

  /**
   * With {@code lchat.rebalance.enabled} (the default), every node offers to host the rebalancer, a cluster
   * singleton that moves participants off an overloaded node to an idle one through the busy node's media router.
   */
  private void startRebalancer(RebalanceSettings rebalance, ClusterLoad load, String self) {
    if (rebalance.enabled()) {
      Rebalancer.initSingleton(system, rebalance,
          new RouterMover(placement, self, settings.askTimeout(), system.scheduler()),
          () -> load.states(placement, self), metrics.registry());
    }
  }

  /** Starts a node from a full configuration (defaults from reference.conf underneath). */
  public static LchatNode start(Config config) throws Exception {
    Config merged = config.withFallback(ConfigFactory.load()).resolve();
    // LAN mode turns into ordinary settings (HTTPS with its own certificate, addresses to bind and advertise).
    LanMode lan = LanMode.prepare(merged);
    if (lan != null) {
      merged = lan.applyTo(merged);
    }
    // Read (and checked) before the actor system exists, so a node that must not bind remoting never does.
    NodeSettings settings = NodeSettings.fromConfig(merged);
    TurnSettings.fromConfig(merged); // checked now (a bad TURN URL, a missing secret); IceServers reads it on use
    Config resolved = withRemoting(merged, settings);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), SYSTEM_NAME, resolved);
    try {
      LchatNode node = new LchatNode(system, settings);
      if (lan != null) {
        // On the console, whatever the logging: it is what the person who typed bin/lchat run --lan needs.
        System.out.println(lan.banner(node.httpPort(), node.redirectPort()));
      }
      return node;
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
    List<Address> seeds = new ArrayList<>();
    if (settings.seeds().isEmpty()) {
      seeds.add(cluster.selfMember().address());
    }
    for (String seed : settings.seeds()) {
      seeds.add(toAddress(seed));
    }
    cluster.manager().tell(new JoinSeedNodes(seeds));
  }

  static Address toAddress(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostPort.length() - 1) {
      throw new IllegalArgumentException("a seed is host:port, got " + hostPort);
    }
    int port = Integer.parseInt(hostPort.substring(colon + 1));
    return new Address("pekko", SYSTEM_NAME, hostPort.substring(0, colon), port);
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public int httpPort() {
    return binding.localAddress().getPort();
  }

  /** The plain-HTTP port that redirects to HTTPS, or -1 when there is none. */
  public int redirectPort() {
    return redirectBinding == null ? -1 : redirectBinding.localAddress().getPort();
  }

  /** The HTTPS certificate and its renewals; null when the node serves plain HTTP. */
  public CertificateRenewal certificate() {
    return certificate;
  }

  public PresentationStore presentations() {
    return presentations;
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
  public CompletionStage<Done> shutdownGracefully() {
    return CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.clusterLeavingReason());
  }

  /** How many recordings run (or start) on this node. */
  public int egressRunning() {
    return egress.running();
  }

  public LocalProcessProvider localNodes() {
    return localNodes;
  }


  /** Stops at once, without draining (tests, failed starts). */
  @Override
  public void close() {
    drain.skip();
    try {
      // Even a node stopped at once finalises its recordings first, while its router still feeds them.
      egress.stopAll("node_shutdown").toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      system.log().warn("recordings not all finalised before the node stopped: {}", e.toString());
    }
    if (localNodes != null) {
      localNodes.close();
    }
    mediaRouter.close();
    if (certificate != null) {
      certificate.close();
    }
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      system.log().warn("node did not stop cleanly: {}", e.toString());
    }
  }
}
