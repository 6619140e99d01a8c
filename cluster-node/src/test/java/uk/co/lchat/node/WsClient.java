package uk.co.lchat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A real WebSocket client of the signaling endpoint, collecting JSON messages for assertions. */
public final class WsClient implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
  private final WebSocket socket;
  private volatile boolean closedByServer;
  public final String sessionToken;
  /** The server's first message (its session token, node and the other nodes' signaling URLs). */
  public final JsonNode hello;
  public String participantId;

  private boolean paused;
  private boolean requestPending;

  public WsClient(int httpPort) throws Exception {
    this(httpPort, HTTP, Map.of());
  }

  /** A client whose connection comes from {@code localAddress} (e.g. 127.0.0.2: another host, as the node sees it). */
  public WsClient(int httpPort, java.net.InetAddress localAddress) throws Exception {
    this(httpPort, HttpClient.newBuilder().localAddress(localAddress).build(), Map.of());
  }

  /** A client whose handshake carries {@code headers} (e.g. a browser's {@code Origin}). */
  public WsClient(int httpPort, Map<String, String> headers) throws Exception {
    this(httpPort, HTTP, headers);
  }

  private WsClient(int httpPort, HttpClient http, Map<String, String> headers) throws Exception {
    WebSocket.Builder builder = http.newWebSocketBuilder();
    headers.forEach(builder::header);
    socket = builder.buildAsync(URI.create("ws://127.0.0.1:" + httpPort + "/ws"), new Listener())
        .get(10, TimeUnit.SECONDS);
    hello = next();
    assertEquals("hello", hello.get("type").asText());
    sessionToken = hello.get("sessionToken").asText();
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          messages.add(JSON.readTree(partial.toString()));
        } catch (Exception e) {
          throw new IllegalStateException("server sent invalid JSON: " + partial, e);
        }
        partial.setLength(0);
      }
      requestNext(webSocket);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closedByServer = true;
      return null;
    }
  }

  private synchronized void requestNext(WebSocket webSocket) {
    if (paused) {
      requestPending = true;
    } else {
      webSocket.request(1);
    }
  }

  /** Stops reading: what the server sends piles up in TCP buffers and then in the server's queue for us. */
  public synchronized void pauseReading() {
    paused = true;
  }

  /** Reads again after {@link #pauseReading()}. */
  public synchronized void resumeReading() {
    paused = false;
    if (requestPending) {
      requestPending = false;
      socket.request(1);
    }
  }

  public void send(String json) {
    socket.sendText(json, true).join();
  }

  public void sendBinary(byte[] bytes) {
    socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
  }

  public JsonNode next() throws InterruptedException {
    JsonNode m = messages.poll(10, TimeUnit.SECONDS);
    assertNotNull(m, "no message from the server within 10 s");
    return m;
  }

  /** The next message within {@code wait}, or null. */
  public JsonNode poll(Duration wait) throws InterruptedException {
    return messages.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The next message of {@code type}, skipping others. */
  public JsonNode next(String type) throws InterruptedException {
    return next(type, m -> true);
  }

  /** The next message of {@code type} that satisfies {@code test}, skipping others. */
  public JsonNode next(String type, java.util.function.Predicate<JsonNode> test) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      JsonNode m = messages.poll(100, TimeUnit.MILLISECONDS);
      if (m != null && m.get("type").asText().equals(type) && test.test(m)) {
        return m;
      }
    }
    throw new AssertionError("no matching '" + type + "' message within 10 s");
  }

  /** Asserts that nothing at all arrives for a while. */
  public void expectSilence(Duration quiet) throws InterruptedException {
    JsonNode m = messages.poll(quiet.toMillis(), TimeUnit.MILLISECONDS);
    if (m != null) {
      throw new AssertionError("expected nothing, got " + m);
    }
  }

  public void drain() throws InterruptedException {
    while (messages.poll(150, TimeUnit.MILLISECONDS) != null) {
      // discard
    }
  }

  public JsonNode join(String room, String name) throws InterruptedException {
    send("{\"type\":\"join\",\"room\":\"" + room + "\",\"name\":\"" + name + "\"}");
    JsonNode joined = next("joined");
    participantId = joined.get("participantId").asText();
    return joined;
  }

  public boolean closedByServer() {
    return closedByServer;
  }

  @Override
  public void close() {
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
    socket.abort();
  }
}
