package uk.co.lchat.node.signaling;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

import uk.co.lchat.media.control.VideoConstraints;
import uk.co.lchat.media.router.MediaRouter;
import uk.co.lchat.node.recording.RecordingDownloads;
import uk.co.lchat.node.signaling.Inbound.*;
import uk.co.lchat.node.turn.IceServers;
import uk.co.lchat.room.RoomProtocol;
import uk.co.lchat.room.RoomProtocol.*;

/**
 * The signaling WebSocket's JSON: every message is an object with a {@code type}. Decoding never throws: anything
 * malformed becomes {@link Inbound.Invalid} with an error code for the client. See docs/protocol.md.
 */
public final class SignalingCodec {
  public static final Pattern ROOM_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern SESSION_TOKEN = Pattern.compile("[A-Za-z0-9_-]{16,128}");
  private static final int MAX_FIELD_CHARS = 8192;
  /** RFC 8839 §5.1: foundation, component, transport, priority, address, port, "typ", type, extensions. */
  private static final Pattern CANDIDATE = Pattern.compile(
      "(a=)?candidate:[A-Za-z0-9+/]{1,32} \\d{1,3} [A-Za-z]{3} \\d{1,10} \\S{1,255} \\d{1,5} typ [a-z]{4,5}( .{0,512})?");

  private static final ObjectMapper JSON = new ObjectMapper().registerModule(lowerCaseEnums());

  private SignalingCodec() {}

  /** Thrown and caught inside decoding only. */
  private static final class BadMessage extends Exception {
    BadMessage(String message) {
      super(message, null, false, false);
    }
  }

  public static Inbound decode(String text) {
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (IOException e) {
      return new Invalid("bad_json", "The message is not valid JSON.");
    }
    if (node == null || !node.isObject()) {
      return new Invalid("bad_json", "A message must be a JSON object.");
    }
    JsonNode type = node.get("type");
    if (type == null || !type.isTextual()) {
      return new Invalid("invalid", "A message needs a string field \"type\".");
    }
    try {
      return decode(type.asText(), node);
    } catch (BadMessage e) {
      return new Invalid("invalid", e.getMessage());
    }
  }

  private static Inbound decode(String type, JsonNode m) throws BadMessage {
    return switch (type) {
      case "join" -> {
        String room = string(m, "room", true);
        if (!ROOM_ID.matcher(room).matches()) {
          throw new BadMessage("A room name has 1 to 64 letters, digits, '.', '_' or '-'.");
        }
        String token = string(m, "sessionToken", false);
        if (token != null && !SESSION_TOKEN.matcher(token).matches()) {
          throw new BadMessage("sessionToken is malformed.");
        }
        String resume = string(m, "resume", false);
        if (resume != null && (token == null || !resume.matches("[a-z0-9]{1,32}"))) {
          throw new BadMessage("resume needs a participant id and the sessionToken it joined with.");
        }
        String joinToken = string(m, "token", false);
        // A token may carry the name; without one the client must say who it is.
        String name = string(m, "name", joinToken == null);
        yield new JoinRequest(room, name == null ? "" : name, string(m, "passcode", false),
            bool(m, "viewer", false), token, resume, joinToken == null || joinToken.isEmpty() ? null : joinToken);
      }
      case "leave" -> new LeaveRequest();
      case "publish" -> new PublishRequest(sdp(m));
      case "subscribeAnswer" -> new SubscribeAnswerRequest(sdp(m));
      case "restartIce" -> new RestartIceRequest();
      case "peer" -> {
        String to = string(m, "to", true);
        JsonNode payload = m.get("payload");
        if (payload == null || !payload.isObject()) {
          throw new BadMessage("Field \"payload\" (an object for the other participant) is required.");
        }
        String json = payload.toString();
        yield room(type, id -> new RelayToPeer(id, to, json));
      }
      case "candidate" -> {
        String connection = string(m, "connection", false);
        if (connection != null && !connection.equals("publish") && !connection.equals("subscribe")) {
          throw new BadMessage("Field \"connection\" must be \"publish\" or \"subscribe\".");
        }
        String candidate = string(m, "candidate", true);
        if (!candidate.isEmpty() && !CANDIDATE.matcher(candidate).matches()) {
          throw new BadMessage("Field \"candidate\" is not an ICE candidate (RFC 8839 §5.1).");
        }
        yield new CandidateRequest(connection == null ? "publish" : connection, candidate);
      }
      case "ping" -> new Ping();
      case "chat" -> {
        String text = string(m, "text", true);
        String to = string(m, "to", false);
        yield room(type, id -> new SendChat(id, text, to));
      }
      case "mute" -> {
        boolean audio = bool(m, "audio", true);
        boolean video = bool(m, "video", true);
        yield room(type, id -> new SetOwnMute(id, audio, video));
      }
      case "setName" -> {
        String name = string(m, "name", true);
        yield room(type, id -> new SetDisplayName(id, name));
      }
      case "muteParticipant" -> {
        String target = string(m, "target", true);
        MediaKind kind = switch (string(m, "kind", true)) {
          case "audio" -> MediaKind.AUDIO;
          case "video" -> MediaKind.VIDEO;
          default -> throw new BadMessage("kind is \"audio\" or \"video\".");
        };
        yield room(type, id -> new RequestMute(id, target, kind));
      }
      case "remove" -> {
        String target = string(m, "target", true);
        yield room(type, id -> new Remove(id, target));
      }
      case "grantModerator" -> {
        String target = string(m, "target", true);
        yield room(type, id -> new GrantModerator(id, target));
      }
      case "setPasscode" -> {
        String passcode = string(m, "passcode", false);
        yield room(type, id -> new SetPasscode(id, passcode));
      }
      case "startRecording" -> {
        // A composite may also go live: rtmp (URLs) and hls; file false streams without keeping a file.
        boolean file = !m.has("file") || bool(m, "file", false);
        List<String> rtmp = strings(m, "rtmp", uk.co.lchat.egress.EgressRequest.MAX_RTMP);
        boolean hls = bool(m, "hls", false);
        try {
          yield new Inbound.StartRecordingRequest(uk.co.lchat.egress.EgressRequest.of(string(m, "output", false),
              string(m, "layout", false), string(m, "resolution", false), null, file, rtmp, hls));
        } catch (IllegalArgumentException e) {
          throw new BadMessage("Field " + e.getMessage());
        }
      }
      case "stopRecording" -> new Inbound.StopRecordingRequest(string(m, "egressId", true));
      case "listRecordings" -> new ListRecordingsRequest();
      case "setLobby" -> {
        boolean enabled = bool(m, "enabled", true);
        yield room(type, id -> new SetLobby(id, enabled));
      }
      case "admit" -> {
        String lobbyId = string(m, "lobbyId", true);
        yield room(type, id -> new Admit(id, lobbyId));
      }
      case "deny" -> {
        String lobbyId = string(m, "lobbyId", true);
        yield room(type, id -> new Deny(id, lobbyId));
      }
      case "raiseHand" -> room(type, id -> new SetHand(id, true));
      case "lowerHand" -> {
        String target = string(m, "target", false);
        yield room(type, id -> target == null ? new SetHand(id, false) : new LowerHand(id, target));
      }
      case "setControllerMode" -> {
        boolean enabled = bool(m, "enabled", true);
        yield room(type, id -> new SetControllerMode(id, enabled));
      }
      case "setFeature" -> {
        String flag = string(m, "flag", true);
        boolean enabled = bool(m, "enabled", true);
        yield room(type, id -> new SetFeature(id, flag, enabled));
      }
      case "setLastN" -> {
        int lastN = integer(m, "lastN", true);
        yield room(type, id -> new SetLastN(id, lastN));
      }
      case "receiverConstraints" -> {
        java.util.List<String> pinned = new java.util.ArrayList<>();
        JsonNode p = m.get("pinned");
        if (p != null && !p.isNull()) {
          if (!p.isArray() || p.size() > RoomProtocol.MAX_LAST_N) {
            throw new BadMessage("Field \"pinned\" is an array of at most " + RoomProtocol.MAX_LAST_N
                + " participant ids.");
          }
          for (JsonNode e : p) {
            if (!e.isTextual() || e.asText().length() > MAX_FIELD_CHARS) {
              throw new BadMessage("Field \"pinned\" holds participant ids (strings).");
            }
            pinned.add(e.asText());
          }
        }
        int lastN = m.hasNonNull("lastN") ? integer(m, "lastN", true) : -1;
        yield room(type, id -> new SetReceiverConstraints(id, java.util.List.copyOf(pinned), lastN));
      }
      case "videoConstraints" -> videoConstraints(m);
      case "sharedVideo" -> {
        SharedVideoAction action;
        try {
          action = SharedVideoAction.valueOf(string(m, "action", true).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          throw new BadMessage("action is one of start, play, pause, seek, stop.");
        }
        String url = string(m, "url", false);
        double position = number(m, "position");
        yield room(type, id -> new ControlSharedVideo(id, action, url, position));
      }
      case "sharedPage" -> {
        SharedPageAction action = switch (string(m, "action", true)) {
          case "share" -> SharedPageAction.SHARE;
          case "stop" -> SharedPageAction.STOP;
          default -> throw new BadMessage("action is \"share\" (with a url) or \"stop\".");
        };
        String url = action == SharedPageAction.SHARE ? string(m, "url", true) : null;
        yield room(type, id -> new ControlSharedPage(id, action, url));
      }
      case "presentation" -> {
        PresentationAction action = switch (string(m, "action", true)) {
          case "stop" -> PresentationAction.STOP;
          case "page" -> PresentationAction.PAGE;
          case "pointer" -> PresentationAction.POINTER;
          case "handOver" -> PresentationAction.HAND_OVER;
          default -> throw new BadMessage("action is one of stop, page, pointer, handOver (a presentation starts"
              + " with its upload: POST /presentations/{room}).");
        };
        int page = action == PresentationAction.PAGE ? integer(m, "page", true) : 0;
        Pointer pointer = action == PresentationAction.POINTER ? pointer(m) : null;
        String target = action == PresentationAction.HAND_OVER ? string(m, "target", true) : null;
        yield room(type, id -> new ControlPresentation(id, action, page, pointer, target));
      }
      default -> new Invalid("unknown_type", "Unknown message type: " + abbreviate(type));
    };
  }

  /**
   * {@code videoConstraints}: {@code defaultMaxHeight} (optional: no limit) and {@code maxHeights}, an object from
   * participant or track ids to heights (optional). Heights are whole pixels, 0 for no video; above
   * {@link VideoConstraints#MAX_HEIGHT} they are taken as that.
   */
  private static VideoConstraintsRequest videoConstraints(JsonNode m) throws BadMessage {
    int defaultMaxHeight = m.hasNonNull("defaultMaxHeight") ? height(m.get("defaultMaxHeight"), "defaultMaxHeight")
        : MediaRouter.ANY_HEIGHT;
    HashMap<String, Integer> heights = new HashMap<>();
    JsonNode byId = m.get("maxHeights");
    if (byId != null && !byId.isNull()) {
      if (!byId.isObject() || byId.size() > VideoConstraints.MAX_SOURCES) {
        throw new BadMessage("Field \"maxHeights\" is an object of at most " + VideoConstraints.MAX_SOURCES
            + " participant or track ids, each with a height.");
      }
      for (var e : byId.properties()) {
        if (e.getKey().isEmpty() || e.getKey().length() > VideoConstraints.MAX_ID_LENGTH) {
          throw new BadMessage("Field \"maxHeights\" names ids of 1 to " + VideoConstraints.MAX_ID_LENGTH
              + " characters.");
        }
        heights.put(e.getKey(), height(e.getValue(), "maxHeights." + abbreviate(e.getKey())));
      }
    }
    return new VideoConstraintsRequest(new VideoConstraints(defaultMaxHeight, heights));
  }

  /** A height in whole pixels: 0 or more; huge ones are clamped by {@link VideoConstraints}. */
  private static int height(JsonNode v, String field) throws BadMessage {
    if (v == null || !v.isIntegralNumber() || v.asLong() < 0) {
      throw new BadMessage("Field \"" + field + "\" is a height in pixels: a whole number, 0 (no video) or more.");
    }
    return v.canConvertToInt() ? v.asInt() : VideoConstraints.MAX_HEIGHT;
  }

  private static ForRoom room(String type, java.util.function.Function<String, Command> command) {
    return new ForRoom(type, command);
  }

  private static String string(JsonNode m, String field, boolean required) throws BadMessage {
    JsonNode v = m.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw new BadMessage("Field \"" + field + "\" is required.");
      }
      return null;
    }
    if (!v.isTextual()) {
      throw new BadMessage("Field \"" + field + "\" must be a string.");
    }
    if (v.asText().length() > MAX_FIELD_CHARS) {
      throw new BadMessage("Field \"" + field + "\" is too long.");
    }
    return v.asText();
  }

  /** SDP is the one long field: up to the whole frame (64 KiB); the media router validates its content. */
  private static String sdp(JsonNode m) throws BadMessage {
    JsonNode v = m.get("sdp");
    if (v == null || !v.isTextual() || v.asText().isBlank()) {
      throw new BadMessage("Field \"sdp\" (a session description) is required.");
    }
    return v.asText();
  }

  /** An optional array of at most {@code max} strings (absent: none). */
  private static List<String> strings(JsonNode m, String field, int max) throws BadMessage {
    JsonNode v = m.get(field);
    if (v == null || v.isNull()) {
      return List.of();
    }
    if (!v.isArray() || v.size() > max) {
      throw new BadMessage("Field \"" + field + "\" must be an array of at most " + max + " strings.");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode e : v) {
      if (!e.isTextual() || e.asText().length() > MAX_FIELD_CHARS) {
        throw new BadMessage("Field \"" + field + "\" must be an array of at most " + max + " strings.");
      }
      out.add(e.asText());
    }
    return out;
  }

  /** {@code pointer}: {"x", "y"} numbers (the room checks they are on the page), or null to hide it. */
  private static Pointer pointer(JsonNode m) throws BadMessage {
    JsonNode p = m.get("pointer");
    if (p == null || p.isNull()) {
      return null;
    }
    if (!p.isObject() || !p.path("x").isNumber() || !p.path("y").isNumber()) {
      throw new BadMessage("Field \"pointer\" is {\"x\": number, \"y\": number}, or null to hide it.");
    }
    return new Pointer(p.get("x").asDouble(), p.get("y").asDouble());
  }

  private static boolean bool(JsonNode m, String field, boolean required) throws BadMessage {
    JsonNode v = m.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw new BadMessage("Field \"" + field + "\" is required.");
      }
      return false;
    }
    if (!v.isBoolean()) {
      throw new BadMessage("Field \"" + field + "\" must be true or false.");
    }
    return v.asBoolean();
  }

  private static int integer(JsonNode m, String field, boolean required) throws BadMessage {
    JsonNode v = m.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw new BadMessage("Field \"" + field + "\" is required.");
      }
      return 0;
    }
    if (!v.canConvertToInt() || !v.isIntegralNumber()) {
      throw new BadMessage("Field \"" + field + "\" must be a whole number.");
    }
    return v.asInt();
  }

  private static double number(JsonNode m, String field) throws BadMessage {
    JsonNode v = m.get(field);
    if (v == null || v.isNull()) {
      return 0;
    }
    if (!v.isNumber()) {
      throw new BadMessage("Field \"" + field + "\" must be a number.");
    }
    return v.asDouble();
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  // ---- server -> client -------------------------------------------------------------------------------------------

  /** A relayed payload was an object when it entered the room; anything else reads as an empty object. */
  private static JsonNode peerPayload(String json) {
    try {
      JsonNode n = JSON.readTree(json);
      return n != null && n.isObject() ? n : JSON.createObjectNode();
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }

  /** A server API payload was JSON when the API took it; anything unreadable goes as null. */
  private static JsonNode anyJson(String json) {
    try {
      JsonNode n = json == null ? null : JSON.readTree(json);
      return n == null ? JSON.nullNode() : n;
    } catch (IOException e) {
      return JSON.nullNode();
    }
  }

  public static String encode(ClientEvent event) {
    return encode(event, List.of());
  }

  /**
   * {@code joined} and {@code resumed} carry the STUN/TURN servers (with this participant's credentials) that the
   * client's RTCPeerConnections should use, as RTCConfiguration.iceServers entries; omitted when there are none.
   */
  public static String encode(ClientEvent event, List<IceServers.IceServer> iceServers) {
    ObjectNode out = JSON.createObjectNode();
    switch (event) {
      case Joined j -> {
        out.put("type", "joined");
        out.put("participantId", j.participantId());
        out.set("role", JSON.valueToTree(j.role()));
        out.set("room", JSON.valueToTree(j.room()));
        iceServers(out, iceServers);
        if (j.grants() != null) {
          out.set("grants", JSON.valueToTree(j.grants()));
        }
      }
      case Resumed r -> {
        out.put("type", "resumed");
        out.put("participantId", r.participantId());
        out.set("role", JSON.valueToTree(r.role()));
        out.set("room", JSON.valueToTree(r.room()));
        iceServers(out, iceServers);
        if (r.grants() != null) {
          out.set("grants", JSON.valueToTree(r.grants()));
        }
      }
      case Superseded s -> out.put("type", "superseded");
      case LobbyWaiting w -> out.put("type", "lobby").put("lobbyId", w.lobbyId())
          .put("waitingFor", w.forHost() ? "host" : "moderator");
      case JoinRefused r -> {
        out.put("type", "refused").put("code", r.code()).put("message", r.reason());
        if (r.retryAfterSeconds() > 0) {
          out.put("retry_after", r.retryAfterSeconds());
        }
      }
      case RosterChanged r -> out.put("type", "roster").set("participants", JSON.valueToTree(r.participants()));
      case RosterDelta d -> {
        out.put("type", "rosterDelta").set("participants", JSON.valueToTree(d.changed()));
        out.set("left", JSON.valueToTree(d.left()));
      }
      case LobbyChanged l -> out.put("type", "lobbyChanged").set("waiting", JSON.valueToTree(l.waiting()));
      case ChatDelivered c -> out.put("type", "chat").set("message", JSON.valueToTree(c.message()));
      case PeerRelayed p -> out.put("type", "peer").put("from", p.from()).set("payload", peerPayload(p.payload()));
      case MuteRequested m -> out.put("type", "muteRequest").put("by", m.by())
          .set("kind", JSON.valueToTree(m.kind()));
      case Removed r -> out.put("type", "removed").put("by", r.by());
      case RoleChanged r -> out.put("type", "role").set("role", JSON.valueToTree(r.role()));
      case HandsChanged h -> out.put("type", "hands").set("queue", JSON.valueToTree(h.queue()));
      case SettingsChanged s -> out.put("type", "settings").set("settings", JSON.valueToTree(s.settings()));
      case SharedVideoChanged v -> out.put("type", "sharedVideo").set("state", JSON.valueToTree(v.state()));
      case PresentationChanged p -> out.put("type", "presentation")
          .set("presentation", JSON.valueToTree(p.presentation()));
      case SharedPageChanged p -> out.put("type", "sharedPage").set("page", JSON.valueToTree(p.page()));
      case DominantSpeakerChanged d -> out.put("type", "dominantSpeaker").put("participantId", d.participantId());
      case DataReceived d -> {
        out.put("type", "data").put("topic", d.topic());
        out.set("payload", anyJson(d.payload()));
      }
      case RoomEnded e -> out.put("type", "ended").put("reason", e.reason());
      case RecordingChanged r -> {
        out.put("type", "recording").put("active", r.recording() != null);
        if (r.recording() != null) {
          out.set("recording", JSON.valueToTree(r.recording()));
        }
        if (r.reason() != null) {
          out.put("reason", r.reason()); // why it stopped, or "moved": it goes on from another node
        }
      }
      case CommandRejected c -> {
        return error(c.code(), c.message(), c.feature());
      }
    }
    return write(out);
  }

  private static void iceServers(ObjectNode out, List<IceServers.IceServer> servers) {
    if (servers.isEmpty()) {
      return;
    }
    ArrayNode list = out.putArray("iceServers");
    for (IceServers.IceServer server : servers) {
      ObjectNode entry = list.addObject();
      server.urls().forEach(entry.putArray("urls")::add);
      if (server.username() != null) {
        entry.put("username", server.username()).put("credential", server.credential());
      }
    }
  }

  /**
   * The first message on a connection: the session's token, this node's cluster address and {@code nodes}, the
   * signaling URLs of the cluster's other live nodes, where the client goes when this node stops answering.
   */
  public static String hello(String sessionToken, String node, List<String> nodes) {
    ObjectNode hello = JSON.createObjectNode().put("type", "hello").put("sessionToken", sessionToken).put("node", node);
    ArrayNode urls = hello.putArray("nodes");
    nodes.forEach(urls::add);
    return write(hello);
  }

  /** Our answer to the client's publish offer. */
  public static String publishAnswer(String sdp) {
    return write(JSON.createObjectNode().put("type", "publishAnswer").put("sdp", sdp));
  }

  /** Our offer for the client's receiving connection; it replies with subscribeAnswer. */
  public static String subscribeOffer(String sdp, boolean fresh) {
    return write(JSON.createObjectNode().put("type", "subscribeOffer").put("sdp", sdp).put("fresh", fresh));
  }

  /**
   * This participant's media moved to another media router (its node is draining): the client drops both
   * PeerConnections and publishes again; the new router's subscribeOffer follows.
   */
  public static String mediaMoved() {
    return write(JSON.createObjectNode().put("type", "mediaMoved"));
  }

  /**
   * This signaling connection's node is leaving: the client opens {@code url} (a WebSocket URL; empty: the same
   * URL again) and joins with {@code resume} set to its participant id and its session token.
   */
  public static String reconnect(String url) {
    return write(JSON.createObjectNode().put("type", "reconnect").put("url", url));
  }

  /** The room's recordings, newest first, each finished one's files with their download links. */
  public static String recordings(List<RecordingDownloads.Listed> recordings) {
    ObjectNode out = JSON.createObjectNode().put("type", "recordings");
    out.set("recordings", JSON.valueToTree(recordings));
    return write(out);
  }

  public static String pong() {
    return write(JSON.createObjectNode().put("type", "pong"));
  }

  public static String error(String code, String message) {
    return error(code, message, null);
  }

  /** An error about a feature ({@code forbidden}: off in the room, {@code not_granted}: not by this token). */
  public static String error(String code, String message, String feature) {
    ObjectNode error = JSON.createObjectNode().put("type", "error").put("code", code).put("message", message);
    if (feature != null) {
      error.put("feature", feature);
    }
    return write(error);
  }

  private static String write(ObjectNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of plain values always serializes", e);
    }
  }

  /** Enums travel as lower-case words ("moderator", "audio"). */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static SimpleModule lowerCaseEnums() {
    SimpleModule module = new SimpleModule();
    module.addSerializer(Enum.class, new StdSerializer<Enum>(Enum.class) {
      @Override
      public void serialize(Enum value, JsonGenerator gen, SerializerProvider provider) throws IOException {
        gen.writeString(value.name().toLowerCase(Locale.ROOT));
      }
    });
    return module;
  }
}
