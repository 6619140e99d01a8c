package uk.co.lchat.node.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.nimbusds.jwt.JWTClaimsSet;

import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;

import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;
import uk.co.lchat.node.WsClient;
import uk.co.lchat.node.auth.TestTokens;

/**
 * docs/openapi.yaml against the live server API: the file is a valid OpenAPI document; its operations are exactly
 * the node's ({@link ServerApi#operations()}, the public room lookup and the iframe API's scripts); and each call
 * below, which together provoke every status the file documents (but 503), answers with a documented status and a
 * body that validates against the file's schema for it.
 */
class ApiContractIT {
  private static final Path SPEC = Path.of("..", "docs", "openapi.yaml");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String KEY_ID = "backend";
  private static final String KEY_SECRET = "backend-secret-of-at-least-32-bytes!!";
  /** Only an unresponsive room or cluster answers 503: not provoked here. */
  private static final Set<String> NOT_PROVOKED = Set.of("503");

  private static LchatNode node;
  private static Path storage;
  private static JsonNode spec;
  private static SchemaRegistry schemas;
  /** "METHOD template status" seen so far. */
  private static final Set<String> seen = new TreeSet<>();

  @BeforeAll
  static void start() throws Exception {
    spec = new ObjectMapper(new YAMLFactory()).readTree(SPEC.toFile());
    schemas = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    storage = Files.createTempDirectory("lchat-api-contract");
    // Recording on, shared video not offered (a room may not turn on what the deployment does not offer).
    node = TestNodes.single(Map.of("lchat.api.keys", List.of(Map.of("id", KEY_ID, "secret", KEY_SECRET)),
        "lchat.auth.hs256-secret", TestTokens.SECRET, "lchat.egress.enabled", true,
        "lchat.egress.storage", storage.toString(), "lchat.room.features.recording", true,
        "lchat.room.features.sharedVideo", false));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  // ---- calls ------------------------------------------------------------------------------------------------------

  private static String bearer() {
    return "Bearer " + TestTokens.hs256(KEY_SECRET, KEY_ID, new JWTClaimsSet.Builder()
        .expirationTime(Date.from(Instant.now().plusSeconds(120))));
  }

  private static String basic() {
    return "Basic " + Base64.getEncoder().encodeToString((KEY_ID + ":" + KEY_SECRET)
        .getBytes(StandardCharsets.UTF_8));
  }

  /** Calls {@code path} (an instance of {@code template}) and checks the answer against the file. */
  private static HttpResponse<String> call(String method, String template, String path, String auth, String body)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
        .timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (auth != null) {
      b.header("Authorization", auth);
    }
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    conforms(method, template, r);
    return r;
  }

  private static HttpResponse<String> call(String method, String template, String path, String body)
      throws Exception {
    return call(method, template, path, bearer(), body);
  }

  private static void conforms(String method, String template, HttpResponse<String> r) throws Exception {
    String what = method + " " + template + " -> " + r.statusCode() + " " + r.body();
    JsonNode operation = spec.path("paths").path(template).path(method.toLowerCase());
    assertTrue(operation.isObject(), "not in docs/openapi.yaml: " + what);
    String status = String.valueOf(r.statusCode());
    JsonNode response = resolve(operation.path("responses").path(status));
    assertTrue(response.isObject(), "status not documented: " + what);
    seen.add(method + " " + template + " " + status);
    JsonNode content = response.path("content").path("application/json");
    if (content.isMissingNode()) {
      String type = r.headers().firstValue("Content-Type").orElse("");
      if (response.path("content").isObject()) {
        assertTrue(response.path("content").has(type.split(";")[0].trim()), "a documented media type: " + what);
      } else {
        assertTrue(r.body().isEmpty(), "documented without a body: " + what);
      }
      return;
    }
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), what);
    // The schema is taken in place, so its $refs into components resolve within the same document.
    List<Error> errors = errors(pointerTo(template, method, status, operation), r.body());
    assertTrue(errors.isEmpty(), what + "\nschema errors: " + errors);
  }

  /** What is wrong with {@code body} by the schema at {@code pointer} in the file. */
  private static List<Error> errors(String pointer, String body) throws Exception {
    ObjectNode document = spec.deepCopy();
    document.put("$schema", "https://json-schema.org/draft/2020-12/schema");
    document.put("$ref", pointer);
    Schema schema = schemas.getSchema(JSON.writeValueAsString(document), InputFormat.JSON);
    return schema.validate(body, InputFormat.JSON);
  }

  /** A JSON pointer (RFC 6901) to the response schema, through a components $ref when the response is one. */
  private static String pointerTo(String template, String method, String status, JsonNode operation) {
    JsonNode raw = operation.path("responses").path(status);
    String base = raw.has("$ref") ? raw.get("$ref").asText()
        : "#/paths/" + escape(template) + "/" + method.toLowerCase() + "/responses/" + status;
    return base + "/content/application~1json/schema";
  }

  private static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }

  private static JsonNode resolve(JsonNode node) {
    if (node.has("$ref")) {
      String[] parts = node.get("$ref").asText().substring(2).split("/");
      JsonNode n = spec;
      for (String p : parts) {
        n = n.path(p.replace("~1", "/").replace("~0", "~"));
      }
      return n;
    }
    return node;
  }

  /** The egress routes: start, list, status, stop, and a finished recording's file. */
  private static void recordings(String rooms, String room) throws Exception {
    String egress = room + "/egress";
    String one = egress + "/{egress}";
    String status = "/api/v1/egress/{egress}";
    String file = status + "/files/{file}";
    try (WsClient host = new WsClient(node.httpPort())) {
      host.join("ct-rec", "Host");
      // Streaming is a room feature of its own, off here: a live stream is refused, saying why.
      HttpResponse<String> live = call("POST", egress, rooms + "/ct-rec/egress",
          "{\"rtmp\":[\"rtmp://live.example.com/app/key\"],\"file\":false}");
      assertEquals(400, live.statusCode(), live.body());
      assertTrue(live.body().contains("feature streaming"), live.body());
      // A per-track recording of a room without tracks: no FFmpeg is needed to answer as documented.
      HttpResponse<String> started = call("POST", egress, rooms + "/ct-rec/egress", "{\"type\":\"track\"}");
      assertEquals(201, started.statusCode(), started.body());
      String id = JSON.readTree(started.body()).get("egressId").asText();
      assertEquals(409, call("POST", egress, rooms + "/ct-rec/egress", "{\"type\":\"track\"}").statusCode());
      assertEquals(400, call("POST", egress, rooms + "/ct-rec/egress", "{\"layout\":\"mosaic\"}").statusCode());
      assertEquals(400, call("POST", egress, rooms + "/ct-rec/egress", "{\"rtmp\":[\"ftp://x/y\"]}").statusCode());
      assertEquals(404, call("POST", egress, rooms + "/ct-nobody-here/egress", "{}").statusCode());
      assertEquals(200, call("GET", egress, rooms + "/ct-rec/egress", null).statusCode());
      assertEquals(400, call("GET", egress, rooms + "/bad!room/egress", null).statusCode());
      assertEquals(200, call("GET", "/api/v1/egress", "/api/v1/egress", null).statusCode());
      assertEquals(200, call("GET", status, "/api/v1/egress/" + id, null).statusCode());
      assertEquals(404, call("GET", status, "/api/v1/egress/EG_unknown", null).statusCode());
      assertEquals(204, call("DELETE", one, rooms + "/ct-rec/egress/" + id, null).statusCode());
      assertEquals(404, call("DELETE", one, rooms + "/ct-rec/egress/" + id, null).statusCode());
      assertEquals(400, call("DELETE", one, rooms + "/bad!room/egress/" + id, null).statusCode());
    }
    // A finished recording as the storage holds it: its index and its file.
    Path dir = Files.createDirectories(storage.resolve("ct-done").resolve("EG_done"));
    Files.write(dir.resolve("composite.mp4"), new byte[] {0, 0, 0, 8, 'f', 't', 'y', 'p'});
    Files.writeString(dir.resolve("egress.json"), "{\"egressId\":\"EG_done\",\"roomId\":\"ct-done\","
        + "\"type\":\"composite\",\"status\":\"ended\",\"reason\":\"stopped\",\"startedAtMillis\":1,"
        + "\"endedAtMillis\":2,\"files\":[{\"name\":\"ct-done/EG_done/composite.mp4\",\"participantId\":null,"
        + "\"displayName\":null,\"kind\":\"composite\",\"codec\":\"h264+aac\",\"bytes\":8,"
        + "\"durationSeconds\":1.0,\"startedAtMillis\":1,\"stoppedAtMillis\":2}],\"rtmp\":[],\"hls\":false}");
    HttpResponse<String> download = call("GET", file, "/api/v1/egress/EG_done/files/composite.mp4", null);
    assertEquals(200, download.statusCode());
    assertEquals(8, download.body().length());
    assertEquals(200, call("GET", status, "/api/v1/egress/EG_done", null).statusCode());
    assertEquals(404, call("GET", file, "/api/v1/egress/EG_done/files/egress.json", null).statusCode());
  }

  // ---- the tests --------------------------------------------------------------------------------------------------

  @Test
  void theOpenApiFileIsValid() {
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    SwaggerParseResult result = new OpenAPIV3Parser().readLocation(SPEC.toAbsolutePath().toUri().toString(), null,
        options);
    assertNotNull(result.getOpenAPI(), "unparsable: " + result.getMessages());
    assertEquals(List.of(), result.getMessages());
  }

  @Test
  void theSchemaCheckRefusesABodyThatDoesNotMatch() throws Exception {
    String room = "#/components/schemas/Room";
    assertTrue(!errors(room, "{\"name\":\"moon\"}").isEmpty(), "required fields are missing");
    assertTrue(!errors("#/components/schemas/Error", "{\"error\":1,\"message\":\"x\"}").isEmpty());
    assertTrue(!errors("#/components/schemas/Participant", "{\"id\":\"p\",\"displayName\":\"A\","
        + "\"role\":\"king\",\"subject\":null,\"audioMuted\":false,\"videoMuted\":false,\"handRaised\":false,"
        + "\"joinOrder\":1}").isEmpty(), "an unknown role");
    assertEquals(List.of(), errors("#/components/schemas/Error", "{\"error\":\"x\",\"message\":\"y\"}"));
  }

  @Test
  void theFileDocumentsExactlyTheRoutesTheNodeServes() throws Exception {
    Set<String> documented = new TreeSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> paths = spec.get("paths").fields(); paths.hasNext(); ) {
      Map.Entry<String, JsonNode> p = paths.next();
      for (Iterator<String> methods = p.getValue().fieldNames(); methods.hasNext(); ) {
        String m = methods.next();
        if (!m.equals("parameters")) {
          documented.add(m.toUpperCase() + " " + p.getKey());
        }
      }
    }
    Set<String> served = new TreeSet<>(Set.of("GET /api/rooms/{room}", "GET /external_api.js",
        "GET /external_api.mjs"));
    for (ServerApi.Operation op : new ServerApi(node.system(), null, Duration.ofSeconds(1), null, 1).operations()) {
      served.add(op.method() + " " + op.path());
    }
    assertEquals(served, documented);
  }

  @Test
  void everyRouteAnswersAsDocumented() throws Exception {
    String rooms = "/api/v1/rooms";
    String room = rooms + "/{room}";
    String messages = room + "/messages";
    String participant = room + "/participants/{participant}";
    String mute = participant + "/mute";
    String moderator = participant + "/moderator";

    // 401: no key, a wrong secret, an unknown key id; on every route.
    String wrongBasic = "Basic " + Base64.getEncoder().encodeToString((KEY_ID + ":wrong").getBytes(
        StandardCharsets.UTF_8));
    String[][] everyRoute = {{"GET", rooms, rooms}, {"POST", rooms, rooms}, {"GET", room, rooms + "/x"},
        {"DELETE", room, rooms + "/x"}, {"POST", messages, rooms + "/x/messages"},
        {"DELETE", participant, rooms + "/x/participants/p"}, {"POST", mute, rooms + "/x/participants/p/mute"},
        {"POST", moderator, rooms + "/x/participants/p/moderator"}, {"POST", room + "/egress", rooms + "/x/egress"},
        {"GET", room + "/egress", rooms + "/x/egress"}, {"DELETE", room + "/egress/{egress}", rooms + "/x/egress/e"},
        {"GET", "/api/v1/egress", "/api/v1/egress"}, {"GET", "/api/v1/egress/{egress}", "/api/v1/egress/e"},
        {"GET", "/api/v1/egress/{egress}/files/{file}", "/api/v1/egress/e/files/f"}};
    for (String[] r : everyRoute) {
      HttpResponse<String> none = call(r[0], r[1], r[2], null, null);
      assertEquals(401, none.statusCode(), r[2]);
      assertTrue(none.headers().firstValue("WWW-Authenticate").isPresent());
      assertEquals(401, call(r[0], r[1], r[2], wrongBasic, null).statusCode());
      assertEquals(401, call(r[0], r[1], r[2], "Bearer " + TestTokens.hs256(KEY_SECRET, "nobody",
          new JWTClaimsSet.Builder().expirationTime(Date.from(Instant.now().plusSeconds(60)))), null).statusCode());
    }

    // Create: 201, then 409 for the same name; 400 for bad JSON, unknown fields, wrong types and values.
    HttpResponse<String> created = call("POST", rooms, rooms, basic(), "{\"name\":\"ct-room\",\"passcode\":"
        + "\"moon-42\",\"lobby\":false,\"maxParticipants\":12,\"lastN\":6,\"features\":{\"chat\":true},"
        + "\"emptyTimeoutSeconds\":600}");
    assertEquals(201, created.statusCode(), created.body());
    assertEquals("/api/v1/rooms/ct-room", created.headers().firstValue("Location").orElse(""));
    assertTrue(JSON.readTree(created.body()).get("waitingForFirstParticipant").asBoolean());
    assertEquals(409, call("POST", rooms, rooms, "{\"name\":\"ct-room\"}").statusCode());
    for (String bad : new String[] {"{not json", "[1]", "{\"nmae\":\"x\"}", "{\"name\":\"bad name\"}",
        "{\"maxParticipants\":\"ten\"}", "{\"maxParticipants\":5000}", "{\"features\":{\"sharedVideo\":true}}",
        "{\"features\":{\"teleport\":true}}", "{\"lastN\":-3}", "{\"lobby\":\"yes\"}"}) {
      HttpResponse<String> r = call("POST", rooms, rooms, bad);
      assertEquals(400, r.statusCode(), bad + " -> " + r.body());
    }
    // 413: a body over 64 KiB, in the same JSON as every other error (the schema says so), on each route with one.
    String tooBig = "{\"name\":\"" + "x".repeat(70_000) + "\"}";
    for (String[] r : new String[][] {{rooms, rooms}, {messages, rooms + "/ct-room/messages"},
        {mute, rooms + "/ct-room/participants/p/mute"}}) {
      HttpResponse<String> large = call("POST", r[0], r[1], tooBig);
      assertEquals(413, large.statusCode(), r[1] + " -> " + large.body());
      assertEquals("too_large", JSON.readTree(large.body()).get("error").asText());
    }
    HttpResponse<String> unnamed = call("POST", rooms, rooms, "");
    assertEquals(201, unnamed.statusCode(), "a room without a name gets one: " + unnamed.body());

    // List and get.
    HttpResponse<String> list = call("GET", rooms, rooms, null);
    assertEquals(200, list.statusCode());
    assertTrue(list.body().contains("\"ct-room\""), list.body());
    assertEquals(200, call("GET", room, rooms + "/ct-room", null).statusCode());
    assertEquals(404, call("GET", room, rooms + "/ct-nobody-here", null).statusCode());
    assertEquals(400, call("GET", room, rooms + "/bad!room", null).statusCode());
    assertEquals(200, call("GET", "/api/rooms/{room}", "/api/rooms/ct-room", null, null).statusCode());
    assertEquals(400, call("GET", "/api/rooms/{room}", "/api/rooms/bad!room", null, null).statusCode());
    assertEquals(200, call("GET", "/external_api.js", "/external_api.js", null, null).statusCode());
    assertEquals(200, call("GET", "/external_api.mjs", "/external_api.mjs", null, null).statusCode());

    try (WsClient ann = new WsClient(node.httpPort()); WsClient bob = new WsClient(node.httpPort())) {
      ann.send("{\"type\":\"join\",\"room\":\"ct-room\",\"name\":\"Ann\",\"passcode\":\"moon-42\"}");
      ann.participantId = ann.next("joined").get("participantId").asText();
      bob.send("{\"type\":\"join\",\"room\":\"ct-room\",\"name\":\"Bob\",\"passcode\":\"moon-42\"}");
      bob.participantId = bob.next("joined").get("participantId").asText();
      JsonNode details = JSON.readTree(call("GET", room, rooms + "/ct-room", null).body());
      assertEquals(2, details.get("participants").size());

      // Mute: 204, 400, 404.
      String annPath = rooms + "/ct-room/participants/" + ann.participantId;
      assertEquals(204, call("POST", mute, annPath + "/mute", "{\"kind\":\"audio\"}").statusCode());
      assertEquals("audio", ann.next("muteRequest").get("kind").asText());
      assertEquals(400, call("POST", mute, annPath + "/mute", "{\"kind\":\"smell\"}").statusCode());
      assertEquals(400, call("POST", mute, rooms + "/ct-room/participants/NOT-AN-ID/mute", "{\"kind\":\"audio\"}")
          .statusCode());
      assertEquals(404, call("POST", mute, rooms + "/ct-room/participants/nobody/mute", "{\"kind\":\"audio\"}")
          .statusCode());

      // Moderator: 204, 400, 404.
      assertEquals(204, call("POST", moderator, rooms + "/ct-room/participants/" + bob.participantId + "/moderator",
          null).statusCode());
      assertEquals("moderator", bob.next("role").get("role").asText());
      assertEquals(400, call("POST", moderator, rooms + "/ct-room/participants/NOT-AN-ID/moderator", null)
          .statusCode());
      assertEquals(404, call("POST", moderator, rooms + "/ct-nobody-here/participants/nobody/moderator", null)
          .statusCode());

      // Data: 204 to all and to one, 400, 404.
      assertEquals(204, call("POST", messages, rooms + "/ct-room/messages",
          "{\"topic\":\"poll\",\"data\":{\"q\":\"lunch?\"}}").statusCode());
      JsonNode data = bob.next("data");
      assertEquals("lunch?", data.get("payload").get("q").asText());
      assertEquals("poll", data.get("topic").asText());
      assertEquals(204, call("POST", messages, rooms + "/ct-room/messages", "{\"to\":\"" + ann.participantId
          + "\",\"data\":[1,2,3]}").statusCode());
      assertEquals(3, ann.next("data", m -> m.get("payload").isArray()).get("payload").size());
      for (String bad : new String[] {"{}", "{\"data\":null}", "{\"data\":1,\"to\":\"NOPE!\"}", "{\"data\":1,"
          + "\"extra\":2}", "{\"data\":\"" + "x".repeat(20_000) + "\"}", "nope"}) {
        assertEquals(400, call("POST", messages, rooms + "/ct-room/messages", bad).statusCode(),
            bad.length() > 40 ? bad.substring(0, 40) : bad);
      }
      assertEquals(404, call("POST", messages, rooms + "/ct-nobody-here/messages", "{\"data\":1}").statusCode());
      assertEquals(404, call("POST", messages, rooms + "/ct-room/messages", "{\"data\":1,\"to\":\"nobody\"}")
          .statusCode());

      // Remove: 204 (Ann is told), 400, 404.
      assertEquals(204, call("DELETE", participant, annPath, null).statusCode());
      ann.next("removed");
      assertEquals(404, call("DELETE", participant, annPath, null).statusCode(), "she is gone");
      assertEquals(400, call("DELETE", participant, rooms + "/ct-room/participants/NOT-AN-ID", null).statusCode());

      // End: 204 (Bob is told), 404 afterwards and for unknown rooms, 400 for bad names.
      assertEquals(204, call("DELETE", room, rooms + "/ct-room", null).statusCode());
      assertEquals("api", bob.next("ended").get("reason").asText());
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      int status;
      do {
        status = call("GET", room, rooms + "/ct-room", null).statusCode();
      } while (status != 404 && System.nanoTime() < deadline);
      assertEquals(404, status, "the ended room is gone");
      assertEquals(404, call("DELETE", room, rooms + "/ct-nobody-here", null).statusCode());
      assertEquals(400, call("DELETE", room, rooms + "/bad!room", null).statusCode());
    }

    recordings(rooms, room);

    // Everything the file documents was provoked (but an unresponsive cluster's 503).
    List<String> missing = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> paths = spec.get("paths").fields(); paths.hasNext(); ) {
      Map.Entry<String, JsonNode> p = paths.next();
      for (Iterator<Map.Entry<String, JsonNode>> ops = p.getValue().fields(); ops.hasNext(); ) {
        Map.Entry<String, JsonNode> op = ops.next();
        if (op.getKey().equals("parameters")) {
          continue;
        }
        for (Iterator<String> statuses = op.getValue().get("responses").fieldNames(); statuses.hasNext(); ) {
          String s = statuses.next();
          String key = op.getKey().toUpperCase() + " " + p.getKey() + " " + s;
          if (!NOT_PROVOKED.contains(s) && !seen.contains(key)) {
            missing.add(key);
          }
        }
      }
    }
    assertEquals(List.of(), missing, "documented but never answered");
    assertTrue(new HashSet<>(seen).size() > 20);
    Files.writeString(Path.of("target", "api-contract-seen.txt"), String.join("\n", seen));
  }
}
