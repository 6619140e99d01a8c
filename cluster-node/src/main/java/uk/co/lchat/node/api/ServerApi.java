package uk.co.lchat.node.api;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Pattern;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import uk.co.lchat.node.auth.ApiKeys;
import uk.co.lchat.node.http.JsonErrors;
import uk.co.lchat.node.signaling.SignalingCodec;
import uk.co.lchat.egress.EgressCluster;
import uk.co.lchat.egress.EgressInfo;
import uk.co.lchat.egress.EgressRequest;
import uk.co.lchat.egress.EgressService;
import uk.co.lchat.room.RoomActor;
import uk.co.lchat.room.RoomConfig;
import uk.co.lchat.room.RoomProtocol;
import uk.co.lchat.room.RoomProtocol.*;
import uk.co.lchat.room.RoomReplica;

/**
 * The server API for back ends ({@code /api/v1}, docs/api.md, docs/openapi.yaml): create rooms before anyone joins,
 * list and inspect them, mute, remove or make moderator a participant, send data messages, end a room. Every
 * request is authenticated by an API key ({@link ApiKeys}); errors are JSON {@code {"error", "message"}}.
 *
 * <p>The routes are built from one table of operations ({@link #operations()}), which {@code ApiContractIT}
 * compares with docs/openapi.yaml in both directions.
 */
public final class ServerApi extends AllDirectives {
  /** One route: an HTTP method and a path template with {@code {room}} and {@code {participant}}. */
  public record Operation(String method, String path) {}

  private interface Handler {
    Route handle(Map<String, String> params);
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern PARTICIPANT_ID = Pattern.compile("[a-z0-9]{1,32}");
  private static final int MAX_BODY_BYTES = 64 * 1024;
  /** A data message's payload, as JSON text: well under the 64 KiB signaling frame it travels in. */
  public static final int MAX_DATA_CHARS = 16 * 1024;
  private static final int MAX_TOPIC_CHARS = 64;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] NAME_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final ApiKeys keys;
  private final Duration askTimeout;
  private final RoomReplica.Settings replication;
  private final int defaultMaxParticipants;
  private final Map<Operation, Handler> operations = new LinkedHashMap<>();
  private final EgressService egress;
  private final EgressCluster egresses;
  private final EgressFiles files;

  public ServerApi(ActorSystem<?> system, ApiKeys keys, Duration askTimeout, RoomReplica.Settings replication,
                   int defaultMaxParticipants) {
    this(system, keys, askTimeout, replication, defaultMaxParticipants, null, null);
  }

  /**
   * {@code egress}: this node's recordings, null where it does not record; {@code egresses}: the cluster's, null
   * where recording is not wired at all (its routes answer 400).
   */
  public ServerApi(ActorSystem<?> system, ApiKeys keys, Duration askTimeout, RoomReplica.Settings replication,
                   int defaultMaxParticipants, EgressService egress, EgressCluster egresses) {
    this.egress = egress;
    this.egresses = egresses;
    this.files = egresses == null ? null : new EgressFiles(egress, egresses);
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.keys = keys;
    this.askTimeout = askTimeout;
    this.replication = replication;
    this.defaultMaxParticipants = defaultMaxParticipants;
    String rooms = "/api/v1/rooms";
    String room = rooms + "/{room}";
    String participant = room + "/participants/{participant}";
    operations.put(new Operation("GET", rooms), p -> listRooms());
    operations.put(new Operation("POST", rooms), p -> jsonBody(true, this::createRoom));
    operations.put(new Operation("GET", room), p -> withRoom(p, this::getRoom));
    operations.put(new Operation("DELETE", room), p -> withRoom(p, id -> act(id, EndRoom::new)));
    operations.put(new Operation("POST", room + "/messages"),
        p -> withRoom(p, id -> jsonBody(false, body -> sendData(id, body))));
    operations.put(new Operation("POST", participant + "/mute"),
        p -> withParticipant(p, (id, who) -> jsonBody(false, body -> mute(id, who, body))));
    operations.put(new Operation("POST", participant + "/moderator"),
        p -> withParticipant(p, (id, who) -> act(id, reply -> new ServerGrantModerator(who, reply))));
    operations.put(new Operation("DELETE", participant),
        p -> withParticipant(p, (id, who) -> act(id, reply -> new ServerRemove(who, reply))));
    operations.put(new Operation("POST", room + "/egress"),
        p -> withRoom(p, id -> jsonBody(true, body -> startEgress(id, body))));
    operations.put(new Operation("DELETE", room + "/egress/{egress}"),
        p -> withRoom(p, id -> stopEgress(id, p.get("egress"))));
    operations.put(new Operation("GET", room + "/egress"), p -> withRoom(p, id -> listEgress(id)));
    operations.put(new Operation("GET", "/api/v1/egress"), p -> listEgress(null));
    operations.put(new Operation("GET", "/api/v1/egress/{egress}"), p -> getEgress(p.get("egress")));
    operations.put(new Operation("GET", "/api/v1/egress/{egress}/files/{file}"),
        p -> downloadEgressFile(p.get("egress"), p.get("file")));
  }

  // ---- egress (recording) -----------------------------------------------------------------------------------------

  private Route startEgress(String room, ObjectNode body) {
    EgressRequest request;
    try {
      request = EgressRequest.of(text(body, "type", 16), text(body, "layout", 16), text(body, "resolution", 16),
          text(body, "format", 16), !body.has("file") || bool(body, "file"),
          texts(body, "rtmp", EgressRequest.MAX_RTMP, 1024),
          bool(body, "hls"));
    } catch (BadInput e) {
      return complete(error(400, "invalid", e.getMessage()));
    } catch (IllegalArgumentException e) {
      return complete(error(400, "invalid", "Field " + e.getMessage()));
    }
    if (egresses == null) {
      return complete(error(400, "invalid", "Recording is not available on this node."));
    }
    return completeWithFuture(egresses.start(request, room, null).thenApply(r -> switch (r.outcome()) {
          case DONE -> json(201, egressJson(r.info())).addHeader(Location.create("/api/v1/egress/"
              + r.info().egressId()));
          case NO_ROOM -> error(404, "room_not_found", "No such room.");
          case EXISTS -> error(409, "egress_exists", r.message());
          default -> error(400, "invalid", r.message());
        }).exceptionally(e -> unavailable()));
  }

  private Route stopEgress(String room, String egressId) {
    return completeWithFuture(sharding.entityRefFor(RoomActor.ENTITY_KEY, room)
        .<ServerAnswer>ask(reply -> new StopRecording(null, egressId, reply), askTimeout)
        .thenApply(answer -> answer instanceof ServerReply r && r.outcome() == Outcome.DONE
            ? HttpResponse.create().withStatus(StatusCodes.NO_CONTENT)
            : error(404, "egress_not_found", "No such recording running in this room."))
        .exceptionally(e -> unavailable()));
  }

  /** An egress of any node: the one that runs it, or one that has its files. */
  private Route getEgress(String egressId) {
    if (egresses == null) {
      return complete(error(404, "egress_not_found", "No such egress."));
    }
    return completeWithFuture(egresses.find(egressId)
        .thenApply(found -> found.map(f -> json(200, egressJson(f.info())))
            .orElseGet(() -> error(404, "egress_not_found", "No such egress.")))
        .exceptionally(e -> unavailable()));
  }

  /** Recordings running and finished, on every node, newest first. */
  private Route listEgress(String room) {
    if (egresses == null) {
      return complete(json(200, JSON.createObjectNode().set("egress", JSON.createArrayNode())));
    }
    return completeWithFuture(egresses.list(room).thenApply(all -> {
      ArrayNode list = JSON.createArrayNode();
      all.forEach(info -> list.add(egressJson(info)));
      ObjectNode body = JSON.createObjectNode();
      body.set("egress", list);
      return json(200, body);
    }).exceptionally(e -> unavailable()));
  }

  /** A recorded file, if its recording lists it, from whichever node has it. */
  private Route downloadEgressFile(String egressId, String file) {
    if (files == null) {
      return complete(error(404, "file_not_found", "No such file of a finished recording."));
    }
    return files.serve(egressId, file, false, contentType(file), "No such file of a finished recording.");
  }

  /** What a recorded file is, by its name. */
  public static ContentType contentType(String file) {
    return file.endsWith(".mp4") ? ContentTypes.create(MediaTypes.VIDEO_MP4)
        : file.endsWith(".webm") ? ContentTypes.create(MediaTypes.VIDEO_WEBM) : ContentTypes.APPLICATION_OCTET_STREAM;
  }

  private static ObjectNode egressJson(EgressInfo info) {
    ObjectNode o = JSON.createObjectNode()
        .put("egressId", info.egressId()).put("room", info.roomId()).put("type", info.type())
        .put("status", info.status()).put("startedAt", Instant.ofEpochMilli(info.startedAtMillis()).toString());
    if (info.reason() != null) {
      o.put("reason", info.reason());
    }
    if (info.endedAtMillis() > 0) {
      o.put("endedAt", Instant.ofEpochMilli(info.endedAtMillis()).toString());
    }
    if (!info.rtmp().isEmpty()) {
      ArrayNode rtmp = o.putArray("rtmp");
      info.rtmp().forEach(rtmp::add);
    }
    if (info.hls()) {
      o.put("hls", info.hlsPath());
    }
    ArrayNode files = o.putArray("files");
    for (EgressInfo.RecordedFile f : info.files()) {
      ObjectNode file = files.addObject().put("name", f.name()).put("participantId", f.participantId())
          .put("displayName", f.displayName()).put("kind", f.kind()).put("codec", f.codec())
          .put("size", f.bytes()).put("durationSeconds", f.durationSeconds())
          .put("url", "/api/v1/egress/" + info.egressId() + "/files/" + java.nio.file.Path.of(f.name()).getFileName());
      if (f.startedAtMillis() > 0) {
        file.put("startedAt", Instant.ofEpochMilli(f.startedAtMillis()).toString());
      }
      if (f.stoppedAtMillis() > 0) {
        file.put("stoppedAt", Instant.ofEpochMilli(f.stoppedAtMillis()).toString());
      }
    }
    return o;
  }

  /** This node's recordings (null where it does not record). */
  public EgressService egress() {
    return egress;
  }

  /** The cluster's recordings, which signaling starts too (null where recording is not wired). */
  public EgressCluster egresses() {
    return egresses;
  }

  /** Egress files served from whichever node has them (null where recording is not wired). */
  public EgressFiles egressFiles() {
    return files;
  }

  /** Every route this API serves. */
  public List<Operation> operations() {
    return List.copyOf(operations.keySet());
  }

  public Route routes() {
    return pathPrefix(PathMatchers.segment("api").slash("v1"), () -> extractRequest(request -> {
      // Authenticated before anything else: an unknown key learns nothing, not even which routes exist.
      if (keys.authenticate(request.getHeader("Authorization").map(HttpHeader::value), Instant.now())
          instanceof ApiKeys.Rejected r) {
        return complete(error(401, "unauthorized", r.message())
            .addHeader(RawHeader.create("WWW-Authenticate", "Bearer realm=\"lchat-api\", Basic realm=\"lchat-api\"")));
      }
      List<String> segments = segments(request.getUri().path());
      boolean pathKnown = false;
      for (Map.Entry<Operation, Handler> e : operations.entrySet()) {
        Map<String, String> params = match(e.getKey().path(), segments);
        if (params == null) {
          continue;
        }
        pathKnown = true;
        if (e.getKey().method().equals(request.method().value())) {
          return e.getValue().handle(params);
        }
      }
      return pathKnown ? complete(error(405, "method_not_allowed", "This route does not take "
          + request.method().value() + "."))
          : complete(error(404, "not_found", "No such API route; see docs/api.md."));
    }));
  }

  // ---- routing ----------------------------------------------------------------------------------------------------

  private static List<String> segments(String path) {
    List<String> out = new ArrayList<>();
    for (String s : path.split("/")) {
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
    return out;
  }

  /** The template's parameters taken from {@code segments}, or null when the path is another route's. */
  private static Map<String, String> match(String template, List<String> segments) {
    List<String> parts = segments(template);
    if (parts.size() != segments.size()) {
      return null;
    }
    Map<String, String> params = new HashMap<>();
    for (int i = 0; i < parts.size(); i++) {
      String part = parts.get(i);
      if (part.startsWith("{")) {
        params.put(part.substring(1, part.length() - 1), segments.get(i));
      } else if (!part.equals(segments.get(i))) {
        return null;
      }
    }
    return params;
  }

  private Route withRoom(Map<String, String> params, Function<String, Route> next) {
    String room = params.get("room");
    if (!SignalingCodec.ROOM_ID.matcher(room).matches()) {
      return complete(error(400, "invalid_room", "A room name has 1 to 64 letters, digits, '.', '_' or '-'."));
    }
    return next.apply(room);
  }

  private Route withParticipant(Map<String, String> params, BiFunction<String, String, Route> next) {
    return withRoom(params, room -> {
      String who = params.get("participant");
      if (!PARTICIPANT_ID.matcher(who).matches()) {
        return complete(error(400, "invalid_participant", "A participant id has 1 to 32 of a-z and 0-9."));
      }
      return next.apply(room, who);
    });
  }

  /** The request's body as a JSON object ({@code emptyIsObject}: an empty body reads as {}); else 400. */
  private Route jsonBody(boolean emptyIsObject, Function<ObjectNode, Route> next) {
    return withSizeLimit(MAX_BODY_BYTES, () -> entity(Unmarshaller.entityToString(), text -> {
      if (text.isBlank() && emptyIsObject) {
        return next.apply(JSON.createObjectNode());
      }
      JsonNode body;
      try {
        body = JSON.readTree(text);
      } catch (IOException e) {
        return complete(error(400, "bad_json", "The body is not valid JSON."));
      }
      if (body == null || !body.isObject()) {
        return complete(error(400, "bad_json", "The body must be a JSON object."));
      }
      return next.apply((ObjectNode) body);
    }));
  }

  // ---- the operations ---------------------------------------------------------------------------------------------

  private Route listRooms() {
    if (!replication.enabled()) {
      return complete(error(503, "unavailable", "Listing rooms needs lchat.room.replication.enabled = on."));
    }
    return completeWithFuture(RoomReplica.liveRooms(system, replication.timeout()).thenApply(rooms -> {
      ArrayNode list = JSON.createArrayNode();
      rooms.forEach((name, state) -> list.add(summary(name, state)));
      ObjectNode body = JSON.createObjectNode();
      body.set("rooms", list);
      return json(200, body);
    }).exceptionally(e -> error(503, "unavailable", "A majority of nodes did not answer in time.")));
  }

  private ObjectNode summary(String name, RoomState s) {
    long viewers = s.participants().stream().filter(m -> m.role() == Role.VIEWER).count();
    ObjectNode n = JSON.createObjectNode().put("name", name)
        .put("participants", s.participants().size() - viewers).put("viewers", viewers)
        .put("lobbyWaiting", s.lobby().stream().filter(w -> !w.forHost()).count())
        .put("passcodeSet", s.passcodeHash() != null).put("lobbyEnabled", s.lobbyEnabled())
        .put("maxParticipants", s.maxParticipants() > 0 ? s.maxParticipants() : defaultMaxParticipants)
        .put("waitingForFirstParticipant", s.reservedUntilMillis() > 0);
    return n;
  }

  private static final Set<String> CREATE_FIELDS = Set.of("name", "passcode", "lobby", "maxParticipants", "lastN",
      "features", "emptyTimeoutSeconds");

  private Route createRoom(ObjectNode body) {
    RoomSetup setup;
    String name;
    try {
      for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!CREATE_FIELDS.contains(f)) {
          throw new BadInput("Unknown field \"" + f + "\"; a room takes " + String.join(", ", CREATE_FIELDS.stream()
              .sorted().toList()) + ".");
        }
      }
      name = text(body, "name", 64);
      if (name == null) {
        name = randomName();
      } else if (!SignalingCodec.ROOM_ID.matcher(name).matches()) {
        throw new BadInput("A room name has 1 to 64 letters, digits, '.', '_' or '-'.");
      }
      Map<String, Boolean> features = null;
      JsonNode f = body.get("features");
      if (f != null && !f.isNull()) {
        if (!f.isObject()) {
          throw new BadInput("Field \"features\" is an object of true/false flags.");
        }
        features = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = f.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          if (!e.getValue().isBoolean()) {
            throw new BadInput("Feature \"" + e.getKey() + "\" must be true or false.");
          }
          features.put(e.getKey(), e.getValue().asBoolean());
        }
      }
      int max = integer(body, "maxParticipants", 1, RoomConfig.HARD_MAX_PARTICIPANTS, 0);
      int lastN = integer(body, "lastN", 0, RoomProtocol.MAX_LAST_N, -1);
      int timeout = integer(body, "emptyTimeoutSeconds", 1, 86_400, 0);
      setup = new RoomSetup(text(body, "passcode", 128), bool(body, "lobby"), max, lastN, features,
          timeout * 1000L);
    } catch (BadInput e) {
      return complete(error(400, "invalid", e.getMessage()));
    }
    String room = name;
    CompletionStage<HttpResponse> response = sharding.entityRefFor(RoomActor.ENTITY_KEY, room)
        .<ServerAnswer>ask(reply -> new CreateRoom(setup, reply), askTimeout)
        .thenCompose(answer -> {
          if (answer instanceof ServerReply r && r.outcome() == Outcome.DONE) {
            return details(room).thenApply(d -> d.addHeader(Location.create("/api/v1/rooms/" + room))
                .withStatus(201));
          }
          return CompletableFuture.completedFuture(fromReply(answer));
        })
        .exceptionally(e -> unavailable());
    return completeWithFuture(response);
  }

  private Route getRoom(String room) {
    return completeWithFuture(details(room).exceptionally(e -> unavailable()));
  }

  private CompletionStage<HttpResponse> details(String room) {
    return sharding.entityRefFor(RoomActor.ENTITY_KEY, room).<ServerAnswer>ask(GetDetails::new, askTimeout)
        .thenApply(answer -> {
          if (!(answer instanceof RoomDetails d) || !d.exists()) {
            return error(404, "room_not_found", "No meeting " + room + " is going on.");
          }
          ObjectNode n = JSON.createObjectNode().put("name", d.roomId());
          ArrayNode people = n.putArray("participants");
          for (MemberView m : d.participants()) {
            people.addObject().put("id", m.id()).put("displayName", m.displayName())
                .put("role", m.role().name().toLowerCase(Locale.ROOT)).put("subject", m.subject())
                .put("audioMuted", m.audioMuted()).put("videoMuted", m.videoMuted())
                .put("handRaised", m.handRaised()).put("joinOrder", m.joinOrder());
          }
          ObjectNode settings = n.putObject("settings").put("passcodeSet", d.settings().passcodeSet())
              .put("lobbyEnabled", d.settings().lobbyEnabled()).put("controllerMode", d.settings().controllerMode())
              .put("lastN", d.settings().lastN());
          ObjectNode features = settings.putObject("features");
          d.settings().features().forEach(features::put);
          n.put("maxParticipants", d.maxParticipants()).put("lobbyWaiting", d.lobbyWaiting())
              .put("waitingForFirstParticipant", d.waitingForFirstParticipant());
          return json(200, n);
        });
  }

  private Route sendData(String room, ObjectNode body) {
    String to;
    String topic;
    String payload;
    try {
      for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!Set.of("data", "to", "topic").contains(f)) {
          throw new BadInput("Unknown field \"" + f + "\"; a message takes data, to and topic.");
        }
      }
      JsonNode data = body.get("data");
      if (data == null || data.isNull()) {
        throw new BadInput("Field \"data\" (any JSON value) is required.");
      }
      payload = data.toString();
      if (payload.length() > MAX_DATA_CHARS) {
        throw new BadInput("\"data\" is limited to " + MAX_DATA_CHARS + " characters of JSON.");
      }
      to = text(body, "to", 32);
      if (to != null && !PARTICIPANT_ID.matcher(to).matches()) {
        throw new BadInput("\"to\" is a participant id (1 to 32 of a-z and 0-9).");
      }
      topic = text(body, "topic", MAX_TOPIC_CHARS);
    } catch (BadInput e) {
      return complete(error(400, "invalid", e.getMessage()));
    }
    return act(room, reply -> new SendData(to, topic, payload, reply));
  }

  private Route mute(String room, String who, ObjectNode body) {
    MediaKind kind;
    JsonNode k = body.get("kind");
    if (k != null && "audio".equals(k.asText()) && k.isTextual()) {
      kind = MediaKind.AUDIO;
    } else if (k != null && "video".equals(k.asText()) && k.isTextual()) {
      kind = MediaKind.VIDEO;
    } else {
      return complete(error(400, "invalid", "Field \"kind\" is \"audio\" or \"video\"."));
    }
    return act(room, reply -> new ServerMute(who, kind, reply));
  }

  /** Sends a command the room answers with a {@link ServerReply}: 204 when done. */
  private Route act(String room, Function<ActorRef<ServerAnswer>, Command> command) {
    return completeWithFuture(sharding.entityRefFor(RoomActor.ENTITY_KEY, room)
        .<ServerAnswer>ask(command::apply, askTimeout)
        .thenApply(this::fromReply)
        .exceptionally(e -> unavailable()));
  }

  private HttpResponse fromReply(ServerAnswer answer) {
    if (!(answer instanceof ServerReply r)) {
      return unavailable();
    }
    return switch (r.outcome()) {
      case DONE -> HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
      case NO_ROOM -> error(404, "room_not_found", r.message());
      case NO_PARTICIPANT -> error(404, "participant_not_found", r.message());
      case EXISTS -> error(409, "room_exists", r.message());
      case INVALID -> error(400, "invalid", r.message());
    };
  }

  // ---- input and output -------------------------------------------------------------------------------------------

  /** Thrown and caught inside request parsing only. */
  private static final class BadInput extends Exception {
    BadInput(String message) {
      super(message, null, false, false);
    }
  }

  private static String text(ObjectNode body, String field, int maxChars) throws BadInput {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual() || v.asText().length() > maxChars) {
      throw new BadInput("Field \"" + field + "\" is a string of at most " + maxChars + " characters.");
    }
    return v.asText();
  }

  /** An optional array of at most {@code maxItems} strings of at most {@code maxChars} each. */
  private static List<String> texts(ObjectNode body, String field, int maxItems, int maxChars) throws BadInput {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return List.of();
    }
    if (!v.isArray() || v.size() > maxItems) {
      throw new BadInput("Field \"" + field + "\" is an array of at most " + maxItems + " strings.");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode item : v) {
      if (!item.isTextual() || item.asText().length() > maxChars) {
        throw new BadInput("Field \"" + field + "\" holds strings of at most " + maxChars + " characters.");
      }
      out.add(item.asText());
    }
    return out;
  }

  private static boolean bool(ObjectNode body, String field) throws BadInput {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return false;
    }
    if (!v.isBoolean()) {
      throw new BadInput("Field \"" + field + "\" must be true or false.");
    }
    return v.asBoolean();
  }

  private static int integer(ObjectNode body, String field, int min, int max, int absent) throws BadInput {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return absent;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
      throw new BadInput("Field \"" + field + "\" is a whole number from " + min + " to " + max + ".");
    }
    return v.asInt();
  }

  private static String randomName() {
    char[] id = new char[10];
    for (int i = 0; i < id.length; i++) {
      id[i] = NAME_ALPHABET[RANDOM.nextInt(NAME_ALPHABET.length)];
    }
    return "room-" + new String(id);
  }

  private static HttpResponse unavailable() {
    return error(503, "unavailable", "The room did not answer in time; try again.");
  }

  private static HttpResponse json(int status, ObjectNode body) {
    return HttpResponse.create().withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body.toString()));
  }

  static HttpResponse error(int status, String code, String message) {
    return JsonErrors.response(status, code, message);
  }
}
