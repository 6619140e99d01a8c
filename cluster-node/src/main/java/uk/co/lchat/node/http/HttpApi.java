package uk.co.lchat.node.http;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import uk.co.lchat.media.control.MediaRouterProtocol;
import uk.co.lchat.node.NodeSettings;
import uk.co.lchat.node.api.ServerApi;
import uk.co.lchat.node.auth.JoinTokens;
import uk.co.lchat.node.embed.EmbedScripts;
import uk.co.lchat.node.embed.EmbedSettings;
import uk.co.lchat.node.presentation.PresentationRoutes;
import uk.co.lchat.node.presentation.PresentationSettings;
import uk.co.lchat.node.recording.RecordingDownloads;
import uk.co.lchat.node.whip.WhipWhepRoutes;
import uk.co.lchat.node.signaling.ParticipantSession;
import uk.co.lchat.node.signaling.OutboundBuffer;
import uk.co.lchat.node.signaling.ParticipantSession.Outbound;
import uk.co.lchat.node.signaling.SignalingCodec;
import uk.co.lchat.node.signaling.SignalingCounters;
import uk.co.lchat.node.signaling.SignalingSettings;
import uk.co.lchat.room.RoomActor;
import uk.co.lchat.room.RoomProtocol;

/** The node's HTTP surface: health, room lookup, the signaling WebSocket and the web client's files. */
public final class HttpApi extends AllDirectives {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Messages between a session actor and its socket's stream, which takes them as fast as they come. */
  private static final int ACTOR_BUFFER = 1024;

  private final ActorSystem<?> system;
  private final NodeSettings settings;
  private final SignalingCounters signaling;
  private final ClusterSharding sharding;
  private final String nodeAddress;
  private final ActorRef<MediaRouterProtocol.Command> router;
  private final WhipWhepRoutes whipWhep;
  private final Route statsRoutes;
  private final uk.co.lchat.node.placement.Placement placement;
  private final ObjectNode branding;
  private final uk.co.lchat.node.drain.NodeDrain drain;
  private final SignalingSettings socketSettings;
  private final OriginPolicy origins;
  private final ClusterOrigins cluster;
  private final JoinTokens tokens;
  private final ServerApi serverApi;
  /** Moderators' recordings in the web client: listed over signaling, downloaded by ticket. */
  private final RecordingDownloads recordingDownloads;
  /** Presented PDFs: uploaded, held in memory and served to the room's members; and pdf.js to render them. */
  private final PresentationRoutes presentations;
  /** Which sites may embed the meeting: the pages' frame-ancestors policy, and what the client is told. */
  private final EmbedSettings embed;
  private final EmbedScripts embedScripts = new EmbedScripts();

  /** {@code cluster}: the other nodes' front doors, which each new connection's hello lists. */
  public HttpApi(ActorSystem<?> system, NodeSettings settings, SignalingCounters signaling,
                 ActorRef<MediaRouterProtocol.Command> router, Route statsRoutes,
                 uk.co.lchat.node.placement.Placement placement, uk.co.lchat.node.drain.NodeDrain drain,
                 SignalingSettings socketSettings, OriginPolicy origins, ClusterOrigins cluster, JoinTokens tokens,
                 ServerApi serverApi, java.util.function.Supplier<String> selfHttpBase) {
    this.tokens = tokens;
    this.presentations = new PresentationRoutes(system, PresentationSettings.fromConfig(system.settings().config()),
        settings.askTimeout(), selfHttpBase);
    this.serverApi = serverApi;
    this.recordingDownloads = new RecordingDownloads(serverApi.egresses(), serverApi.egressFiles());
    this.drain = drain;
    this.socketSettings = socketSettings;
    this.origins = origins;
    this.cluster = cluster;
    this.router = router;
    this.placement = placement;
    this.statsRoutes = statsRoutes;
    this.whipWhep = new WhipWhepRoutes(system, router, settings.sessionTimeout(), tokens);
    this.system = system;
    this.settings = settings;
    this.signaling = signaling;
    this.sharding = ClusterSharding.get(system);
    this.nodeAddress = Cluster.get(system).selfMember().address().toString();
    this.embed = EmbedSettings.fromConfig(system.settings().config());
    this.branding = branding(system.settings().config());
    this.branding.set("embed", embed.clientView());
  }

  /** The web client's branding, checked once: a bad colour or logo URL is left out rather than sent to browsers. */
  static ObjectNode branding(com.typesafe.config.Config config) {
    com.typesafe.config.Config b = config.getConfig("lchat.branding");
    ObjectNode n = JSON.createObjectNode().put("productName", b.getString("product-name"));
    String logo = b.getString("logo-url");
    n.put("logoUrl", logo.matches("(https?://|/)[^\\s\"'<>]{1,2000}") ? logo : null);
    String accent = b.getString("accent-color");
    n.put("accentColor", accent.matches("#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})") ? accent : null);
    return n;
  }

  /** This node's presented documents (tests look into it). */
  public uk.co.lchat.node.presentation.PresentationStore presentationStore() {
    return presentations.store();
  }

  /** RFC 8216 §4: a playlist's type, and MPEG-TS segments'. */
  private static final org.apache.pekko.http.javadsl.model.ContentType HLS_PLAYLIST =
      ContentTypes.parse("application/vnd.apple.mpegurl");
  private static final org.apache.pekko.http.javadsl.model.ContentType HLS_SEGMENT = ContentTypes.parse("video/mp2t");

  /** Paths whose every error is JSON ({@link JsonErrors}): the APIs, WHIP/WHEP and HLS, which programs call. */
  private static final List<String> MACHINE_PATHS = List.of("/api", "/whip", "/whep", "/hls",
      "/" + PresentationRoutes.PATH);

  public Route routes() {
    return concat(
        path("health", () -> get(() -> json(StatusCodes.OK, health()))),
        // Readiness: 503 while the node drains, so load balancers and Kubernetes stop sending people here.
        path("ready", () -> get(() -> drain.draining()
            ? json(StatusCodes.SERVICE_UNAVAILABLE, health())
            : json(StatusCodes.OK, health()))),
        JsonErrors.on(MACHINE_PATHS, concat(
            // The server API for back ends (API keys); the public room lookup below is the web client's.
            serverApi.routes(),
            pathPrefix("api", () -> concat(
                path(PathMatchers.segment("rooms").slash(PathMatchers.segment()), room -> get(() -> roomInfo(room))),
                path("config", () -> get(() -> json(StatusCodes.OK, branding))))),
            // A new WHIP publisher or WHEP viewer on a draining node goes to another node (RFC 9725 §4.5: 307).
            // (extractRequest, not post: other methods and paths must not hear that only POST is taken here.)
            extractRequest(request -> extractUri(uri -> drain.draining() && request.method().equals(HttpMethods.POST)
                && (uri.path().startsWith("/whip/") || uri.path().startsWith("/whep/"))
                ? completeWithFuture(drain.elsewhere(system, nodeAddress).thenApply(base -> base == null
                    ? JsonErrors.response(503, "draining", "This node is leaving the cluster and no other node"
                        + " takes publishers.").addHeader(RawHeader.create("Retry-After", "5"))
                    : JsonErrors.response(307, "draining", "This node is leaving the cluster; use " + base
                        + uri.path() + ".").addHeader(Location.create(base + uri.path()))))
                : reject())),
            whipWhep.routes(),
            presentations.routes(),
            hls())),
        path("ws", () -> drain.draining()
            ? json(StatusCodes.SERVICE_UNAVAILABLE, JSON.createObjectNode().put("error", "draining")
                .put("message", "This node is leaving the cluster; connect to another node."))
            : sameOrAllowedOrigin(request -> handleWebSocketMessages(signalingFlow(ClientAddress.of(request))))),
        statsRoutes,
        recordingDownloads.route(),
        presentations.pdfjs(),
        // The script (and ES module) a host page loads to embed a meeting (docs/embed.md); any site may load it,
        // and the pages it frames carry the embedding policy below.
        embedScripts.routes(),
        // Which sites may frame the meeting's pages (lchat.embed.allowed-origins).
        respondWithHeaders(embed.pageHeaders(), () -> concat(
            pathSingleSlash(() -> getFromResource("web/index.html")),
            getFromResourceDirectory("web"),
            // Share links (http://host/MyRoom) open the client, which reads the room from the path.
            path(PathMatchers.segment(SignalingCodec.ROOM_ID), room -> get(() -> getFromResource("web/index.html"))))));
  }

  /**
   * A live stream's HLS playlist and segments ({@code /hls/<egress id>/index.m3u8}, {@code segNNNNN.ts}), for players
   * and a CDN in front: no credentials, the egress id (64 random bits) is the capability. The playlist is never
   * cached (it changes every segment); a segment never changes.
   */
  private Route hls() {
    return path(PathMatchers.segment("hls").slash(PathMatchers.segment()).slash(PathMatchers.segment()),
        (egressId, name) -> get(() -> {
          if (serverApi.egressFiles() == null) {
            return complete(JsonErrors.response(404, "not_found", "No such live stream or segment."));
          }
          // Served from the node that encodes the stream, through whichever node the player reached.
          boolean playlist = name.endsWith(".m3u8");
          return serverApi.egressFiles().serve(egressId, name, true, playlist ? HLS_PLAYLIST : HLS_SEGMENT,
              "No such live stream or segment.",
              List.of(RawHeader.create("Cache-Control", playlist ? "no-cache" : "max-age=3600")));
        }));
  }

  /**
   * A WebSocket handshake from a page of a foreign site is refused with 403 before it is upgraded, so no session
   * starts (see {@link OriginPolicy}).
   */
  private Route sameOrAllowedOrigin(Function<HttpRequest, Route> inner) {
    return extractRequest(request -> {
      Optional<String> origin = request.getHeader("Origin").map(HttpHeader::value);
      Optional<String> host = request.getHeader("Host").map(HttpHeader::value);
      if (origins.allows(origin, host)) {
        return inner.apply(request);
      }
      signaling.originRefused();
      system.log().info("WebSocket from origin {} refused (Host {})", origin.orElse(""), host.orElse(""));
      return json(StatusCodes.FORBIDDEN, JSON.createObjectNode().put("error", "forbidden_origin")
          .put("message", "This page's origin may not open the signaling WebSocket; see lchat.http.allowed-origins."));
    });
  }

  private ObjectNode health() {
    long up = 0;
    for (org.apache.pekko.cluster.Member m : Cluster.get(system).state().getMembers()) {
      if (m.status() == MemberStatus.up()) {
        up++;
      }
    }
    return JSON.createObjectNode().put("status", drain.draining() ? "draining" : "ok").put("node", nodeAddress)
        .put("members", up);
  }

  private Route roomInfo(String room) {
    if (!SignalingCodec.ROOM_ID.matcher(room).matches()) {
      return json(StatusCodes.BAD_REQUEST, JSON.createObjectNode().put("error", "invalid_room")
          .put("message", "A room name has 1 to 64 letters, digits, '.', '_' or '-'."));
    }
    CompletionStage<HttpResponse> response = sharding.entityRefFor(RoomActor.ENTITY_KEY, room)
        .<RoomProtocol.RoomInfo>ask(RoomProtocol.GetInfo::new, settings.askTimeout())
        .thenApply(info -> response(StatusCodes.OK, JSON.createObjectNode().put("room", info.roomId())
            .put("exists", info.exists()).put("size", info.size()).put("locked", info.locked())))
        .exceptionally(e -> response(StatusCodes.SERVICE_UNAVAILABLE, JSON.createObjectNode()
            .put("error", "unavailable").put("message", "The room did not answer in time.")));
    return completeWithFuture(response);
  }

  /**
   * One WebSocket: client frames go to a new {@link ParticipantSession}, whose replies come back through a bounded
   * queue. Either side closing ends both. The session starts when the connection's stream materializes, with the
   * reference of the source its replies enter: source, buffer and socket run in the connection's own stream, so a
   * reply crosses one actor mailbox, not the two and a reactive-streams hand-off of a pre-materialized source (a
   * room of 1000 sends each join to every member; issue #21).
   */
  private Flow<Message, Message, NotUsed> signalingFlow(String clientAddress) {
    // Set when the stream materializes, before any client frame can reach the sink (both halves materialize
    // together, and the stream runs only once they have).
    AtomicReference<ActorRef<Object>> session = new AtomicReference<>();
    Sink<Message, NotUsed> in = Flow.<Message>create()
        .mapAsync(1, this::readMessage)
        .toMat(Sink.<Object>foreach(m -> session.get().tell(m)), Keep.right())
        .mapMaterializedValue(done -> {
          done.whenComplete((d, e) -> {
            ActorRef<Object> s = session.get();
            if (s != null) {
              drain.unregister(s);
              s.tell(new ParticipantSession.ConnectionClosed());
            }
          });
          return NotUsed.getInstance();
        });
    // The session's messages pass straight into the OutboundBuffer, which always pulls: the source's buffer only
    // bridges the actor and the stream, and the OutboundBuffer's queue decides what a slow reader loses.
    Source<Message, NotUsed> replies = ActorSource.<Outbound>actorRef(
            o -> o instanceof Outbound.Close, o -> Optional.empty(), ACTOR_BUFFER, OverflowStrategy.fail())
        .mapMaterializedValue(out -> {
          ActorRef<Object> s = system.systemActorOf(
              ParticipantSession.create(out, signaling, socketSettings, nodeAddress,
                  cluster.signalingUrls(nodeAddress), router, placement, clientAddress, tokens, serverApi.egresses(),
                  recordingDownloads),
              "session-" + UUID.randomUUID(), Props.empty());
          session.set(s);
          drain.register(s);
          return NotUsed.getInstance();
        })
        .via(new OutboundBuffer(socketSettings, signaling))
        .map(o -> (Message) TextMessage.create(switch (o) {
          case Outbound.Text t -> t.json();
          case Outbound.Droppable d -> d.json();
          case Outbound.Close c -> throw new IllegalStateException("Close completes the source");
        }));
    return Flow.fromSinkAndSourceCoupled(in, replies);
  }

  /** Collects one message's text, keeping at most the size limit in memory. */
  private CompletionStage<Object> readMessage(Message message) {
    int limit = socketSettings.maxMessageBytes();
    if (!message.isText()) {
      // Binary frames are not part of the protocol; drain them and answer as for unreadable JSON.
      return message.asBinaryMessage().getStreamedData().runWith(Sink.ignore(), system)
          .thenApply(done -> new ParticipantSession.FromClient(""));
    }
    TextMessage text = message.asTextMessage();
    if (text.isStrict()) {
      // Nearly every client message arrives in one frame, whole: no stream to run for it.
      return CompletableFuture.completedFuture(fromClient(text.getStrictText(), limit));
    }
    return text.getStreamedText()
        .runFold(new StringBuilder(), (sb, chunk) -> sb.length() > limit ? sb : sb.append(chunk), system)
        .thenApply(sb -> fromClient(sb.toString(), limit));
  }

  /** The client's message, or Oversized past the limit (in characters or in UTF-8 bytes). */
  private static Object fromClient(String text, int limit) {
    if (text.length() > limit || text.getBytes(StandardCharsets.UTF_8).length > limit) {
      return new ParticipantSession.Oversized(text.length());
    }
    return new ParticipantSession.FromClient(text);
  }

  private Route json(StatusCode status, ObjectNode body) {
    return complete(response(status, body));
  }

  private static HttpResponse response(StatusCode status, ObjectNode body) {
    return HttpResponse.create().withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body.toString()));
  }
}
