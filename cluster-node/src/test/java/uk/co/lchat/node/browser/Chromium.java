package uk.co.lchat.node.browser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Debian's headless Chromium with fake camera and microphone, driven over the DevTools protocol (a WebSocket): open
 * pages, evaluate JavaScript, take screenshots. No browser download and no driver binary needed.
 */
public final class Chromium implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BINARY = "/usr/bin/chromium";

  private final Process process;
  private final Path profile;
  private final int port;
  private final HttpClient http = HttpClient.newHttpClient();

  private Chromium(Process process, Path profile, int port) {
    this.process = process;
    this.profile = profile;
    this.port = port;
  }

  public static boolean available() {
    return Files.isExecutable(Path.of(BINARY));
  }

  public static Chromium launch() throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory("lchat-chromium");
    Process p = new ProcessBuilder(BINARY, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        "--allow-loopback-in-peer-connection", "--autoplay-policy=no-user-gesture-required",
        "--remote-debugging-port=0", "--remote-allow-origins=*", "--user-data-dir=" + profile, "about:blank")
        .redirectErrorStream(true)
        .redirectOutput(profile.resolve("chromium.log").toFile())
        .start();
    Path portFile = profile.resolve("DevToolsActivePort");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!Files.exists(portFile) || Files.readAllLines(portFile).isEmpty()) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        p.destroyForcibly();
        throw new IOException("Chromium did not start: " + Files.readString(profile.resolve("chromium.log")));
      }
      Thread.sleep(50);
    }
    return new Chromium(p, profile, Integer.parseInt(Files.readAllLines(portFile).get(0).trim()));
  }

  /** Opens a new tab on {@code url}. */
  public Page open(String url) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/new?"
        + URLEncoder.encode(url, StandardCharsets.UTF_8))).PUT(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    JsonNode target = JSON.readTree(r.body());
    return new Page(http, target.get("webSocketDebuggerUrl").asText());
  }

  /** One tab, spoken to over its DevTools WebSocket. */
  public static final class Page implements BrowserPage {
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> calls = new ConcurrentHashMap<>();

    Page(HttpClient http, String url) {
      this.socket = http.newWebSocketBuilder().buildAsync(URI.create(url), new WebSocket.Listener() {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
          text.append(data);
          if (last) {
            try {
              JsonNode msg = JSON.readTree(text.toString());
              if (msg.has("id")) {
                CompletableFuture<JsonNode> f = calls.remove(msg.get("id").asInt());
                if (f != null) {
                  f.complete(msg);
                }
              }
            } catch (IOException e) {
              // not ours to handle: an event we did not ask for
            }
            text.setLength(0);
          }
          ws.request(1);
          return null;
        }
      }).join();
    }

    public JsonNode call(String method, ObjectNode params) throws Exception {
      int id = ids.incrementAndGet();
      CompletableFuture<JsonNode> reply = new CompletableFuture<>();
      calls.put(id, reply);
      ObjectNode msg = JSON.createObjectNode().put("id", id).put("method", method);
      msg.set("params", params);
      socket.sendText(JSON.writeValueAsString(msg), true).join();
      JsonNode r = reply.get(60, TimeUnit.SECONDS);
      if (r.has("error")) {
        throw new IllegalStateException(method + " failed: " + r.get("error"));
      }
      return r.get("result");
    }

    /** Evaluates an expression (awaiting a promise) and returns its JSON value. */
    @Override
    public JsonNode eval(String expression) throws Exception {
      // userGesture: a click made this way counts as the user's, as getDisplayMedia and clipboard require.
      ObjectNode params = JSON.createObjectNode().put("expression", expression).put("awaitPromise", true)
          .put("returnByValue", true).put("userGesture", true);
      JsonNode result = call("Runtime.evaluate", params);
      if (result.has("exceptionDetails")) {
        throw new IllegalStateException("page threw: " + result.get("exceptionDetails"));
      }
      return result.get("result").get("value");
    }

    /** Sets the page's viewport, as a window of that size would. */
    public void viewport(int width, int height) throws Exception {
      call("Emulation.setDeviceMetricsOverride", JSON.createObjectNode().put("width", width).put("height", height)
          .put("deviceScaleFactor", 1).put("mobile", false));
    }

    /** A left click with the mouse at this point of the viewport: it lands on whatever is topmost there. */
    public void click(double x, double y) throws Exception {
      for (String type : new String[] {"mousePressed", "mouseReleased"}) {
        call("Input.dispatchMouseEvent", JSON.createObjectNode().put("type", type).put("x", x).put("y", y)
            .put("button", "left").put("clickCount", 1));
      }
    }

    /**
     * Makes this the tab in front: a tab behind others is not rendered, so its resize observers and animation
     * frames wait until it is shown again.
     */
    public void bringToFront() throws Exception {
      call("Page.bringToFront", JSON.createObjectNode());
    }

    public void screenshot(Path file) throws Exception {
      JsonNode r = call("Page.captureScreenshot", JSON.createObjectNode().put("format", "png"));
      Files.createDirectories(file.getParent());
      Files.write(file, java.util.Base64.getDecoder().decode(r.get("data").asText()));
    }

    /** Closes the tab (its connections end with it) and the DevTools socket. */
    @Override
    public void close() {
      try {
        int id = ids.incrementAndGet();
        socket.sendText("{\"id\":" + id + ",\"method\":\"Page.close\",\"params\":{}}", true)
            .get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        // the tab is gone already
      }
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally(e -> null);
    }
  }

  @Override
  public void close() throws IOException {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // Chromium's helper processes may still be writing into the profile for a moment after it exits: files vanish
    // under the walk. Walk again until the folder is gone (a few tries; a left-over temp folder is no failure).
    for (int attempt = 0; attempt < 5 && Files.exists(profile); attempt++) {
      try (var files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (UncheckedIOException | NoSuchFileException e) {
        // something vanished mid-walk: try again
      }
    }
  }
}
