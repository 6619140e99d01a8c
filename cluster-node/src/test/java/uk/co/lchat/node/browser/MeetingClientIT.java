package uk.co.lchat.node.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static uk.co.lchat.node.browser.MeetingPages.WAIT;
import static uk.co.lchat.node.browser.MeetingPages.click;
import static uk.co.lchat.node.browser.MeetingPages.js;
import static uk.co.lchat.node.browser.MeetingPages.myId;
import static uk.co.lchat.node.browser.MeetingPages.q;
import static uk.co.lchat.node.browser.MeetingPages.tile;
import static uk.co.lchat.node.browser.MeetingPages.type;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import uk.co.lchat.node.TestNodes;

/** The web meeting client, driven through its own buttons in headless Chromium with fake camera and microphone. */
class MeetingClientIT extends SingleNodeBrowserTest {
  private Chromium.Page open(String room) throws Exception {
    return MeetingPages.open(chromium, node, room);
  }

  private Chromium.Page join(String room, String name) throws Exception {
    return MeetingPages.join(chromium, node, room, name);
  }

  /** Joins with end-to-end encryption on and this passphrase. */
  private Chromium.Page joinEncrypted(String room, String name, String passphrase) throws Exception {
    Chromium.Page page = open(room);
    type(page, "display-name", name);
    click(page, "e2ee");
    type(page, "e2ee-passphrase", passphrase);
    click(page, "join");
    page.waitFor(q("meeting") + " !== null", WAIT);
    page.waitFor(q("e2ee-indicator") + " !== null", WAIT);
    return page;
  }

  /** What this page decodes: frames per remote video track and audio energy per remote audio track. */
  private static final String MEDIA = "window.lchatMeeting.mediaStats().then(s => ({"
      + "videos: s.inbound.filter(r => r.kind === 'video' && r.framesDecoded > 20).length,"
      + "audios: s.inbound.filter(r => r.kind === 'audio' && r.totalAudioEnergy > 0).length}))";

  private static void waitForMedia(Chromium.Page page, int videos, int audios) throws Exception {
    try {
      page.waitFor(MEDIA + ".then(m => m.videos >= " + videos + " && m.audios >= " + audios + ")", WAIT);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; media " + page.eval(MEDIA) + "; " + page.eval(
          "(async m => JSON.stringify({mode: m.mode, p2p: m.p2p && [m.p2p.pc.connectionState, m.p2p.pc.signalingState,"
          + " m.p2p.polite, m.p2p.events], inbound: (await m.mediaStats()).inbound.map(r => [r.kind, r.packetsReceived,"
          + " r.framesDecoded, r.totalAudioEnergy])}))(window.lchatMeeting)"), e);
    }
  }

  // ---- tests ------------------------------------------------------------------------------------------------------

  @Test
  void startPageCreatesAMeetingWithAReadableNameAndBrandingComesFromTheNode() throws Exception {
    try (Chromium.Page page = chromium.open("http://127.0.0.1:" + node.httpPort() + "/")) {
      page.waitFor(q("create") + " !== null", WAIT);
      assertEquals("Lunar Chat", page.eval("document.title").asText());
      assertEquals("Lunar Chat", page.eval(q("brand") + ".textContent").asText());
      click(page, "create");
      page.waitFor(q("prejoin") + " !== null", WAIT);
      String path = page.eval("location.pathname").asText();
      assertTrue(path.matches("/[a-z]+-[a-z]+-[a-z]+-\\d+"), path);
      assertEquals("#4f7cff", page.eval("getComputedStyle(document.documentElement)"
          + ".getPropertyValue('--accent').trim()").asText());
    }
    JsonNode config = TestNodes.getJson(node.httpPort(), "/api/config");
    assertEquals("Lunar Chat", config.get("productName").asText());
  }

  @Test
  void twoThenThreeParticipantsSeeAndHearEachOtherAndMuteShowsOnTheOtherSide() throws Exception {
    try (Chromium.Page alice = join("ui-three", "Alice"); Chromium.Page bob = join("ui-three", "Bob")) {
      try {
        waitForMedia(alice, 1, 1);
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + " BOB " + bob.eval("JSON.stringify(window.lchatMeeting.p2p?.events)"));
      }
      waitForMedia(bob, 1, 1);
      String bobId = myId(bob);
      // Bob mutes; Alice's tile for Bob shows it.
      click(bob, "toggle-mic");
      alice.waitFor(tile(bobId, "camera") + "?.querySelector('[data-testid=\"muted-audio\"]') != null", WAIT);
      click(bob, "toggle-mic");
      alice.waitFor(tile(bobId, "camera") + "?.querySelector('[data-testid=\"muted-audio\"]') == null", WAIT);
      try (Chromium.Page cat = join("ui-three", "Cat")) {
        waitForMedia(cat, 2, 2);
        waitForMedia(alice, 2, 2);
        waitForMedia(bob, 2, 2);
        assertEquals("3 in the meeting", alice.eval(q("participant-count") + ".textContent").asText());
        // Connection indicators fill in from getStats().
        alice.waitFor(tile(bobId, "camera") + ".querySelector('[data-testid=\"tile-stats\"]').dataset.kbps > 0",
            WAIT);
        alice.screenshot(Path.of("target", "screenshots", "meeting-tile-view.png"));
        click(alice, "toggle-layout");
        alice.waitFor("document.querySelectorAll('[data-testid=\"stage\"] [data-testid=\"tile\"]').length === 1",
            WAIT);
        alice.screenshot(Path.of("target", "screenshots", "meeting-stage-view.png"));
        // Pinning puts a tile on stage and asks the server to always send that participant's video (last-N).
        alice.eval("(() => { const s = window.lchatMeeting.signaling; const send = s.send.bind(s); s.sent = [];"
            + " s.send = (m) => { s.sent.push(m); send(m); }; })()");
        alice.eval(tile(myId(cat), "camera") + ".querySelector('[data-testid=\"pin\"]').click()");
        alice.waitFor(tile(myId(cat), "camera") + ".dataset.onStage === 'true'", WAIT);
        assertEquals("[\"" + myId(cat) + "\"]", alice.eval("JSON.stringify(window.lchatMeeting.signaling.sent"
            + ".find(m => m.type === 'receiverConstraints').pinned)").asText());
        // A phone-sized window still shows the meeting and its controls.
        alice.viewport(390, 844);
        alice.waitFor(q("leave") + ".getBoundingClientRect().bottom <= 844", WAIT);
        alice.screenshot(Path.of("target", "screenshots", "meeting-narrow.png"));
      }
    }
  }

  @Test
  void groupChatReachesEveryonePrivateChatOnlyItsRecipient() throws Exception {
    try (Chromium.Page alice = join("ui-chat", "Alice"); Chromium.Page bob = join("ui-chat", "Bob");
         Chromium.Page cat = join("ui-chat", "Cat")) {
      click(alice, "open-chat");
      type(alice, "chat-input", "hello all");
      click(alice, "chat-send");
      for (Chromium.Page p : new Chromium.Page[] {bob, cat}) {
        p.waitFor(q("chat-unread") + ".textContent === '1'", WAIT);
        click(p, "open-chat");
        p.waitFor("[...document.querySelectorAll('[data-testid=\"chat-message\"]')]"
            + ".some(m => m.textContent.includes('hello all'))", WAIT);
      }
      String bobId = myId(bob);
      alice.eval("(s => { s.value = '" + bobId + "'; })(" + q("chat-to") + ")");
      type(alice, "chat-input", "just for bob");
      click(alice, "chat-send");
      bob.waitFor("[...document.querySelectorAll('[data-testid=\"chat-message\"][data-private=\"true\"]')]"
          + ".some(m => m.textContent.includes('just for bob'))", WAIT);
      alice.waitFor("document.body.textContent.includes('just for bob')", WAIT);
      Thread.sleep(1000);
      assertTrue(!cat.eval("document.body.textContent.includes('just for bob')").asBoolean(),
          "a private message does not reach a third participant");
    }
  }

  @Test
  void raisedHandsShowInOrderAndTheModeratorCanLowerThem() throws Exception {
    try (Chromium.Page alice = join("ui-hands", "Alice"); Chromium.Page bob = join("ui-hands", "Bob");
         Chromium.Page cat = join("ui-hands", "Cat")) {
      click(cat, "toggle-hand");
      cat.waitFor(q("toggle-hand") + ".getAttribute('aria-pressed') === 'true'", WAIT);
      click(bob, "toggle-hand");
      click(alice, "open-people");
      String hands = "[...document.querySelectorAll('[data-testid=\"hand-position\"]')].map(e => e.closest("
          + "'[data-testid=\"person\"]').dataset.participant + e.textContent.trim()).join(',')";
      String expected = myId(cat) + "✋ 1," + myId(bob) + "✋ 2";
      alice.waitFor(hands + ".split(',').sort().join(',') === " + js(expected) + ".split(',').sort().join(',')",
          WAIT);
      alice.waitFor(tile(myId(bob), "camera") + ".querySelector('[data-testid=\"hand\"]') !== null", WAIT);
      alice.eval("document.querySelector('[data-testid=\"person\"][data-participant=\"" + myId(cat)
          + "\"] [data-testid=\"lower-hand\"]').click()");
      cat.waitFor(q("toggle-hand") + ".getAttribute('aria-pressed') === 'false'", WAIT);
    }
  }

  @Test
  void aPasscodeIsRefusedWhenMissingOrWrongAndAcceptedWhenRight() throws Exception {
    try (Chromium.Page alice = join("ui-passcode", "Alice")) {
      click(alice, "open-settings");
      type(alice, "new-passcode", "moon-42");
      click(alice, "set-passcode");
      alice.waitFor("document.body.textContent.includes('A passcode is set.')", WAIT);
      try (Chromium.Page bob = open("ui-passcode")) {
        type(bob, "display-name", "Bob");
        click(bob, "join");
        bob.waitFor(q("prejoin-status") + ".dataset.code === 'passcode_required'", WAIT);
        bob.waitFor("!" + q("passcode-row") + ".classList.contains('hidden')", WAIT);
        type(bob, "passcode", "sun-1");
        click(bob, "join");
        bob.waitFor(q("prejoin-status") + ".dataset.code === 'passcode_wrong'", WAIT);
        type(bob, "passcode", "moon-42");
        click(bob, "join");
        bob.waitFor(q("meeting") + " !== null", WAIT);
      }
    }
  }

  @Test
  void aModeratorSetsHowManyVideosEachPersonReceives() throws Exception {
    try (Chromium.Page alice = join("ui-lastn", "Alice"); Chromium.Page bob = join("ui-lastn", "Bob")) {
      click(alice, "open-settings");
      alice.waitFor(q("last-n") + ".value === '25'", WAIT);
      alice.eval("(el => { el.value = '3'; el.dispatchEvent(new Event('change')); })(" + q("last-n") + ")");
      bob.waitFor("window.lchatMeeting.settings.lastN === 3", WAIT);
      click(bob, "open-settings");
      bob.waitFor(q("last-n") + ".value === '3' && " + q("last-n") + ".disabled", WAIT);
    }
  }

  @Test
  void lobbyKnockersWaitAndAreAdmittedOrDenied() throws Exception {
    try (Chromium.Page alice = join("ui-lobby", "Alice")) {
      click(alice, "open-settings");
      click(alice, "lobby-toggle");
      alice.waitFor(q("lobby-toggle") + ".checked", WAIT);
      try (Chromium.Page bob = open("ui-lobby"); Chromium.Page cat = open("ui-lobby")) {
        type(bob, "display-name", "Bob");
        click(bob, "join");
        bob.waitFor(q("lobby") + " !== null", WAIT);
        assertTrue(bob.eval(q("tiles") + " === null").asBoolean(), "a waiting person sees nothing of the room");
        alice.waitFor(q("lobby-count") + ".textContent === '1'", WAIT);
        click(alice, "open-people");
        click(alice, "admit");
        bob.waitFor(q("meeting") + " !== null", WAIT);
        type(cat, "display-name", "Cat");
        click(cat, "join");
        cat.waitFor(q("lobby") + " !== null", WAIT);
        alice.waitFor(q("deny") + " !== null", WAIT);
        click(alice, "deny");
        cat.waitFor(q("ended-message") + "?.dataset.code === 'denied'", WAIT);
      }
    }
  }

  @Test
  void aWhepViewerIsListedAsWatchingAndTheModeratorCanRemoveIt() throws Exception {
    try (Chromium.Page alice = join("ui-whep", "Alice");
         Chromium.Page player = chromium.open("http://127.0.0.1:" + node.httpPort() + "/e2e/whep.html?room=ui-whep")) {
      player.waitFor("window.lchatTest && (window.lchatTest.watching || window.lchatTest.errors.length > 0)", WAIT);
      assertTrue(player.eval("window.lchatTest.errors").isEmpty(), player.eval("window.lchatTest.errors").toString());
      String viewer = player.eval("window.lchatTest.participantId").asText();
      String viewerRow = "document.querySelector('[data-testid=\"person\"][data-participant=\"" + viewer + "\"]')";
      click(alice, "open-people");
      alice.waitFor(q("viewers-heading") + "?.textContent === 'Watching (1)'", WAIT);
      alice.waitFor(viewerRow + "?.dataset.viewer === 'true'", WAIT);
      assertTrue(alice.eval(viewerRow + ".textContent").asText().contains("WHEP viewer"));
      assertTrue(alice.eval(viewerRow + ".querySelector('[data-testid=\"mute-participant\"]') === null")
          .asBoolean(), "a viewer sends nothing to mute");
      alice.eval("window.confirm = () => true");
      alice.eval(viewerRow + ".querySelector('[data-testid=\"remove-participant\"]').click()");
      alice.waitFor(viewerRow + " === null && " + q("viewers-heading") + " === null", WAIT);
      String location = player.eval("window.lchatTest.location").asText();
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (node.mediaRouter().hasEndpoint(viewer + "/watch")) {
        assertTrue(System.nanoTime() < deadline, "the removed viewer's media ends");
        Thread.sleep(50);
      }
      assertEquals(404, java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create("http://127.0.0.1:" + node.httpPort() + location)).DELETE().build(),
          java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode(), "its session is gone");
    }
  }

  @Test
  void aModeratorRemovesAParticipantWhoIsToldSo() throws Exception {
    try (Chromium.Page alice = join("ui-remove", "Alice"); Chromium.Page bob = join("ui-remove", "Bob")) {
      String bobId = myId(bob);
      click(alice, "open-people");
      alice.eval("window.confirm = () => true");
      alice.waitFor("document.querySelector('[data-testid=\"person\"][data-participant=\"" + bobId
          + "\"] [data-testid=\"remove-participant\"]') !== null", WAIT);
      alice.eval("document.querySelector('[data-testid=\"person\"][data-participant=\"" + bobId
          + "\"] [data-testid=\"remove-participant\"]').click()");
      bob.waitFor(q("ended-message") + "?.dataset.code === 'removed'", WAIT);
      alice.waitFor(q("participant-count") + ".textContent === '1 in the meeting'", WAIT);
      alice.waitFor(tile(bobId, "camera") + " === null", WAIT);
    }
  }

  @Test
  void aModeratorMuteRequestMutesTheTarget() throws Exception {
    try (Chromium.Page alice = join("ui-mute", "Alice"); Chromium.Page bob = join("ui-mute", "Bob")) {
      String bobId = myId(bob);
      click(alice, "open-people");
      alice.waitFor("document.querySelector('[data-participant=\"" + bobId
          + "\"] [data-testid=\"mute-participant\"]') !== null", WAIT);
      alice.eval("document.querySelector('[data-participant=\"" + bobId
          + "\"] [data-testid=\"mute-participant\"]').click()");
      bob.waitFor(q("toggle-mic") + ".getAttribute('aria-pressed') === 'true'", WAIT);
      assertTrue(!bob.eval("window.lchatMeeting.stream.getAudioTracks()[0].enabled").asBoolean(),
          "the microphone track is really off");
      // Push-to-talk: holding the spacebar speaks while muted.
      bob.eval("window.dispatchEvent(new KeyboardEvent('keydown', { code: 'Space', key: ' ' }))");
      alice.waitFor(tile(bobId, "camera") + ".querySelector('[data-testid=\"muted-audio\"]') === null", WAIT);
      bob.eval("window.dispatchEvent(new KeyboardEvent('keyup', { code: 'Space', key: ' ' }))");
      alice.waitFor(tile(bobId, "camera") + ".querySelector('[data-testid=\"muted-audio\"]') !== null", WAIT);
    }
  }

  @Test
  void turningScreenSharingOffStopsTheShareThatIsRunningForEveryone() throws Exception {
    // Three people, so the media goes through the node's router, which is where the room's rule applies. The
    // third joins once the first two are in their direct call, as people do.
    try (Chromium.Page alice = join("ui-screen-off", "Alice"); Chromium.Page bob = join("ui-screen-off", "Bob")) {
      waitForMedia(bob, 1, 1);
      try (Chromium.Page cat = join("ui-screen-off", "Cat")) {
        waitForMedia(cat, 2, 2);
        click(bob, "toggle-screen");
        String bobId = myId(bob);
        for (Chromium.Page page : new Chromium.Page[] {alice, cat}) {
          page.waitFor(tile(bobId, "screen") + " !== null", WAIT);
        }
        // Alice, the first in, is the moderator.
        alice.eval("window.lchatMeeting.signaling.send({ type: 'setFeature', flag: 'screenshare', enabled: false })");
        for (Chromium.Page page : new Chromium.Page[] {alice, cat}) {
          page.waitFor(tile(bobId, "screen") + " === null", WAIT);
        }
        bob.waitFor(q("toggle-screen") + ".getAttribute('aria-pressed') === 'false' && " + q("toggle-screen")
            + ".disabled", WAIT);
        waitForMedia(cat, 2, 2); // the cameras go on
      }
    }
  }

  @Test
  void theSharedVideoStateIsTheSameForEveryone() throws Exception {
    try (Chromium.Page alice = join("ui-shared", "Alice"); Chromium.Page bob = join("ui-shared", "Bob")) {
      click(alice, "open-shared");
      type(alice, "shared-url", "https://www.youtube.com/watch?v=dQw4w9WgXcQ");
      click(alice, "shared-start");
      String state = q("shared-video-state") + "?.dataset";
      bob.waitFor(state + "?.url === 'https://www.youtube.com/watch?v=dQw4w9WgXcQ'", WAIT);
      click(alice, "shared-play");
      bob.waitFor(state + "?.playing === 'true'", WAIT);
      // The person who shared it (or a moderator) controls it; the others follow.
      assertTrue(bob.eval(q("shared-pause") + ".disabled").asBoolean(), "Bob did not share it and is no moderator");
      click(alice, "shared-pause");
      bob.waitFor(state + "?.playing === 'false'", WAIT);
      click(alice, "shared-seek");
      bob.waitFor("Number(" + state + "?.position) >= 10", WAIT);
      click(alice, "shared-stop");
      bob.waitFor(state + "?.url === ''", WAIT);
    }
  }

  @Test
  void leavingEndsTheMeetingForThatPersonOnly() throws Exception {
    try (Chromium.Page alice = join("ui-leave", "Alice"); Chromium.Page bob = join("ui-leave", "Bob")) {
      click(bob, "leave");
      bob.waitFor(q("ended-message") + "?.dataset.code === 'left'", WAIT);
      alice.waitFor(q("participant-count") + ".textContent === '1 in the meeting'", WAIT);
    }
  }

  @Test
  void endToEndEncryptedVideoDecodesWithTheSamePassphraseOnly() throws Exception {
    try (Chromium.Page alice = joinEncrypted("ui-e2ee", "Alice", "correct horse battery");
         Chromium.Page bob = joinEncrypted("ui-e2ee", "Bob", "correct horse battery");
         Chromium.Page cat = joinEncrypted("ui-e2ee", "Cat", "a different passphrase")) {
      waitForMedia(alice, 1, 0);
      waitForMedia(bob, 1, 0);
      // Cat receives the same packets through the bridge but cannot decrypt a single frame.
      try {
        cat.waitFor("window.lchatMeeting.e2ee.failures > 50", WAIT);
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "; cat media " + cat.eval(MEDIA) + ", failures "
            + cat.eval("window.lchatMeeting.e2ee.failures") + ", receiver transforms "
            + cat.eval("window.lchatMeeting.media.subscriber?.getReceivers().map(r => String(r.transform))")
            + ", toast " + cat.eval("document.querySelector('[data-testid=\"toast\"]')?.textContent")
            + ", publisher " + cat.eval("window.lchatMeeting.media.publisher?.connectionState")
            + ", sender transforms "
            + alice.eval("window.lchatMeeting.media.publisher.getSenders().map(r => String(r.transform))"), e);
      }
      JsonNode catMedia = cat.eval(MEDIA);
      assertEquals(0, catMedia.get("videos").asInt(), "no video decodes with the wrong passphrase: " + catMedia);
      // The packets did arrive: they just cannot be decrypted.
      cat.waitFor("window.lchatMeeting.media.stats().then(s => s.inbound.filter(r => r.kind === 'video')"
          + ".reduce((n, r) => n + (r.packetsReceived || 0), 0) > 100)", WAIT);
      assertEquals(0, cat.eval(MEDIA).get("videos").asInt(), "still nothing decodes");
      // Alice decodes Bob's video; Cat's, encrypted with another key, she cannot. Cat's joining moved Alice and Bob
      // from their direct call to the bridge, so Bob's video may be a fresh stream there: await it rather than
      // read it once (a loaded machine once read 0 here).
      waitForMedia(alice, 1, 0);
      assertEquals(1, alice.eval(MEDIA).get("videos").asInt(), "Cat's video does not decode for Alice");
    }
  }
}
