package uk.co.lchat.node.http;

import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Tcp;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;

import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;

/**
 * Every error under /api, /whip and /whep is the server API's JSON ({@code {"error", "message"}}, nothing else),
 * including those pekko-http itself would give in plain text: a body over the 64 KiB limit, a method a route does
 * not take, an unknown route, a route that does not answer in time, and requests too malformed to be routed. Paths of the web
 * client (share links such as /apiary) are not caught by it.
 */
class JsonErrorsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String KEY = "errors-key";
  private static final String SECRET = "errors-secret-of-at-least-32-bytes!!";
  private static LchatNode node;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.single(Map.of("lchat.api.keys", List.of(Map.of("id", KEY, "secret", SECRET))));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  private static String basic() {
    return "Basic " + Base64.getEncoder().encodeToString((KEY + ":" + SECRET).getBytes(StandardCharsets.UTF_8));
  }

  private static HttpResponse<String> send(String method, String path, String contentType, String body)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
        .timeout(Duration.ofSeconds(60)).header("Authorization", basic())
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The response is {@code status} with exactly {"error": code, "message": a sentence} as application/json. */
  private static JsonNode assertJsonError(HttpResponse<String> r, int status, String code) throws Exception {
    String what = r.request().method() + " " + r.request().uri().getPath() + " -> " + r.statusCode() + " "
        + r.headers().firstValue("Content-Type").orElse("") + " " + abbreviate(r.body());
    assertEquals(status, r.statusCode(), what);
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""), what);
    return assertErrorBody(r.body(), code, what);
  }

  private static JsonNode assertErrorBody(String body, String code, String what) throws Exception {
    JsonNode error = JSON.readTree(body);
    Set<String> fields = new TreeSet<>();
    error.fieldNames().forEachRemaining(fields::add);
    assertEquals(Set.of("error", "message"), fields, "the API's error shape: " + what);
    assertEquals(code, error.get("error").asText(), what);
    assertTrue(error.get("message").asText().length() > 5, "a sentence for people: " + what);
    return error;
  }

  private static String abbreviate(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }

  @Test
  void aBodyOverTheLimitIsAJsonErrorOnTheApiAndOnWhipAndWhep() throws Exception {
    String sdp = "v=0\r\n" + "a=x\r\n".repeat(14_000); // 70 kB
    for (String path : List.of("/whip/big-room", "/whep/big-room", "/whep/big-room/someone")) {
      JsonNode error = assertJsonError(send("POST", path, "application/sdp", sdp), 413, "too_large");
      assertTrue(error.get("message").asText().contains("65536"), "names the limit: " + error);
    }
    assertJsonError(send("POST", "/api/v1/rooms", "application/json", "{\"name\":\"" + "x".repeat(70_000) + "\"}"),
        413, "too_large");
  }

  @Test
  void aMethodARouteDoesNotTakeIs405WithAllowInJson() throws Exception {
    HttpResponse<String> get = send("GET", "/whip/some-room", null, null);
    assertJsonError(get, 405, "method_not_allowed");
    assertEquals("POST", get.headers().firstValue("Allow").orElse(""), "RFC 9110 §15.5.6");
    HttpResponse<String> put = send("PUT", "/api/rooms/some-room", "application/json", "{}");
    assertJsonError(put, 405, "method_not_allowed");
    assertEquals("GET", put.headers().firstValue("Allow").orElse(""));
    assertJsonError(send("GET", "/whep/some-room/viewers/abc", null, null), 405, "method_not_allowed");
  }

  @Test
  void unknownRoutesUnderTheApiAndWhipAreJson404s() throws Exception {
    assertJsonError(send("GET", "/api/nothing-here", null, null), 404, "not_found");
    assertJsonError(send("GET", "/api", null, null), 404, "not_found");
    assertJsonError(send("POST", "/whep/a/b/c/d", "application/sdp", "v=0\r\n"), 404, "not_found");
    assertJsonError(send("GET", "/api/v1/nothing", null, null), 404, "not_found");
  }

  @Test
  void whipAndWhepRefusalsAreJsonWithTheirCodes() throws Exception {
    assertJsonError(send("POST", "/whip/some-room", "text/plain", "v=0\r\n"), 415, "unsupported_media_type");
    assertJsonError(send("POST", "/whip/bad!room", "application/sdp", "v=0\r\n"), 400, "invalid_room");
    assertJsonError(send("POST", "/whip/some-room", "application/sdp", " "), 400, "bad_sdp");
    assertJsonError(send("POST", "/whep/nobody-is-here", "application/sdp", "v=0\r\n"), 404, "room_not_found");
    assertJsonError(send("DELETE", "/whip/some-room/no-such-session", null, null), 404, "session_not_found");
  }

  @Test
  void aRouteThatDoesNotAnswerInTimeGivesAJson503() throws Exception {
    // No route of the node is that slow (each has its own, shorter, deadline), so a listener of the test's own
    // with pekko's request timeout at 1 s and a route that never answers shows what a client would get.
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "json-errors-timeout", ConfigFactory.parseMap(
        Map.of("pekko.http.server.request-timeout", "1s")).withFallback(ConfigFactory.load()));
    try {
      Route never = completeWithFuture(new CompletableFuture<>());
      Tcp.ServerBinding binding = HttpListener.bind(system, "127.0.0.1", 0, JsonErrors.on(List.of("/api"), never),
          FrontDoorSettings.fromConfig(system.settings().config()), new ConnectionGate(16))
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      HttpResponse<String> slow = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + binding.localAddress().getPort() + "/api/slow")).timeout(Duration.ofSeconds(60)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertJsonError(slow, 503, "unavailable");
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void requestsTooMalformedToRouteAreAnsweredInJsonToo() throws Exception {
    String badHeader = raw("GET /api/v1/rooms HTTP/1.1\r\nHost: 127.0.0.1\r\nNot a header\r\n\r\n");
    assertTrue(badHeader.startsWith("HTTP/1.1 400"), badHeader);
    assertErrorBody(bodyOf(badHeader), "bad_request", badHeader);
    String longUri = raw("GET /whip/" + "a".repeat(3000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    assertTrue(longUri.startsWith("HTTP/1.1 414"), longUri);
    assertErrorBody(bodyOf(longUri), "uri_too_long", longUri);
  }

  @Test
  void shareLinksThatStartLikeTheApiStillOpenTheWebClient() throws Exception {
    for (String room : List.of("/apiary", "/whipped-cream", "/whepton")) {
      HttpResponse<String> page = send("GET", room, null, null);
      assertEquals(200, page.statusCode(), room);
      assertTrue(page.body().contains("<html"), room + ": the meeting page");
    }
  }

  @Test
  void plainHttpSendsNoStrictTransportSecurity() throws Exception {
    for (String path : List.of("/", "/health", "/api/nothing-here")) {
      assertTrue(send("GET", path, null, null).headers().firstValue("Strict-Transport-Security").isEmpty(),
          "RFC 6797 §7.2: never over plain HTTP (" + path + ")");
    }
  }

  /** Sends {@code request} as it is and reads the answer until the node closes or has sent its body. */
  private static String raw(String request) throws Exception {
    try (Socket s = new Socket("127.0.0.1", node.httpPort())) {
      s.setSoTimeout(60_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder text = new StringBuilder();
      byte[] buf = new byte[4096];
      int n;
      while ((n = in.read(buf)) > 0) {
        text.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        String sofar = text.toString();
        int end = sofar.indexOf("\r\n\r\n");
        if (end > 0 && sofar.substring(end + 4).length() >= contentLength(sofar.substring(0, end))) {
          break;
        }
      }
      return text.toString();
    }
  }

  private static int contentLength(String head) {
    for (String line : head.split("\r\n")) {
      if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
        return Integer.parseInt(line.substring(15).trim());
      }
    }
    return Integer.MAX_VALUE;
  }

  private static String bodyOf(String response) {
    return response.substring(response.indexOf("\r\n\r\n") + 4);
  }
}
