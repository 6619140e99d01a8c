package uk.co.lchat.node.browser;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
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
 * Debian's headless Chromium with fake camera and microphone, driven over the DevTools protocol: open pages,
 * evaluate JavaScript, take screenshots. No browser download and no driver binary needed.
 *
 * <p>By default it listens for DevTools on a loopback port and each page has its own WebSocket. Launched in a
 * network namespace ({@link Options#namespace}) its loopback is not this JVM's, so DevTools runs over the pipe
 * Chromium offers instead ({@code --remote-debugging-pipe}: commands on its descriptor 3, replies on 4, each JSON
 * message ended by a NUL byte), with pages as sessions on it.
 */
public final class Chromium implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BINARY = "/usr/bin/chromium";
  private static final List<String> FLAGS = List.of("--headless=new", "--no-sandbox", "--disable-gpu",
      "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--disable-dev-shm-usage", "--use-fake-device-for-media-stream",
      "--use-fake-ui-for-media-stream", "--allow-loopback-in-peer-connection",
      "--autoplay-policy=no-user-gesture-required");

  private final Process process;
  private final Path profile;
  private final int port;
  private final HttpClient http = HttpClient.newHttpClient();
  /** The DevTools pipe, when launched with one; null with a DevTools port. */
  private final Pipe pipe;

  private Chromium(Process process, Path profile, int port, Pipe pipe) {
    this.process = process;
    this.profile = profile;
    this.port = port;
    this.pipe = pipe;
  }

  /**
   * How to launch: in a network namespace ({@code ip netns exec}; null: this JVM's), trusting a CA certificate (an
   * NSS database in the browser's own home, as a person importing a CA into Chromium on Linux gets), and with more
   * command-line flags.
   */
  public record Options(String namespace, List<Path> trustedCas, List<String> flags) {
    public static Options defaults() {
      return new Options(null, List.of(), List.of());
    }

    public Options inNamespace(String name) {
      return new Options(name, trustedCas, flags);
    }

    /** Trusting {@code caCertificate} too (a PEM file). */
    public Options trusting(Path caCertificate) {
      List<Path> cas = new ArrayList<>(trustedCas);
      cas.add(caCertificate);
      return new Options(namespace, List.copyOf(cas), flags);
    }
  }

  public static boolean available() {
    return Files.isExecutable(Path.of(BINARY));
  }

  public static Chromium launch() throws IOException, InterruptedException {
    return launch(Options.defaults());
  }

  public static Chromium launch(Options options) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory("lchat-chromium");
    Path home = profile.resolve("home");
    Files.createDirectories(home);
    if (!options.trustedCas().isEmpty()) {
      trust(home, options.trustedCas());
    }
    List<String> command = new ArrayList<>();
    command.add(BINARY);
    command.addAll(FLAGS);
    command.addAll(options.flags());
    command.add("--user-data-dir=" + profile.resolve("data"));
    ProcessBuilder builder;
    Path toBrowser = profile.resolve("devtools-in");
    Path fromBrowser = profile.resolve("devtools-out");
    if (options.namespace() == null) {
      command.addAll(List.of("--remote-debugging-port=0", "--remote-allow-origins=*", "about:blank"));
      builder = new ProcessBuilder(command);
    } else {
      command.addAll(List.of("--remote-debugging-pipe", "about:blank"));
      run(List.of("mkfifo", toBrowser.toString(), fromBrowser.toString()));
      List<String> wrapped = new ArrayList<>(List.of("ip", "netns", "exec", options.namespace(), "sh", "-c",
          "exec \"$@\" 3<\"$LCHAT_DEVTOOLS_IN\" 4>\"$LCHAT_DEVTOOLS_OUT\"", "chromium"));
      wrapped.addAll(command);
      builder = new ProcessBuilder(wrapped);
      builder.environment().put("LCHAT_DEVTOOLS_IN", toBrowser.toString());
      builder.environment().put("LCHAT_DEVTOOLS_OUT", fromBrowser.toString());
    }
    if (!options.trustedCas().isEmpty()) {
      builder.environment().put("HOME", home.toString()); // its NSS database (~/.pki/nssdb) is the test's own
    }
    Process p = builder.redirectErrorStream(true).redirectOutput(profile.resolve("chromium.log").toFile()).start();
    if (options.namespace() != null) {
      Pipe pipe;
      try {
        pipe = Pipe.open(toBrowser, fromBrowser, p);
        pipe.browser("Browser.getVersion", JSON.createObjectNode()).get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        p.destroyForcibly();
        throw new IOException("Chromium did not start in " + options.namespace() + ": " + e + "; "
            + Files.readString(profile.resolve("chromium.log")), e);
      }
      return new Chromium(p, profile, -1, pipe);
    }
    Path portFile = profile.resolve("data").resolve("DevToolsActivePort");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!Files.exists(portFile) || Files.readAllLines(portFile).isEmpty()) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        p.destroyForcibly();
        throw new IOException("Chromium did not start: " + Files.readString(profile.resolve("chromium.log")));
      }
      Thread.sleep(50);
    }
    return new Chromium(p, profile, Integer.parseInt(Files.readAllLines(portFile).get(0).trim()), null);
  }

  /** An NSS database under {@code home} in which each of {@code cas} is trusted to identify servers ({@code C,,}). */
  private static void trust(Path home, List<Path> cas) throws IOException, InterruptedException {
    Path db = home.resolve(".pki").resolve("nssdb");
    Files.createDirectories(db);
    run(List.of("certutil", "-d", "sql:" + db, "-N", "--empty-password"));
    for (int i = 0; i < cas.size(); i++) {
      run(List.of("certutil", "-d", "sql:" + db, "-A", "-t", "C,,", "-n", "lchat-test-ca-" + i, "-i",
          cas.get(i).toString()));
    }
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out);
    }
  }

  /** Opens a new tab on {@code url}. */
  public Page open(String url) throws Exception {
    if (pipe != null) {
      String target = pipe.browser("Target.createTarget", JSON.createObjectNode().put("url", url))
          .get(60, TimeUnit.SECONDS).path("result").path("targetId").asText();
      String session = pipe.browser("Target.attachToTarget", JSON.createObjectNode().put("targetId", target)
          .put("flatten", true)).get(60, TimeUnit.SECONDS).path("result").path("sessionId").asText();
      return new Page(pipe.session(session, target));
    }
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/new?"
        + URLEncoder.encode(url, StandardCharsets.UTF_8))).PUT(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    JsonNode target = JSON.readTree(r.body());
    return new Page(new PageSocket(http, target.get("webSocketDebuggerUrl").asText()));
  }

  /** Where one page's DevTools commands go; replies complete the returned future. */
  private interface Channel {
    CompletableFuture<JsonNode> call(String method, ObjectNode params);

    /** Closes the tab (its connections end with it). */
    void close();
  }

  /** A page's own DevTools WebSocket. */
  private static final class PageSocket implements Channel {
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> calls = new ConcurrentHashMap<>();

    PageSocket(HttpClient http, String url) {
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

    @Override
    public CompletableFuture<JsonNode> call(String method, ObjectNode params) {
      int id = ids.incrementAndGet();
      CompletableFuture<JsonNode> reply = new CompletableFuture<>();
      calls.put(id, reply);
      ObjectNode msg = JSON.createObjectNode().put("id", id).put("method", method);
      msg.set("params", params);
      socket.sendText(msg.toString(), true).join();
      return reply;
    }

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

  /** The browser's DevTools pipe: one stream of NUL-ended JSON messages each way, pages as flat sessions. */
  private static final class Pipe {
    private final OutputStream out;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> calls = new ConcurrentHashMap<>();

    private Pipe(OutputStream out) {
      this.out = out;
    }

    /**
     * Opens both FIFOs as Chromium's shell opens its ends: the one it reads first (opening a FIFO waits for the
     * other end, so the write end is opened on another thread while this one waits for the read end).
     */
    static Pipe open(Path toBrowser, Path fromBrowser, Process process) throws Exception {
      CompletableFuture<OutputStream> writer = CompletableFuture.supplyAsync(() -> {
        try {
          return new FileOutputStream(toBrowser.toFile());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      CompletableFuture<InputStream> reader = CompletableFuture.supplyAsync(() -> {
        try {
          return new BufferedInputStream(new FileInputStream(fromBrowser.toFile()));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!(writer.isDone() && reader.isDone())) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          throw new IOException("Chromium never opened its DevTools pipe");
        }
        Thread.sleep(50);
      }
      Pipe pipe = new Pipe(writer.get());
      InputStream in = reader.get();
      Thread.ofPlatform().daemon().name("chromium-devtools-pipe").start(() -> pipe.read(in));
      return pipe;
    }

    private void read(InputStream in) {
      ByteArrayOutputStream message = new ByteArrayOutputStream();
      try {
        for (int b = in.read(); b != -1; b = in.read()) {
          if (b != 0) {
            message.write(b);
            continue;
          }
          JsonNode msg = JSON.readTree(message.toByteArray());
          message.reset();
          if (msg.has("id")) {
            CompletableFuture<JsonNode> f = calls.remove(msg.get("id").asInt());
            if (f != null) {
              f.complete(msg);
            }
          }
        }
      } catch (IOException e) {
        // the browser is gone
      }
      calls.values().forEach(f -> f.completeExceptionally(new IOException("Chromium closed its DevTools pipe")));
    }

    CompletableFuture<JsonNode> browser(String method, ObjectNode params) {
      return send(method, params, null);
    }

    synchronized CompletableFuture<JsonNode> send(String method, ObjectNode params, String session) {
      int id = ids.incrementAndGet();
      CompletableFuture<JsonNode> reply = new CompletableFuture<>();
      calls.put(id, reply);
      ObjectNode msg = JSON.createObjectNode().put("id", id).put("method", method);
      msg.set("params", params);
      if (session != null) {
        msg.put("sessionId", session);
      }
      try {
        out.write(msg.toString().getBytes(StandardCharsets.UTF_8));
        out.write(0);
        out.flush();
      } catch (IOException e) {
        calls.remove(id);
        reply.completeExceptionally(e);
      }
      return reply;
    }

    Channel session(String session, String target) {
      return new Channel() {
        @Override
        public CompletableFuture<JsonNode> call(String method, ObjectNode params) {
          return send(method, params, session);
        }

        @Override
        public void close() {
          try {
            browser("Target.closeTarget", JSON.createObjectNode().put("targetId", target)).get(5, TimeUnit.SECONDS);
          } catch (Exception e) {
            // the tab is gone already
          }
        }
      };
    }
  }

  /** One tab. */
  public static final class Page implements BrowserPage {
    private final Channel channel;

    private Page(Channel channel) {
      this.channel = channel;
    }

    public JsonNode call(String method, ObjectNode params) throws Exception {
      JsonNode r = channel.call(method, params).get(60, TimeUnit.SECONDS);
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

    /** Closes the tab (its connections end with it). */
    @Override
    public void close() {
      channel.close();
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
