package uk.co.lchat.node.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static uk.co.lchat.node.browser.MeetingPages.WAIT;
import static uk.co.lchat.node.browser.MeetingPages.js;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;

/**
 * The iframe API in headless Chromium: docs/embed.html, served by a small HTTP server of this test on another origin
 * than the node's (another loopback port), embeds a meeting through the node's /external_api.js; two such host pages
 * put two participants in one room, drive it with the API's commands and receive every event the API lists. A page
 * of an origin the node does not allow cannot frame the meeting, and a frame of it inside the host page can neither
 * command the meeting nor forge its events.
 */
class EmbedApiBrowserIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ROOM = "embed-room";
  private static final Path EXAMPLE = Path.of("..", "docs", "embed.html");

  private static HttpServer host;
  private static HttpServer other;
  private static LchatNode node;
  private static Chromium chromium;
  private static Path storage;

  @BeforeAll
  static void start() throws Exception {
    assertTrue(Chromium.available(), "Debian's chromium must be installed (.ci/run installs it)");
    host = serve();
    other = serve();
    storage = Files.createTempDirectory("lchat-embed-recording");
    // Through the router (p2p off): it is the router that tells who the dominant speaker is. Recording on, for the
    // recording commands and their status events.
    node = TestNodes.single(Map.of("lchat.embed.allowed-origins", List.of(origin(host)),
        "lchat.room.features.p2p", false, "lchat.egress.enabled", true, "lchat.egress.storage", storage.toString(),
        "lchat.room.features.recording", true));
    chromium = Chromium.launch();
  }

  @AfterAll
  static void stop() throws Exception {
    if (chromium != null) {
      chromium.close();
    }
    if (node != null) {
      node.close();
    }
    for (HttpServer s : new HttpServer[] {host, other}) {
      if (s != null) {
        s.stop(0);
      }
    }
  }

  /**
   * A site of its own on a loopback port: the example host page at /embed.html, and at /forger.html a page that,
   * framed beside the meeting, posts commands to the meeting's frame and fake events to its parent.
   */
  private static HttpServer serve() throws Exception {
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    s.createContext("/embed.html", ex -> {
      byte[] page = Files.readAllBytes(EXAMPLE);
      ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
      ex.sendResponseHeaders(200, page.length);
      ex.getResponseBody().write(page);
      ex.close();
    });
    s.createContext("/forger.html", ex -> {
      byte[] page = FORGER.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
      ex.sendResponseHeaders(200, page.length);
      ex.getResponseBody().write(page);
      ex.close();
    });
    s.start();
    return s;
  }

  /** Commands to the meeting's frame (its host's first frame) and a fake event to the host, then "done". */
  private static final String FORGER = """
      <!doctype html><script>
        const meeting = parent.frames[0];
        for (const [name, args] of [['sendChat', { text: 'forged by another origin' }], ['leave', {}],
            ['mute', {}]]) {
          meeting.postMessage({ protocol: 'lchat-embed', kind: 'command', id: 1, name, args }, '*');
        }
        parent.postMessage({ protocol: 'lchat-embed', kind: 'event', name: 'chatReceived',
          data: { text: 'forged event' } }, '*');
        parent.postMessage({ protocol: 'lchat-embed', kind: 'event', name: 'left', data: { reason: 'forged' } }, '*');
        parent.postMessage('forger-done', '*');
      </script>""";

  private static String origin(HttpServer s) {
    return "http://127.0.0.1:" + s.getAddress().getPort();
  }

  /** The example host page of {@code site}, embedding the room as {@code name}, with more of its query options. */
  private static Chromium.Page hostPage(HttpServer site, String room, String name, String options)
      throws Exception {
    Chromium.Page page = chromium.open(origin(site) + "/embed.html?server=http://127.0.0.1:" + node.httpPort()
        + "&room=" + room + "&name=" + name + options);
    page.viewport(1280, 800);
    return page;
  }

  /** The events of this name the host page received, as a JavaScript array. */
  private static String events(String name) {
    return "window.embedEvents.filter(e => e.name === " + js(name) + ")";
  }

  /** Waits until the host page received an event of this name whose data satisfies {@code condition} (on d). */
  private static JsonNode awaitEvent(Chromium.Page page, String name, String condition) throws Exception {
    String match = events(name) + ".find(e => (d => " + condition + ")(e.data))";
    page.waitFor("!!(" + match + ")", WAIT, "JSON.stringify(window.embedEvents)");
    return page.eval(match + ".data");
  }

  /** Runs a command of the page's API; returns null when it was carried out, else the refusal's code. */
  private static String command(Chromium.Page page, String call) throws Exception {
    JsonNode r = page.eval("window.meeting." + call + ".then(() => null, e => e.code || String(e))");
    return r == null || r.isNull() ? null : r.asText();
  }

  /**
   * Evaluates {@code expression} in the page's frame whose URL starts with {@code urlPrefix} (the embedded meeting),
   * in a world of its own: it sees the frame's document, not its scripts' variables.
   */
  private static JsonNode inFrame(Chromium.Page page, String urlPrefix, String expression) throws Exception {
    JsonNode frame = frame(page, urlPrefix);
    if (frame == null) {
      throw new AssertionError("no frame of " + urlPrefix + " in the page");
    }
    String frameId = frame.path("id").asText();
    int context = page.call("Page.createIsolatedWorld", JSON.createObjectNode().put("frameId", frameId)
        .put("worldName", "embed-test")).path("executionContextId").asInt();
    JsonNode r = page.call("Runtime.evaluate", JSON.createObjectNode().put("expression", expression)
        .put("contextId", context).put("returnByValue", true).put("awaitPromise", true));
    if (r.has("exceptionDetails")) {
      throw new IllegalStateException("frame threw: " + r.get("exceptionDetails"));
    }
    return r.path("result").path("value");
  }

  /** The page's child frame whose URL (or the URL it failed to load) starts with {@code urlPrefix}, or null. */
  private static JsonNode frame(Chromium.Page page, String urlPrefix) throws Exception {
    for (JsonNode child : page.call("Page.getFrameTree", JSON.createObjectNode()).path("frameTree")
        .path("childFrames")) {
      JsonNode f = child.path("frame");
      if (f.path("url").asText().startsWith(urlPrefix) || f.path("unreachableUrl").asText().startsWith(urlPrefix)) {
        return f;
      }
    }
    return null;
  }

  @Test
  void theMeetingPagesMayBeFramedByTheAllowedOriginOnly() throws Exception {
    HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + node.httpPort() + "/" + ROOM)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals("frame-ancestors 'self' " + origin(host),
        page.headers().firstValue("Content-Security-Policy").orElse(""));
    HttpResponse<String> script = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + node.httpPort() + "/external_api.js")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, script.statusCode());
    assertTrue(script.headers().firstValue("Content-Type").orElse("").contains("javascript"), script.headers().toString());
    assertTrue(script.body().contains("LunarChat"), "the script defines LunarChat");
  }

  @Test
  void twoHostPagesDriveOneMeetingThroughTheApiAndHearEveryEvent() throws Exception {
    String node = "http://127.0.0.1:" + EmbedApiBrowserIT.node.httpPort();
    try (Chromium.Page alice = hostPage(host, ROOM, "Alice", "&hideBranding=1&hide=chat,sharedVideo")) {
      awaitEvent(alice, "ready", "true");
      JsonNode joined = awaitEvent(alice, "joined", "true");
      assertEquals("Alice", joined.path("displayName").asText(), joined.toString());
      assertEquals(ROOM, joined.path("room").asText());
      String aliceId = joined.path("participantId").asText();

      // Nothing of the product's branding in Alice's meeting; Bob's (without hideBranding) shows it.
      String product = "Lunar Chat";
      JsonNode brand = inFrame(alice, node, "({ text: document.body.innerText, visible: [...document"
          + ".querySelectorAll('.brand')].filter(e => getComputedStyle(e).display !== 'none').length,"
          + " title: document.title })");
      assertFalse(brand.path("text").asText().contains(product), brand.toString());
      assertFalse(brand.path("title").asText().contains(product), brand.toString());
      assertEquals(0, brand.path("visible").asInt(), brand.toString());

      try (Chromium.Page bob = hostPage(host, ROOM, "Bob", "")) {
        JsonNode bobJoined = awaitEvent(bob, "joined", "true");
        String bobId = bobJoined.path("participantId").asText();
        awaitEvent(alice, "participantJoined", "d.participantId === " + js(bobId) + " && d.displayName === 'Bob'");
        // Those already there when one joins are announced too.
        awaitEvent(bob, "participantJoined", "d.participantId === " + js(aliceId));
        assertTrue(inFrame(bob, node, "document.querySelector('.brand')?.textContent").asText().contains(product),
            "Bob's meeting keeps the branding");
        // The controls Alice's host page left out (features) are not shown to her; Bob has them.
        String shown = "['open-chat', 'open-shared', 'open-people'].map(id => getComputedStyle(document"
            + ".querySelector(`[data-testid=\"${id}\"]`)).display !== 'none')";
        assertEquals("[false,false,true]", inFrame(alice, node, shown).toString());
        assertEquals("[true,true,true]", inFrame(bob, node, shown).toString());

        // Chat both ways: each host hears the other's message, not its own.
        assertEquals(null, command(bob, "sendChat('Hello from Bob')"));
        awaitEvent(alice, "chatReceived", "d.text === 'Hello from Bob' && d.from === " + js(bobId)
            + " && d.fromName === 'Bob' && d.private === false");
        assertEquals(null, command(alice, "sendChat('Hi Bob')"));
        awaitEvent(bob, "chatReceived", "d.text === 'Hi Bob' && d.from === " + js(aliceId));
        assertEquals(0, alice.eval(events("chatReceived") + ".filter(e => e.data.text === 'Hi Bob').length").asInt());

        // Mute and unmute reach the room: Bob's host sees Alice's state change.
        assertEquals(null, command(alice, "mute()"));
        awaitEvent(bob, "audioMuteStatusChanged", "d.participantId === " + js(aliceId) + " && d.muted === true");
        assertEquals(null, command(alice, "unmute()"));
        awaitEvent(bob, "audioMuteStatusChanged", "d.participantId === " + js(aliceId) + " && d.muted === false");
        awaitEvent(alice, "audioMuteStatusChanged", "d.local === true && d.muted === false");

        assertEquals(null, command(alice, "setDisplayName('Alice Cooper')"));
        awaitEvent(bob, "displayNameChanged", "d.participantId === " + js(aliceId)
            + " && d.displayName === 'Alice Cooper'");

        // The router names a dominant speaker once the fake microphones' tones reach it.
        alice.waitFor(events("dominantSpeakerChanged") + ".some(e => [" + js(aliceId) + ", " + js(bobId)
            + "].includes(e.data.participantId))", WAIT, "JSON.stringify(window.embedEvents)");

        // Alice joined first: she is the moderator and may record; both hosts hear the status.
        assertEquals(null, command(alice, "startRecording({ output: 'track' })"));
        JsonNode recording = awaitEvent(bob, "recordingStatus", "d.active === true");
        assertFalse(recording.path("egressId").asText().isEmpty(), recording.toString());
        awaitEvent(alice, "recordingStatus", "d.active === true");
        assertEquals(null, command(alice, "stopRecording()"));
        awaitEvent(bob, "recordingStatus", "d.active === false");
        awaitEvent(alice, "recordingStatus", "d.active === false");

        // A screen share from a command of the host page (which hands its user gesture to the meeting's frame).
        alice.bringToFront();
        assertEquals(null, command(alice, "startScreenShare()"));
        awaitEvent(alice, "screenShareStatusChanged", "d.sharing === true");
        assertEquals(null, command(alice, "stopScreenShare()"));
        awaitEvent(alice, "screenShareStatusChanged", "d.sharing === false");

        // Malformed and unknown messages are ignored, and the meeting carries on.
        alice.eval("(w => { for (const m of ['nonsense', null, 42, [], { protocol: 'lchat-embed' },"
            + " { protocol: 'lchat-embed', kind: 'command', id: 1.5, name: 'leave' },"
            + " { protocol: 'lchat-embed', kind: 'command', id: 7, name: 'leave', args: 'x' }.constructor === Object"
            + " ? { protocol: 'lchat-embed', kind: 'command', name: 'leave' } : null])"
            + " w.postMessage(m, " + js(node) + "); })(window.meeting.iframe.contentWindow)");
        assertEquals("unknown_command", command(alice, "command('selfDestruct')"));
        assertEquals("invalid", command(alice, "sendChat('   ')"));
        assertEquals(null, command(alice, "sendChat('still here')"));
        awaitEvent(bob, "chatReceived", "d.text === 'still here'");

        // Bob leaves: his host hears it, and Alice's hears that he went.
        assertEquals(null, command(bob, "leave()"));
        awaitEvent(bob, "left", "d.reason === 'left'");
        awaitEvent(alice, "participantLeft", "d.participantId === " + js(bobId));
      }
      assertEquals(0, alice.eval(events("left") + ".length").asInt(), "Alice is still in the meeting");
      assertEquals(null, command(alice, "leave()"));
      awaitEvent(alice, "left", "d.reason === 'left'");
    }
  }

  @Test
  void theApiIsAlsoAnEsModuleThatAnotherSitesPageImports() throws Exception {
    String module = "http://127.0.0.1:" + node.httpPort() + "/external_api.mjs";
    try (Chromium.Page page = chromium.open(origin(host) + "/embed.html")) {
      page.waitFor("document.readyState === 'complete'", WAIT);
      JsonNode joined = page.eval("import(" + js(module) + ").then(m => new Promise(done => {"
          + " const meeting = new m.Meeting(document.getElementById('stage'), { room: 'embed-module', name: 'Eve' });"
          + " meeting.on('joined', done); }))");
      assertEquals("Eve", joined.path("displayName").asText(), joined.toString());
    }
  }

  @Test
  void anotherOriginCanNeitherFrameTheMeetingNorCommandItNorForgeItsEvents() throws Exception {
    String node = "http://127.0.0.1:" + EmbedApiBrowserIT.node.httpPort();
    // A host page on an origin the node does not allow: the browser refuses to show the meeting in its frame.
    try (Chromium.Page mallory = hostPage(other, "embed-foreign", "Mallory", "")) {
      mallory.waitFor("!!window.meeting", WAIT);
      long deadline = System.nanoTime() + WAIT.toNanos();
      JsonNode frame;
      while (true) {
        // Blocked by the node's frame-ancestors policy, Chromium shows its error page in the frame instead.
        frame = frame(mallory, node);
        if (frame != null && (frame.path("url").asText().startsWith("chrome-error:") || frame.has("unreachableUrl"))) {
          break;
        }
        assertTrue(System.nanoTime() < deadline, "the meeting's frame loaded on a foreign origin: " + frame);
        Thread.sleep(200);
      }
      assertEquals(0, mallory.eval("window.embedEvents.length").asInt(), "no event from a refused frame");
    }

    try (Chromium.Page alice = hostPage(host, "embed-forged", "Alice", "");
         Chromium.Page bob = hostPage(host, "embed-forged", "Bob", "")) {
      String aliceId = awaitEvent(alice, "joined", "true").path("participantId").asText();
      awaitEvent(bob, "joined", "true");
      awaitEvent(bob, "participantJoined", "d.participantId === " + js(aliceId));
      // A frame of the other origin inside Alice's host page (an advert, a widget) posts commands to the meeting's
      // frame and fake events to the host page.
      alice.eval("new Promise(done => { addEventListener('message', e => { if (e.data === 'forger-done') done(); });"
          + " const f = document.createElement('iframe'); f.src = " + js(origin(other) + "/forger.html")
          + "; document.body.append(f); })");
      // A real command after the forged ones: once its chat arrives, the forged ones would have arrived before it.
      assertEquals(null, command(alice, "sendChat('the real one')"));
      awaitEvent(bob, "chatReceived", "d.text === 'the real one'");
      assertEquals(0, bob.eval(events("chatReceived") + ".filter(e => e.data.text.includes('forged')).length")
          .asInt(), "a forged command was carried out");
      assertEquals(0, bob.eval(events("audioMuteStatusChanged") + ".length").asInt(), "a forged mute was carried out");
      assertEquals(0, alice.eval("window.embedEvents.filter(e => e.name === 'left' || e.data.text === 'forged event')"
          + ".length").asInt(), "the host page took a forged event");
      assertEquals(0, bob.eval(events("participantLeft") + ".length").asInt(), "a forged leave was carried out");
    }
  }
}
