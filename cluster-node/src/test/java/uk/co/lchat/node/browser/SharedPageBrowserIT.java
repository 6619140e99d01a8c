package uk.co.lchat.node.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static uk.co.lchat.node.browser.MeetingPages.WAIT;
import static uk.co.lchat.node.browser.MeetingPages.click;
import static uk.co.lchat.node.browser.MeetingPages.js;
import static uk.co.lchat.node.browser.MeetingPages.q;
import static uk.co.lchat.node.browser.MeetingPages.type;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;

/**
 * A shared web page in the web client, in headless Chromium: a small site of the test's own on loopback (pages A and
 * B, and one that refuses framing with X-Frame-Options: DENY), on the node's allow-list by its exact host, so the
 * node checks each page's framing before the room shows it. Every page's stage shows the shared page in a sandboxed
 * frame and follows the sharer to another page; a late joiner sees the current one; a refused page shows everyone a
 * message with a link instead of a blank frame; stopping (by the sharer, or a moderator) removes it everywhere; and
 * bad addresses get their sender a clear error while the others' page stays as it was.
 */
class SharedPageBrowserIT {
  private static final String ROOM = "ui-shared-page";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String FRAME = q("shared-page-frame");

  private static HttpServer site;
  private static ExecutorService siteThreads;
  private static LchatNode node;
  private static Chromium chromium;

  @BeforeAll
  static void startSiteNodeAndBrowser() throws Exception {
    assertTrue(Chromium.available(), "Debian's chromium must be installed (.ci/run installs it)");
    site = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    site.createContext("/a", x -> page(x, "Page A: the first shared page", Map.of()));
    site.createContext("/b", x -> page(x, "Page B: where the sharer went next", Map.of()));
    site.createContext("/refused", x -> page(x, "This page refuses to be framed", Map.of("X-Frame-Options", "DENY")));
    siteThreads = Executors.newFixedThreadPool(4);
    site.setExecutor(siteThreads);
    site.start();
    // PrivateAddresses: the node fetches a loopback page for its framing check only for a host named exactly.
    node = TestNodes.single(Map.of("lchat.room.shared-page.allowed-hosts", List.of("127.0.0.1")));
    chromium = Chromium.launch();
  }

  @AfterAll
  static void stopAll() throws Exception {
    if (chromium != null) {
      chromium.close();
    }
    if (node != null) {
      node.close();
    }
    if (site != null) {
      site.stop(0);
      siteThreads.shutdownNow();
    }
  }

  private static void page(HttpExchange x, String text, Map<String, String> headers) throws java.io.IOException {
    byte[] body = ("<!doctype html><html><head><meta charset=\"utf-8\"><title>" + text + "</title></head><body><h1>"
        + text + "</h1></body></html>").getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
    headers.forEach((k, v) -> x.getResponseHeaders().set(k, v));
    x.sendResponseHeaders(200, body.length);
    try (var out = x.getResponseBody()) {
      out.write(body);
    }
  }

  private static String site(String path) {
    return "http://127.0.0.1:" + site.getAddress().getPort() + path;
  }

  private static Chromium.Page join(String name) throws Exception {
    return MeetingPages.join(chromium, node, ROOM, name);
  }

  private static String diagnosis() {
    return "JSON.stringify({ shared: " + q("shared-page") + "?.dataset, frame: " + FRAME + "?.src, refused: "
        + q("shared-page-refused") + "?.textContent, toast: " + q("toast") + "?.textContent })";
  }

  /** Shares {@code url} as a user does: the toolbar's button (or the stage's, to go elsewhere), the prompt, Share. */
  private static void share(Chromium.Page page, String button, String url) throws Exception {
    click(page, button);
    page.waitFor(q("share-page-dialog") + ".open", WAIT);
    type(page, "share-page-url", url);
    click(page, "share-page-submit");
  }

  /** The page's stage shows {@code url} in its sandboxed frame, with the page's own text in it. */
  private static void waitForFrame(Chromium.Page page, String url, String text) throws Exception {
    page.waitFor(FRAME + "?.src === " + js(url) + " && " + q("stage") + ".contains(" + FRAME + ") && "
        + q("shared-page-refused") + " === null", WAIT, diagnosis());
    String sandbox = page.eval(FRAME + ".getAttribute('sandbox')").asText();
    assertEquals("allow-scripts allow-same-origin allow-forms allow-popups", sandbox);
    assertFalse(sandbox.contains("top-navigation"));
    assertEquals("no-referrer", page.eval(FRAME + ".referrerPolicy").asText());
    awaitFrameText(page, url, text);
  }

  /**
   * The frame's document is of another origin (the site's port), out of the meeting page's reach: DevTools reads
   * its text in a world of its own in that frame.
   */
  private static void awaitFrameText(Chromium.Page page, String url, String text) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    String seen = null;
    while (System.nanoTime() < deadline) {
      seen = frameText(page, url);
      if (seen != null && seen.contains(text)) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the frame at " + url + " never showed '" + text + "'; it had " + seen);
  }

  private static String frameText(Chromium.Page page, String url) throws Exception {
    JsonNode tree = page.call("Page.getFrameTree", JSON.createObjectNode()).path("frameTree");
    for (JsonNode child : tree.path("childFrames")) {
      JsonNode frame = child.path("frame");
      if (!url.equals(frame.path("url").asText())) {
        continue;
      }
      JsonNode world = page.call("Page.createIsolatedWorld", JSON.createObjectNode()
          .put("frameId", frame.path("id").asText()).put("worldName", "lchat-test"));
      ObjectNode evaluate = JSON.createObjectNode().put("expression", "document.body ? document.body.innerText : ''")
          .put("contextId", world.path("executionContextId").asInt()).put("returnByValue", true);
      return page.call("Runtime.evaluate", evaluate).path("result").path("value").asText();
    }
    return null;
  }

  private static void waitForRefused(Chromium.Page page, String url) throws Exception {
    page.waitFor(q("shared-page-refused") + " !== null && " + FRAME + " === null && " + q("shared-page-link")
        + ".href === " + js(url) + " && " + q("stage") + ".contains(" + q("shared-page") + ")", WAIT, diagnosis());
    String message = page.eval(q("shared-page-refused") + ".textContent").asText();
    assertTrue(message.contains("does not allow its pages to be shown inside other sites"), message);
    assertTrue(message.contains("X-Frame-Options"), message);
    assertEquals("_blank", page.eval(q("shared-page-link") + ".target").asText());
    assertEquals(url, page.eval(q("shared-page-link") + ".textContent").asText());
  }

  private static void waitForNoPage(Chromium.Page page) throws Exception {
    page.waitFor(q("shared-page") + " === null && " + FRAME + " === null", WAIT, diagnosis());
  }

  /** {@code page} tried to share {@code url}: its prompt says why not, and stays open for another address. */
  private static void refusedWith(Chromium.Page page, String url, String why) throws Exception {
    share(page, "share-page", url);
    page.waitFor(q("share-page-error") + ".textContent.includes(" + js(why) + ")", WAIT,
        "JSON.stringify({ error: " + q("share-page-error") + ".textContent, status: " + q("share-page-status")
            + ".textContent, toast: " + q("toast") + "?.textContent })");
    assertTrue(page.eval(q("share-page-dialog") + ".open").asBoolean());
    click(page, "share-page-cancel");
    page.waitFor("!" + q("share-page-dialog") + ".open", WAIT);
  }

  @Test
  void everyoneSeesTheSharedPageFollowsTheSharerLateJoinersSeeItARefusedPageShowsALinkAndStopClearsIt()
      throws Exception {
    String a = site("/a");
    String b = site("/b");
    String refused = site("/refused");
    // Alice joins first: the moderator. Bob's name is markup, which must show as text.
    String bobName = "Bob <i>B</i>";
    try (Chromium.Page alice = join("Alice"); Chromium.Page bob = join(bobName)) {
      try (Chromium.Page cat = join("Cat")) {
        List<Chromium.Page> everyone = List.of(alice, bob, cat);
        for (Chromium.Page p : everyone) {
          p.waitFor(q("share-page") + " !== null && !" + q("share-page") + ".classList.contains('hidden')", WAIT);
        }
        share(bob, "share-page", a);
        for (Chromium.Page p : everyone) {
          waitForFrame(p, a, "Page A: the first shared page");
          // On stage, like a presentation: no tile there.
          assertEquals(0, p.eval("document.querySelectorAll('[data-testid=\"stage\"] [data-testid=\"tile\"]')"
              + ".length").asInt());
        }
        bob.waitFor("!" + q("share-page-dialog") + ".open", WAIT);
        cat.waitFor(q("shared-page-by") + ".textContent === " + js(bobName + " is sharing"), WAIT, diagnosis());
        assertEquals(0, cat.eval(q("shared-page-by") + ".querySelectorAll('*').length").asInt(),
            "the sharer's name is text, not markup");
        assertTrue(cat.eval(q("shared-page-stop") + ".classList.contains('hidden')").asBoolean(),
            "Cat neither shares nor moderates");
        assertFalse(alice.eval(q("shared-page-stop") + ".classList.contains('hidden')").asBoolean(),
            "Alice moderates");

        // The sharer goes to another page: everyone follows.
        share(bob, "shared-page-navigate", b);
        for (Chromium.Page p : everyone) {
          waitForFrame(p, b, "Page B: where the sharer went next");
        }
        bob.screenshot(Path.of("target", "screenshots", "shared-page-b.png"));

        // Bad addresses get Cat a clear error; the others' page stays as it was.
        refusedWith(cat, "javascript:alert(document.cookie)", "Only http:// and https:// pages can be shared");
        refusedWith(cat, "http://localhost:" + site.getAddress().getPort() + "/a", "may not be shared here");
        refusedWith(cat, a, "Someone else is sharing a page");
        for (Chromium.Page p : everyone) {
          waitForFrame(p, b, "Page B: where the sharer went next");
        }
        for (Chromium.Page p : List.of(alice, bob)) {
          assertFalse(p.eval("(" + q("toast") + "?.textContent || '')").asText().contains("shared"),
              "Cat's refusals are Cat's alone");
        }
      }

      // A late joiner sees the page the sharer is on now.
      try (Chromium.Page dan = join("Dan")) {
        waitForFrame(dan, b, "Page B: where the sharer went next");
        List<Chromium.Page> everyone = List.of(alice, bob, dan);

        // A site that refuses framing: a message and a link everywhere, no blank frame.
        share(bob, "shared-page-navigate", refused);
        for (Chromium.Page p : everyone) {
          waitForRefused(p, refused);
        }
        dan.screenshot(Path.of("target", "screenshots", "shared-page-refused.png"));

        // The sharer stops: gone from every stage.
        click(bob, "shared-page-stop");
        for (Chromium.Page p : everyone) {
          waitForNoPage(p);
        }

        // A moderator stops someone else's share.
        share(dan, "share-page", a);
        for (Chromium.Page p : everyone) {
          waitForFrame(p, a, "Page A: the first shared page");
        }
        click(alice, "shared-page-stop");
        for (Chromium.Page p : everyone) {
          waitForNoPage(p);
        }
      }
    }
  }
}
