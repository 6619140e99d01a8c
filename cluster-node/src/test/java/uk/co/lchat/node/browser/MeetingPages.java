package uk.co.lchat.node.browser;

import java.time.Duration;

import uk.co.lchat.node.LchatNode;

/**
 * Pages of the web meeting client, driven through data-testid attributes as a user would through the controls:
 * open a meeting's pre-join page, type a name, press Join.
 */
final class MeetingPages {
  static final Duration WAIT = Duration.ofSeconds(45);

  private MeetingPages() {}

  /** The element with this data-testid, as a JavaScript expression. */
  static String q(String testid) {
    return "document.querySelector('[data-testid=\"" + testid + "\"]')";
  }

  static void click(BrowserPage page, String testid) throws Exception {
    page.waitFor(q(testid) + " !== null", WAIT);
    page.eval(q(testid) + ".click()");
  }

  static void type(BrowserPage page, String testid, String text) throws Exception {
    page.waitFor(q(testid) + " !== null", WAIT);
    page.eval("(el => { el.value = " + js(text) + "; el.dispatchEvent(new Event('input')); })(" + q(testid) + ")");
  }

  /** The participant id {@code page} joined as. */
  static String myId(BrowserPage page) throws Exception {
    return page.eval("window.lchatMeeting.myId").asText();
  }

  /** A participant's tile of this kind (camera or screen), as a JavaScript expression. */
  static String tile(String participantId, String kind) {
    return "document.querySelector('[data-testid=\"tile\"][data-participant=\"" + participantId
        + "\"][data-kind=\"" + kind + "\"]')";
  }

  /** A JavaScript string literal. */
  static String js(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /** A new tab on the pre-join page of {@code room}, 1280x720. */
  static Chromium.Page open(Chromium chromium, LchatNode node, String room) throws Exception {
    Chromium.Page page = chromium.open("http://127.0.0.1:" + node.httpPort() + "/" + room);
    page.viewport(1280, 720);
    page.waitFor(q("prejoin") + " !== null", WAIT);
    return page;
  }

  /** Opens the meeting's page, fills in the name and presses Join; returns once in the meeting. */
  static Chromium.Page join(Chromium chromium, LchatNode node, String room, String name) throws Exception {
    Chromium.Page page = open(chromium, node, room);
    enter(page, name);
    return page;
  }

  /** On a page that shows the pre-join form: fills in the name and presses Join; returns once in the meeting. */
  static void enter(BrowserPage page, String name) throws Exception {
    page.waitFor(q("prejoin") + " !== null", WAIT);
    type(page, "display-name", name);
    click(page, "join");
    page.waitFor(q("meeting") + " !== null", WAIT);
  }
}
