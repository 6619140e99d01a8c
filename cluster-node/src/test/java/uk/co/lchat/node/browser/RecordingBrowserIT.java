package uk.co.lchat.node.browser;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static uk.co.lchat.node.browser.MeetingPages.WAIT;
import static uk.co.lchat.node.browser.MeetingPages.click;
import static uk.co.lchat.node.browser.MeetingPages.q;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;

/**
 * Recording in the web client, in headless Chromium: a moderator starts it from the room settings, everyone in the
 * meeting (and whoever joins later) sees the recording indicator, others cannot stop it, and when the moderator
 * stops it the indicator goes for everyone.
 */
class RecordingBrowserIT {
  private static LchatNode node;
  private static Chromium chromium;

  @BeforeAll
  static void start() throws Exception {
    assertTrue(Chromium.available(), "Debian's chromium must be installed (.ci/run installs it)");
    Path storage = Files.createTempDirectory("lchat-recording-browser");
    node = TestNodes.single(Map.of("lchat.egress.enabled", true, "lchat.egress.storage", storage.toString(),
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
  }

  private static String indicatorShown() {
    return q("recording-indicator") + " !== null && !" + q("recording-indicator") + ".classList.contains('hidden')";
  }

  @Test
  void aModeratorRecordsFromTheSettingsAndEveryoneSeesItUntilItStops() throws Exception {
    try (Chromium.Page alice = MeetingPages.join(chromium, node, "ui-rec", "Alice");
         Chromium.Page bob = MeetingPages.join(chromium, node, "ui-rec", "Bob")) {
      bob.waitFor("!(" + indicatorShown() + ")", WAIT);
      click(alice, "open-settings");
      alice.waitFor(q("recording-output") + " !== null", WAIT);
      // Each person's tracks on their own: the lightest recording, which is all this test needs.
      alice.eval(q("recording-output") + ".value = 'track:grid'");
      click(alice, "recording-start");
      alice.waitFor(indicatorShown(), WAIT);
      bob.waitFor(indicatorShown(), WAIT);
      click(bob, "open-settings");
      bob.waitFor(q("recording-stop") + " !== null && " + q("recording-stop") + ".disabled", WAIT);
      try (Chromium.Page carol = MeetingPages.join(chromium, node, "ui-rec", "Carol")) {
        carol.waitFor(indicatorShown(), WAIT);
      }
      click(alice, "recording-stop");
      alice.waitFor("!(" + indicatorShown() + ")", WAIT);
      bob.waitFor("!(" + indicatorShown() + ")", WAIT);
      alice.waitFor(q("recording-start") + " !== null", WAIT);
    }
  }
}
