package uk.co.lchat.node.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static uk.co.lchat.node.browser.MeetingPages.WAIT;
import static uk.co.lchat.node.browser.MeetingPages.click;
import static uk.co.lchat.node.browser.MeetingPages.q;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;

/**
 * Recording in the web client, in headless Chromium: a moderator starts it from the room settings, everyone in the
 * meeting (and whoever joins later) sees the recording indicator, others cannot stop it, and when the moderator
 * stops it the indicator goes for everyone; the moderator then finds it in the settings' list of recordings and its
 * link downloads the real file, while others get no list.
 */
class RecordingBrowserIT {
  private static LchatNode node;
  private static Chromium chromium;
  private static Path storage;

  @BeforeAll
  static void start() throws Exception {
    assertTrue(Chromium.available(), "Debian's chromium must be installed (.ci/run installs it)");
    storage = Files.createTempDirectory("lchat-recording-browser");
    // With p2p on, as by default: two people call each other directly until a recording moves them to the bridge.
    node = TestNodes.single(Map.of("lchat.egress.enabled", true, "lchat.egress.storage", storage.toString(),
        "lchat.room.features.recording", true, "lchat.room.features.p2p", true));
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
        // The participant list says so too, to a late joiner as to everyone.
        click(carol, "open-people");
        carol.waitFor(q("roster-recording") + "?.textContent.includes('Recording, started by Alice')", WAIT,
            q("people-list") + "?.textContent");
      }
      click(alice, "recording-stop");
      alice.waitFor("!(" + indicatorShown() + ")", WAIT);
      bob.waitFor("!(" + indicatorShown() + ")", WAIT);
      alice.waitFor(q("recording-start") + " !== null", WAIT);
    }
  }

  @Test
  void aModeratorDownloadsTheFinishedRecordingFromTheSettingsAndOthersGetNoList() throws Exception {
    try (Chromium.Page alice = MeetingPages.join(chromium, node, "ui-rec-files", "Alice");
         Chromium.Page bob = MeetingPages.join(chromium, node, "ui-rec-files", "Bob")) {
      click(alice, "open-settings");
      alice.waitFor(q("recordings-empty") + " !== null", WAIT, q("recordings") + "?.textContent");

      click(bob, "open-settings");
      bob.waitFor(q("recording-output") + " !== null", WAIT);
      assertTrue(bob.eval(q("recordings") + " === null").asBoolean(), "no list in a participant's settings");
      // Nor for one who asks the node directly.
      bob.eval("window.lchatMeeting.signaling.on('error', m => { window.refusedWith = m.code; })");
      bob.eval("window.lchatMeeting.signaling.send({ type: 'listRecordings' })");
      bob.waitFor("window.refusedWith === 'forbidden'", WAIT, "window.refusedWith");

      // Two people talk directly, past the router; a recording takes its tracks from the router, so when it
      // starts both move to the bridge and the recording gets their media.
      alice.waitFor("window.lchatMeeting.mode === 'p2p'", WAIT, "window.lchatMeeting.mode");
      bob.waitFor("window.lchatMeeting.mode === 'p2p'", WAIT, "window.lchatMeeting.mode");
      alice.eval(q("recording-output") + ".value = 'track:grid'");
      click(alice, "recording-start");
      alice.waitFor(indicatorShown(), WAIT);
      alice.waitFor("window.lchatMeeting.mode === 'bridge'", WAIT, "window.lchatMeeting.mode");
      bob.waitFor("window.lchatMeeting.mode === 'bridge'", WAIT, "window.lchatMeeting.mode");
      alice.waitFor(q("recording-running") + "?.textContent.includes('Recording')", WAIT,
          q("recordings") + "?.textContent");
      awaitRecordedBytes(storage.resolve("ui-rec-files"), 16 * 1024);
      click(alice, "recording-stop");
      alice.waitFor("!(" + indicatorShown() + ")", WAIT);
      alice.waitFor(q("recording-item") + "?.dataset.status === 'ended' && " + q("recording-file") + " !== null", WAIT,
          q("recordings") + "?.textContent");

      // The link as the browser follows it: no API key, the real file as an attachment.
      JsonNode fetched = alice.eval("fetch(" + q("recording-file") + ".href).then(async r => ({ status: r.status,"
          + " type: r.headers.get('Content-Type'), disposition: r.headers.get('Content-Disposition'),"
          + " head: [...new Uint8Array(await r.arrayBuffer()).slice(0, 4)] }))");
      assertEquals(200, fetched.get("status").asInt(), fetched.toString());
      assertTrue(fetched.get("type").asText().matches("(audio|video)/webm"), fetched.toString());
      assertTrue(fetched.get("disposition").asText().startsWith("attachment"), fetched.toString());
      // RFC 8794 §8.1: every EBML document, WebM included, starts with the EBML element's id 0x1A45DFA3.
      assertEquals("[26,69,223,163]", fetched.get("head").toString(), "a WebM file");

      String href = alice.eval(q("recording-file") + ".href").asText();
      Path downloaded = Files.createTempFile("lchat-download", ".webm");
      HttpResponse<Path> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(href)).build(),
          HttpResponse.BodyHandlers.ofFile(downloaded));
      assertEquals(200, response.statusCode());
      String codec = ffprobeCodec(downloaded);
      assertTrue(codec.equals("opus") || codec.equals("vp8"), "ffprobe reads a recorded track: " + codec);
    }
  }

  /** Waits until the room's recording has written {@code bytes} to one of its files: it has media to keep. */
  private static void awaitRecordedBytes(Path roomDirectory, long bytes) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (largestWebm(roomDirectory) < bytes) {
      assertTrue(System.nanoTime() < deadline, "no track file of " + bytes + " bytes under " + roomDirectory
          + " within " + WAIT);
      Thread.sleep(200);
    }
  }

  private static long largestWebm(Path dir) throws Exception {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(f -> f.toString().endsWith(".webm")).mapToLong(f -> f.toFile().length()).max().orElse(0);
    }
  }

  /** The codec of the file's first stream, as Debian's ffprobe reads it. */
  private static String ffprobeCodec(Path file) throws Exception {
    Process probe = new ProcessBuilder("ffprobe", "-v", "error", "-show_entries", "stream=codec_name", "-of",
        "csv=p=0", file.toString()).redirectErrorStream(true).start();
    String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertTrue(probe.waitFor(60, TimeUnit.SECONDS), "ffprobe did not finish");
    assertEquals(0, probe.exitValue(), out);
    return out.lines().findFirst().orElse("");
  }
}
