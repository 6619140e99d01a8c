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

/**
 * The node's signaling WebSocket (docs/protocol.md) for one simulated participant. It tells whether it ended by
 * dropping (the node gone) or because either side meant it to: the server says so first ({@code reconnect},
 * {@code superseded}, {@code removed}), this side by {@link #close()}.
 */
final class SignalingClient implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  private final WebSocket socket;
  private final URI uri;
  private final Map<String, CopyOnWriteArrayList<Consumer<JsonNode>>> listeners = new ConcurrentHashMap<>();
  /** The session token of the server's hello (kept to resume the participant over another connection). */
  private volatile String helloToken;
  private volatile boolean ending;
  private volatile Runnable onDropped = () -> { };

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
            String type = msg.path("type").asText();
            if (type.equals("hello")) {
              helloToken = msg.path("sessionToken").asText(null);
            }
            if (type.equals("reconnect") || type.equals("superseded") || type.equals("removed")) {
              ending = true;
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

      @Override
      public CompletionStage<?> onClose(WebSocket w, int status, String reason) {
        ended();
        return null;
      }

      @Override
      public void onError(WebSocket w, Throwable error) {
        ended();
      }
    }).orTimeout(10, TimeUnit.SECONDS).join();
  }

  private void ended() {
    if (!ending) {
      ending = true;
      onDropped.run();
    }
  }

  /** {@code r} runs (once, on the socket's thread) if the connection ends with neither side having meant it to. */
  void onDropped(Runnable r) {
    onDropped = r;
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
    ending = true;
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally(e -> null);
  }
}
