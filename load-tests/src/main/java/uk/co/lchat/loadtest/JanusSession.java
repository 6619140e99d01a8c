package uk.co.lchat.loadtest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One session with a Janus server over its HTTP API (the "Janus protocol": POST requests to {@code /janus},
 * {@code /janus/<session>} and {@code /janus/<session>/<handle>}; events by long-polling GET
 * {@code /janus/<session>}). A request Janus answers later is acknowledged ("ack") at once and answered by an
 * event carrying the same transaction; {@link #message} returns that event. The long poll also keeps the session
 * alive (Janus drops a session silent for session_timeout, 60 s).
 */
final class JanusSession implements AutoCloseable {
  private static final AtomicLong TRANSACTIONS = new AtomicLong();
  private final HttpClient http;
  private final URI base;
  private final long id;
  private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private volatile boolean closed;
  private final Thread poller;

  private JanusSession(HttpClient http, URI base, long id) {
    this.http = http;
    this.base = base;
    this.id = id;
    this.poller = Thread.ofVirtual().name("janus-poll-" + id).start(this::poll);
  }

  /** Opens a session at {@code base} (e.g. {@code http://10.78.0.2:8088/janus}). */
  static JanusSession create(HttpClient http, URI base) throws IOException, InterruptedException {
    JsonNode r = post(http, base, request("create"));
    return new JanusSession(http, base, r.path("data").path("id").asLong());
  }

  /** Attaches a handle to {@code plugin} (e.g. janus.plugin.videoroom); its id. */
  long attach(String plugin) throws IOException, InterruptedException {
    ObjectNode req = request("attach").put("plugin", plugin);
    return post(http, URI.create(base + "/" + id), req).path("data").path("id").asLong();
  }

  /**
   * Sends {@code body} (and an SDP {@code jsep}, or null) to the plugin behind {@code handle}; the plugin's answer,
   * whether it came in the POST's response (synchronous requests) or later as an event.
   */
  JsonNode message(long handle, ObjectNode body, ObjectNode jsep) throws IOException, InterruptedException {
    ObjectNode req = request("message");
    req.set("body", body);
    if (jsep != null) {
      req.set("jsep", jsep);
    }
    String transaction = req.path("transaction").asText();
    CompletableFuture<JsonNode> event = new CompletableFuture<>();
    pending.put(transaction, event);
    try {
      JsonNode r = post(http, URI.create(base + "/" + id + "/" + handle), req);
      if (!r.path("janus").asText().equals("ack")) {
        return r;
      }
      return event.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException("no answer from Janus to " + body, e);
    } finally {
      pending.remove(transaction);
    }
  }

  /** Trickles a candidate of ours (RFC 8838), or with {@code candidate} null says there will be no more. */
  void trickle(long handle, String candidate) throws IOException, InterruptedException {
    ObjectNode req = request("trickle");
    ObjectNode c = req.putObject("candidate");
    if (candidate == null) {
      c.put("completed", true);
    } else {
      c.put("sdpMid", "0").put("sdpMLineIndex", 0).put("candidate", candidate);
    }
    post(http, URI.create(base + "/" + id + "/" + handle), req);
  }

  /** The plugin's data in an answer ({@code plugindata.data}). */
  static JsonNode data(JsonNode answer) {
    return answer.path("plugindata").path("data");
  }

  private void poll() {
    URI events = URI.create(base + "/" + id + "?maxev=16");
    while (!closed) {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(events).timeout(Duration.ofSeconds(60)).build(),
            HttpResponse.BodyHandlers.ofString());
        JsonNode body = SignalingClient.JSON.readTree(r.body());
        for (JsonNode event : body.isArray() ? body : SignalingClient.JSON.createArrayNode().add(body)) {
          CompletableFuture<JsonNode> f = pending.get(event.path("transaction").asText(""));
          if (f != null) {
            f.complete(event);
          }
        }
      } catch (IOException e) {
        if (!closed) {
          LockSupport.parkNanos(200_000_000L); // Janus busy or restarting: ask again shortly
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private static ObjectNode request(String verb) {
    return SignalingClient.JSON.createObjectNode().put("janus", verb)
        .put("transaction", "lchat-" + TRANSACTIONS.incrementAndGet());
  }

  private static JsonNode post(HttpClient http, URI uri, ObjectNode body) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
    JsonNode answer = SignalingClient.JSON.readTree(r.body());
    if (r.statusCode() != 200 || answer.path("janus").asText().equals("error")) {
      throw new IOException("Janus refused " + body.path("janus").asText() + ": " + r.body());
    }
    return answer;
  }

  @Override
  public void close() {
    closed = true;
    try {
      post(http, URI.create(base + "/" + id), request("destroy"));
    } catch (IOException e) {
      // gone already
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    poller.interrupt();
  }

}
