package uk.co.lchat.node.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static uk.co.lchat.node.browser.MeetingPages.WAIT;
import static uk.co.lchat.node.browser.MeetingPages.click;
import static uk.co.lchat.node.browser.MeetingPages.js;
import static uk.co.lchat.node.browser.MeetingPages.q;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

import uk.co.lchat.node.presentation.TestPdfs;
import uk.co.lchat.node.presentation.TestPictures;

/**
 * A presented PDF in the web client, in headless Chromium: pdf.js (served by the node) renders the room's page on
 * every page's stage, follows the presenter's buttons and arrow keys and the pointer, late joiners land on the
 * current page, and after stop the file is gone from the node.
 */
class PresentationBrowserIT extends SingleNodeBrowserTest {
  private static final String ROOM = "ui-slides";
  private static final String SHOWN = q("presentation") + "?.dataset.renderedPage";

  private static Chromium.Page join(String name) throws Exception {
    return MeetingPages.join(chromium, node, ROOM, name);
  }

  /**
   * pdf.js draws in animation frames, which a browser gives only to the tab in front (a user's background tab
   * draws when it comes back): each page is brought to front to be looked at.
   */
  private static void waitForPage(Chromium.Page page, int number) throws Exception {
    page.bringToFront();
    page.waitFor(SHOWN + " === '" + number + "' && " + q("presentation") + ".dataset.page === '" + number + "'",
        WAIT, "JSON.stringify({ dataset: " + q("presentation") + "?.dataset, status: " + q("presentation-status")
            + "?.textContent, toast: " + q("toast") + "?.textContent })");
  }

  /** Dark pixels on the rendered page: pdf.js drew the page's text, not an empty canvas. */
  private static int inkOn(Chromium.Page page) throws Exception {
    return page.eval("(c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;"
        + " for (let i = 0; i < d.length; i += 4) if (d[i] < 100 && d[i + 3] > 0) n++; return n; })("
        + q("presentation-canvas") + ")").asInt();
  }

  @Test
  void everyoneSeesThePresentersPageLateJoinersLandOnItAndAfterStopTheFileIsGone() throws Exception {
    String pdf = Base64.getEncoder().encodeToString(TestPdfs.pages(3));
    try (Chromium.Page alice = join("Alice"); Chromium.Page bob = join("Bob")) {
      String url;
      try (Chromium.Page cat = join("Cat")) {
        List<Chromium.Page> everyone = List.of(alice, bob, cat);
        alice.waitFor(q("present-pdf") + " !== null && !" + q("present-pdf") + ".disabled", WAIT);
        // The file chooser is the browser's; the chosen file goes to the same upload.
        alice.eval("window.lchatMeeting.presentation.upload(new File([Uint8Array.from(atob(" + js(pdf)
            + "), c => c.charCodeAt(0))], 'deck.pdf', { type: 'application/pdf' }))");
        for (Chromium.Page p : everyone) {
          waitForPage(p, 1);
          assertEquals("3", p.eval(q("presentation") + ".dataset.pageCount").asText());
          // On stage, like a screen share: no tile there.
          p.waitFor(q("stage") + ".contains(" + q("presentation") + ") && document.querySelectorAll("
              + "'[data-testid=\"stage\"] [data-testid=\"tile\"]').length === 0", WAIT);
        }
        bob.bringToFront();
        if (inkOn(bob) < 50) {
          throw new AssertionError("Bob's page 1 looks empty");
        }
        assertEquals(true, bob.eval(q("presentation-next") + ".disabled").asBoolean(), "Bob is not in control");
        click(alice, "presentation-next");
        for (Chromium.Page p : everyone) {
          waitForPage(p, 2);
        }
        alice.eval("window.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight' }))");
        for (Chromium.Page p : everyone) {
          waitForPage(p, 3);
        }
        alice.screenshot(Path.of("target", "screenshots", "presentation-page-3.png"));
        // The shared pointer reaches the others.
        alice.eval("window.lchatMeeting.signaling.send({ type: 'presentation', action: 'pointer',"
            + " pointer: { x: 0.5, y: 0.25 } })");
        cat.waitFor(q("presentation") + ".dataset.pointer === '0.500,0.250' && !" + q("presentation-pointer")
            + ".classList.contains('hidden')", WAIT);
      }
      try (Chromium.Page dan = join("Dan")) {
        waitForPage(dan, 3);
        url = dan.eval("window.lchatMeeting.presentation.state.url").asText();
        click(alice, "presentation-stop");
        for (Chromium.Page p : List.of(alice, bob, dan)) {
          p.waitFor(q("presentation") + " === null", WAIT);
        }
        String token = bob.eval("window.lchatMeeting.signaling.token").asText();
        String bobId = bob.eval("window.lchatMeeting.myId").asText();
        HttpResponse<String> gone = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + node.httpPort() + url))
            .header("Authorization", "Bearer " + token).header("Lchat-Participant", bobId).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(404, gone.statusCode(), gone.body());
        assertEquals(0, node.presentations().size(), "the node holds no presented document after stop");
      }
    }
  }

  private static double aspect(Chromium.Page page) throws Exception {
    return page.eval("(c => c.width / c.height)(" + q("presentation-canvas") + ")").asDouble();
  }

  @Test
  void slidesChosenAsPicturesArePresentedInFileNameOrder() throws Exception {
    String slide1 = Base64.getEncoder().encodeToString(TestPictures.slide(1, 640, 360, "png"));
    // Told apart by their shapes: the first 16:9, the second 4:3.
    String slide2 = Base64.getEncoder().encodeToString(TestPictures.slide(2, 640, 480, "jpg"));
    try (Chromium.Page alice = join("Alice"); Chromium.Page bob = join("Bob")) {
      alice.waitFor(q("present-pdf") + " !== null && !" + q("present-pdf") + ".disabled", WAIT);
      // Chosen in the wrong order: the client sends them by file name, numerically (2 before 10).
      alice.eval("(() => { const f = (b, name, type) => new File([Uint8Array.from(atob(b), c => c.charCodeAt(0))],"
          + " name, { type }); return window.lchatMeeting.presentation.upload([f(" + js(slide2)
          + ", 'slide-10.jpg', 'image/jpeg'), f(" + js(slide1) + ", 'slide-2.png', 'image/png')]); })()");
      for (Chromium.Page p : List.of(alice, bob)) {
        waitForPage(p, 1);
        assertEquals("2", p.eval(q("presentation") + ".dataset.pageCount").asText());
      }
      bob.bringToFront();
      if (inkOn(bob) < 50) {
        throw new AssertionError("Bob's slide 1 looks empty");
      }
      assertEquals(1.78, aspect(bob), 0.05, "page 1 is slide-2.png, the 16:9 one");
      click(alice, "presentation-next");
      for (Chromium.Page p : List.of(alice, bob)) {
        waitForPage(p, 2);
      }
      assertEquals(1.33, aspect(bob), 0.05, "page 2 is slide-10.jpg, the 4:3 one");
      click(alice, "presentation-stop");
      for (Chromium.Page p : List.of(alice, bob)) {
        p.waitFor(q("presentation") + " === null", WAIT);
      }
    }
  }
}
