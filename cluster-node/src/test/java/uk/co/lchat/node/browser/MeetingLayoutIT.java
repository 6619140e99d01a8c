package uk.co.lchat.node.browser;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static uk.co.lchat.node.browser.MeetingPages.WAIT;
import static uk.co.lchat.node.browser.MeetingPages.myId;
import static uk.co.lchat.node.browser.MeetingPages.q;
import static uk.co.lchat.node.browser.MeetingPages.tile;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import uk.co.lchat.node.WsClient;

/**
 * Where the meeting page puts its video tiles: between the header and the toolbar, never over them, at every
 * participant count and window size, in tile and stage view, with a side panel open or not. The page under test
 * is a real meeting page with a fake camera; the second and third participants are real pages too (their video
 * arrives, directly and then through the bridge), the others join by signaling only: the client draws a tile for
 * every participant in the roster, with their initials until video comes.
 */
class MeetingLayoutIT extends SingleNodeBrowserTest {
  /** A desktop window, a small laptop's and a phone held upright. */
  private static final int[][] WINDOWS = {{1280, 760}, {1024, 640}, {390, 844}};
  /** How long a layout may take to settle after a change: a frame or two, on a loaded machine. */
  private static final Duration SETTLE = Duration.ofSeconds(5);

  /**
   * What is wrong with the page's layout now, as sentences (none: all is well). Every button of the toolbar and
   * header is what a click at its centre would reach; every tile lies inside the video area, which lies between
   * header and toolbar (in stage view the strip of small tiles may scroll sideways, so there only the strip's
   * height is checked); each tile's name label lies inside its tile and is on top wherever the tile is in view.
   */
  private static final String LAYOUT_PROBLEMS = """
      (expectedTiles => {
        const problems = [];
        const box = (el) => el.getBoundingClientRect().toJSON();
        const show = (r) => `[${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.right - r.left)}x`
          + `${Math.round(r.bottom - r.top)}]`;
        const inside = (r, o) => r.left >= o.left - 0.5 && r.right <= o.right + 0.5 && r.top >= o.top - 0.5
          && r.bottom <= o.bottom + 0.5;
        const describe = (el) => el ? (el.dataset.testid ? `[${el.dataset.testid}]`
          : `<${el.tagName.toLowerCase()}${el.className ? ` class="${el.className}"` : ''}>`) : 'nothing';
        const onTop = (el, what) => {
          const r = box(el);
          const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
          if (!el.contains(hit)) problems.push(`${what} ${show(r)}: a click at its centre lands on ${describe(hit)}`);
        };
        const header = document.querySelector('[data-testid="meeting"] > header');
        const toolbar = document.querySelector('[data-testid="meeting"] > footer.toolbar');
        const area = document.querySelector('[data-testid="stage-area"]');
        const grid = document.querySelector('[data-testid="tiles"]');
        const between = { left: 0, right: document.documentElement.clientWidth, top: box(header).bottom,
          bottom: box(toolbar).top };
        if (box(toolbar).bottom > innerHeight + 0.5) {
          problems.push(`the toolbar ${show(box(toolbar))} ends below the window's ${innerHeight} px`);
        }
        if (!inside(box(area), between)) {
          problems.push(`the video area ${show(box(area))} is not between header and toolbar ${show(between)}`);
        }
        for (const panel of document.querySelectorAll('[data-testid="sidebar"] > aside')) {
          if (!inside(box(panel), between)) {
            problems.push(`the ${panel.getAttribute('aria-label')} panel ${show(box(panel))} is not between`
              + ' header and toolbar');
          }
        }
        for (const b of toolbar.querySelectorAll('button')) onTop(b, `toolbar button ${b.dataset.testid}`);
        for (const b of header.querySelectorAll('button')) onTop(b, `header button ${b.dataset.testid}`);
        const tiles = [...document.querySelectorAll('[data-testid="tile"]')];
        if (tiles.length !== expectedTiles) problems.push(`${tiles.length} tiles, not ${expectedTiles}`);
        const strip = area.classList.contains('layout-stage');
        for (const t of tiles) {
          const what = `the tile of ${t.querySelector('.name').textContent} (${t.dataset.kind})`;
          const r = box(t);
          const inStrip = strip && t.parentElement === grid;
          const sideways = (o) => inStrip ? { ...o, left: -Infinity, right: Infinity } : o;
          if (!inside(r, sideways(between)) || !inside(r, sideways(box(area)))) {
            problems.push(`${what} ${show(r)} is not inside the video area ${show(box(area))}`);
          }
          if (inStrip && !inside(r, sideways(box(grid)))) {
            problems.push(`${what} ${show(r)} sticks out of the strip ${show(box(grid))}`);
          }
          const label = t.querySelector('.label');
          if (!inside(box(label), r)) problems.push(`${what}: its name label ${show(box(label))} is cut off`);
          if (inside(r, box(t.parentElement))) onTop(label, `${what}: its name label`);
        }
        return problems;
      })""";

  /** Checks the layout until it is right (it settles a frame after a change) or fails with what is wrong. */
  private static void fits(Chromium.Page page, int tiles, String situation) throws Exception {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    JsonNode problems;
    while (!(problems = page.eval(LAYOUT_PROBLEMS + "(" + tiles + ")")).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    if (!problems.isEmpty()) {
      page.screenshot(Path.of("target", "screenshots", "layout-failed.png"));
      throw new AssertionError(situation + " (target/screenshots/layout-failed.png): " + problems);
    }
  }

  /** Clicks a button with the mouse, at its centre, as a user would: it lands on whatever is on top there. */
  private static void press(Chromium.Page page, String testid) throws Exception {
    JsonNode r = page.eval("(r => ({ x: r.left + r.width / 2, y: r.top + r.height / 2 }))(" + q(testid)
        + ".getBoundingClientRect())");
    page.click(r.get("x").asDouble(), r.get("y").asDouble());
  }

  /**
   * At each window size: tile view, tile view beside the people panel, stage view, and stage view beside the
   * chat, switched with the mouse.
   */
  private static void fitsInEveryWindow(Chromium.Page page, int tiles) throws Exception {
    page.bringToFront();
    for (int[] window : WINDOWS) {
      String at = tiles + " in the meeting, " + window[0] + "x" + window[1] + ", ";
      page.viewport(window[0], window[1]);
      fits(page, tiles, at + "tile view");
      String screenshot = "layout-" + tiles + "-" + window[0] + "x" + window[1];
      page.screenshot(Path.of("target", "screenshots", screenshot + ".png"));
      press(page, "open-people");
      page.waitFor(q("people-panel") + " !== null", WAIT);
      fits(page, tiles, at + "tile view with the people panel open");
      press(page, "open-people");
      press(page, "toggle-layout");
      page.waitFor(q("stage-area") + ".classList.contains('layout-stage')", WAIT);
      fits(page, tiles, at + "stage view");
      press(page, "open-chat");
      page.waitFor(q("chat-panel") + " !== null", WAIT);
      fits(page, tiles, at + "stage view with the chat open");
      page.screenshot(Path.of("target", "screenshots", screenshot + "-stage-chat.png"));
      press(page, "open-chat");
      press(page, "toggle-layout");
      page.waitFor(q("stage-area") + ".classList.contains('layout-tile') && " + q("sidebar")
          + ".childElementCount === 0", WAIT);
    }
  }

  /** {@code page} shows {@code who}'s camera video in their tile (not their initials). */
  private static void showsVideoOf(Chromium.Page page, Chromium.Page who) throws Exception {
    String video = tile(myId(who), "camera") + "?.querySelector('video')";
    page.waitFor(video + "?.videoWidth > 0 && !" + video + ".classList.contains('hidden')", WAIT);
  }

  @Test
  void aloneInANewMeetingYourOwnTileLeavesEveryToolbarButtonClickable() throws Exception {
    try (Chromium.Page alice = MeetingPages.join(chromium, node, "layout-alone", "Alice")) {
      showsVideoOf(alice, alice);
      fitsInEveryWindow(alice, 1);
      alice.viewport(1280, 760);
      fits(alice, 1, "alone at 1280x760");
      // Alone, the tile still uses the room it has: nearly all of the area's height or width. The grid re-sizes its
      // tiles when its resize observer runs after the window changed, so this is awaited, not read once.
      String fills = "(() => { const t = " + q("tile") + ".getBoundingClientRect(), a = " + q("stage-area")
          + ".getBoundingClientRect(); return t.height >= 0.8 * a.height || t.width >= 0.8 * a.width; })()";
      try {
        alice.waitFor(fills, WAIT);
      } catch (AssertionError e) {
        throw new AssertionError("the tile fills the area: " + alice.eval("[" + q("tile") + ", " + q("stage-area")
            + "].map(e => e.getBoundingClientRect().toJSON())"), e);
      }
      // What the issue saw: a mouse click on Settings landed on the video lying over the toolbar.
      press(alice, "open-settings");
      alice.waitFor(q("settings-panel") + " !== null", WAIT);
      // Readable words only: no "null" printed for a section left out, no protocol flag names as labels.
      String settings = alice.eval(q("settings-content") + ".innerText").asText();
      for (String raw : List.of("null", "undefined", "raiseHand", "privateChat", "p2p", "sharedVideo")) {
        if (settings.contains(raw)) {
          throw new AssertionError("the settings panel shows '" + raw + "': " + settings);
        }
      }
      if (!settings.contains("Raising hands") || !settings.contains("Private messages")) {
        throw new AssertionError("the features have readable names: " + settings);
      }
      press(alice, "open-settings");
      alice.waitFor(q("settings-panel") + " === null", WAIT);
    }
  }

  @Test
  void withTwoThreeAndNinePeopleEveryTileStaysBetweenTheHeaderAndTheToolbar() throws Exception {
    String room = "layout-many";
    try (Chromium.Page alice = MeetingPages.join(chromium, node, room, "Alice");
         Chromium.Page bob = MeetingPages.join(chromium, node, room, "Bob")) {
      showsVideoOf(alice, bob);
      fitsInEveryWindow(alice, 2);
      try (Chromium.Page cat = MeetingPages.join(chromium, node, room, "Cat")) {
        showsVideoOf(alice, bob);
        showsVideoOf(alice, cat);
        fitsInEveryWindow(alice, 3);
        List<WsClient> others = new ArrayList<>();
        try {
          for (String name : List.of("Dan", "Eve", "Fay", "Gus", "Hal", "Ivy")) {
            WsClient client = new WsClient(node.httpPort());
            others.add(client);
            client.join(room, name);
          }
          alice.waitFor("document.querySelectorAll('[data-testid=\"tile\"]').length === 9", WAIT);
          showsVideoOf(alice, bob);
          showsVideoOf(alice, cat);
          fitsInEveryWindow(alice, 9);
        } finally {
          others.forEach(WsClient::close);
        }
      }
    }
  }
}
