package uk.co.lchat.loadtest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The node's signaling WebSocket (docs/protocol.md) for one simulated participant. */
final class SignalingClient implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  private final WebSocket socket;
  private final URI uri;
  private final Map<String, CopyOnWriteArrayList<Consumer<JsonNode>>> listeners = new ConcurrentHashMap<>();
  /** The session token of the server's hello (kept to resume the participant over another connection). */
  private volatile String helloToken;

  SignalingClient(HttpClient http, URI ws) {
    this.uri = ws;
    this.socket = http.newWebSocketBuilder().buildAsync(ws, new WebSocket.Listener() {
      private final StringBuilder text = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
          try {
            JsonNode msg = JSON.readTree(text.toString());
            if (msg.path("type").asText().equals("hello")) {
              helloToken = msg.path("sessionToken").asText(null);
            }
            for (Consumer<JsonNode> l : listeners.getOrDefault(msg.path("type").asText(),
                new CopyOnWriteArrayList<>())) {
              l.accept(msg);
            }
          } catch (Exception e) {
            // a message we cannot read is skipped; the server never sends one
          }
          text.setLength(0);
        }
        w.request(1);
        return null;
      }
    }).orTimeout(10, TimeUnit.SECONDS).join();
  }

  URI uri() {
    return uri;
  }

  String helloToken() {
    return helloToken;
  }

  void on(String type, Consumer<JsonNode> listener) {
    listeners.computeIfAbsent(type, t -> new CopyOnWriteArrayList<>()).add(listener);
  }

  /** The next message of one of these types. */
  CompletableFuture<JsonNode> next(String... types) {
    CompletableFuture<JsonNode> f = new CompletableFuture<>();
    for (String type : types) {
      on(type, m -> f.complete(m));
    }
    return f;
  }

  synchronized void send(ObjectNode message) {
    socket.sendText(message.toString(), true).join();
  }

  ObjectNode message(String type) {
    return JSON.createObjectNode().put("type", type);
  }

  @Override
  public void close() {
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally(e -> null);
  }
}
