package uk.co.lchat.node.browser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
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
 * Debian's Firefox ESR, headless or on a {@link VirtualDisplay}, with fake camera and microphone, driven over
 * WebDriver BiDi (W3C): the WebSocket its remote agent opens with {@code --remote-debugging-port}. No driver binary
 * and no browser download, as with {@link Chromium}. Started inside a {@link NetworkNamespace}, because Firefox
 * gathers ICE candidates only on its default route's interface and never on loopback; its control port there is
 * reached through a {@link PortForward}.
 */
public final class Firefox implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BINARY = "/usr/bin/firefox-esr";

  private final Process process;
  private final Path profile;
  private final PortForward control;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> calls = new ConcurrentHashMap<>();

  private Firefox(Process process, Path profile, PortForward control) throws Exception {
    this.process = process;
    this.profile = profile;
    this.control = control;
    this.socket = HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + control.port() + "/session"), new Listener())
        .get(30, TimeUnit.SECONDS);
    call("session.new", JSON.createObjectNode().set("capabilities", JSON.createObjectNode()));
  }

  public static boolean available() {
    return Files.isExecutable(Path.of(BINARY));
  }

  /**
   * Starts Firefox in {@code ns}. Pages it loads from {@code secureHosts} (plain http) count as secure contexts, as
   * localhost does, so they may use the camera, WebCrypto and RTCRtpScriptTransform.
   */
  public static Firefox launch(NetworkNamespace ns, List<String> secureHosts) throws Exception {
    return launch(ns, secureHosts, null);
  }

  /**
   * ... with its windows on {@code display} instead of headless (null: headless). Only then has it a screen to
   * share: getDisplayMedia captures the display's whole screen, chosen without a dialog because
   * media.navigator.permission.disabled also skips the screen picker (MediaManager takes the first screen).
   */
  public static Firefox launch(NetworkNamespace ns, List<String> secureHosts, VirtualDisplay display)
      throws Exception {
    Path profile = Files.createTempDirectory("lchat-firefox");
    Files.writeString(profile.resolve("user.js"), String.join("\n",
        pref("media.navigator.streams.fake", "true"),
        pref("media.navigator.permission.disabled", "true"),
        // Real addresses in candidates, not mDNS names: the router cannot resolve .local names.
        pref("media.peerconnection.ice.obfuscate_host_addresses", "false"),
        pref("dom.securecontext.allowlist", "\"" + String.join(",", secureHosts) + "\""),
        pref("media.autoplay.default", "0"),
        // Pages in windows behind others keep decoding their video.
        pref("media.suspend-bkgnd-video.enabled", "false"),
        pref("browser.shell.checkDefaultBrowser", "false"),
        pref("media.gmp-manager.updateEnabled", "false"),
        pref("app.update.disabledForTesting", "true"), ""));
    // Firefox listens inside the namespace on the number of the port we forward from here.
    PortForward control = PortForward.intoNamespace(ns);
    List<String> command = new ArrayList<>(List.of(BINARY, "--no-remote", "--profile", profile.toString(),
        "--remote-debugging-port=" + control.port(), "about:blank"));
    if (display == null) {
      command.add(1, "--headless");
    }
    ProcessBuilder builder = ns.command(command.toArray(String[]::new))
        .redirectErrorStream(true)
        .redirectOutput(profile.resolve("firefox.log").toFile());
    builder.environment().put("HOME", profile.toString());
    if (display == null) {
      builder.environment().put("MOZ_HEADLESS", "1");
    } else {
      builder.environment().remove("MOZ_HEADLESS");
      builder.environment().remove("WAYLAND_DISPLAY");
      builder.environment().put("DISPLAY", display.display());
    }
    Process p = ns.start(builder);
    // The remote agent writes its address into the profile once it listens (WebDriverBiDi.sys.mjs).
    Path server = profile.resolve("WebDriverBiDiServer.json");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!listening(server, control.port())) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        p.destroyForcibly();
        control.close();
        throw new IOException("Firefox did not start: " + Files.readString(profile.resolve("firefox.log")));
      }
      Thread.sleep(100);
    }
    try {
      return new Firefox(p, profile, control);
    } catch (Exception e) {
      p.destroyForcibly();
      control.close();
      throw e;
    }
  }

  /** Whether the agent's file names {@code port}; it may not be written yet, or half written. */
  private static boolean listening(Path server, int port) {
    try {
      return JSON.readTree(Files.readString(server)).path("ws_port").asInt() == port;
    } catch (IOException e) {
      return false;
    }
  }

  private static String pref(String name, String value) {
    return "user_pref(\"" + name + "\", " + value + ");";
  }

  /** Opens a new window on {@code url}, once it has loaded. */
  public Page open(String url) throws Exception {
    JsonNode created = call("browsingContext.create", JSON.createObjectNode().put("type", "window"));
    String context = created.get("context").asText();
    call("browsingContext.navigate", JSON.createObjectNode().put("context", context).put("url", url)
        .put("wait", "complete"));
    return new Page(context);
  }

  JsonNode call(String method, ObjectNode params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    calls.put(id, reply);
    ObjectNode msg = JSON.createObjectNode().put("id", id).put("method", method);
    msg.set("params", params);
    socket.sendText(JSON.writeValueAsString(msg), true).get(30, TimeUnit.SECONDS);
    JsonNode r = reply.get(60, TimeUnit.SECONDS);
    if (!"success".equals(r.path("type").asText())) {
      throw new IllegalStateException(method + " failed: " + r.path("error").asText() + ": "
          + r.path("message").asText());
    }
    return r.get("result");
  }

  /** Replies by id; events (none are subscribed to) are ignored. */
  private final class Listener implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        try {
          JsonNode msg = JSON.readTree(text.toString());
          if (msg.has("id") && !msg.get("id").isNull()) {
            CompletableFuture<JsonNode> f = calls.remove(msg.get("id").asInt());
            if (f != null) {
              f.complete(msg);
            }
          }
        } catch (IOException e) {
          // not a reply we wait for
        }
        text.setLength(0);
      }
      ws.request(1);
      return null;
    }
  }

  /** One top-level browsing context (a window). */
  public final class Page implements BrowserPage {
    private final String context;

    private Page(String context) {
      this.context = context;
    }

    /**
     * Evaluates an expression as a user's action (BiDi's userActivation, like DevTools' userGesture) and returns
     * its JSON value; the page turns it into JSON itself, so values come back as they would from Chromium.
     *
     * <p>Firefox's agent grants the page a fresh activation only when a realm's flag changes from off to on
     * (Realm.sys.mjs, {@code set userActivationEnabled}), and an activation lasts 5 s
     * ({@code dom.user_activation.transient.timeout}): with every evaluation "on", only the first one would count
     * as the user's, and getDisplayMedia, which wants a fresh one (W3C Screen Capture, getDisplayMedia's first
     * step), would fail with InvalidStateError in a page polled for longer. So each evaluation is preceded by an
     * empty one without.
     */
    @Override
    public JsonNode eval(String expression) throws Exception {
      evaluate("0", false);
      JsonNode r = evaluate("Promise.resolve((" + expression + ")).then(v => JSON.stringify(v === undefined ? null"
          + " : v))", true);
      if (!"success".equals(r.path("type").asText())) {
        throw new IllegalStateException("page threw: " + r.path("exceptionDetails"));
      }
      return JSON.readTree(r.path("result").path("value").asText("null"));
    }

    private JsonNode evaluate(String expression, boolean userActivation) throws Exception {
      ObjectNode params = JSON.createObjectNode().put("expression", expression)
          .put("awaitPromise", true).put("resultOwnership", "none").put("userActivation", userActivation);
      params.putObject("target").put("context", context);
      return call("script.evaluate", params);
    }

    @Override
    public void close() {
      try {
        call("browsingContext.close", JSON.createObjectNode().put("context", context));
      } catch (Exception e) {
        // the window is gone already
      }
    }
  }

  @Override
  public void close() throws IOException {
    try {
      call("session.end", JSON.createObjectNode());
    } catch (Exception e) {
      // ending anyway
    }
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally(e -> null);
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    control.close();
    for (int attempt = 0; attempt < 5 && Files.exists(profile); attempt++) {
      try (var files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (UncheckedIOException | NoSuchFileException e) {
        // something vanished mid-walk: try again
      }
    }
  }
}
