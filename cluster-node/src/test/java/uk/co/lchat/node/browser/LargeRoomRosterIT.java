package uk.co.lchat.node.browser;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static uk.co.lchat.node.browser.MeetingPages.WAIT;
import static uk.co.lchat.node.browser.MeetingPages.click;
import static uk.co.lchat.node.browser.MeetingPages.myId;
import static uk.co.lchat.node.browser.MeetingPages.q;

import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The web client in a room large enough for roster deltas (the threshold lowered to one participant, so that a
 * three-person room behaves like a 1000-person one): joins, mutes and leaves reach everyone's participant list
 * through {@code rosterDelta} messages applied on top of the joined snapshot.
 */
class LargeRoomRosterIT extends ClusterBrowserTest {
  @BeforeAll
  static void start() throws Exception {
    startCluster(1, Map.of("lchat.room.roster-batch-above", 1, "lchat.room.roster-batch-interval", "200ms"));
  }

  private static Chromium.Page join(String room, String name) throws Exception {
    return MeetingPages.join(chromium, nodes.get(0), room, name);
  }

  /** Counts the roster messages a page receives from now on, by type. */
  private static void countRosterMessages(Chromium.Page page) throws Exception {
    page.eval("(() => { const m = window.lchatMeeting; m.rosterMessages = {};"
        + " for (const t of ['roster', 'rosterDelta']) m.signaling.on(t, () => {"
        + " m.rosterMessages[t] = (m.rosterMessages[t] || 0) + 1; }); })()");
  }

  @Test
  void joinsMutesAndLeavesReachEveryoneAsDeltas() throws Exception {
    String room = "large-roster-" + System.nanoTime();
    try (Chromium.Page alice = join(room, "Alice")) {
      countRosterMessages(alice);
      try (Chromium.Page bob = join(room, "Bob"); Chromium.Page cat = join(room, "Cat")) {
        alice.waitFor(q("participant-count") + ".textContent === '3 in the meeting'", WAIT);
        String bobId = myId(bob);
        click(bob, "toggle-mic");
        alice.waitFor("window.lchatMeeting.participants.get('" + bobId + "')?.audioMuted === true", WAIT);
        cat.waitFor("window.lchatMeeting.participants.get('" + bobId + "')?.audioMuted === true", WAIT);
        assertTrue(alice.eval("window.lchatMeeting.rosterMessages.rosterDelta > 0"
            + " && !window.lchatMeeting.rosterMessages.roster").asBoolean(),
            "the joins and the mute came as deltas only: " + alice.eval(
                "JSON.stringify(window.lchatMeeting.rosterMessages)"));
      }
      // Back to one (at the threshold) the room sends whole rosters again; either way the list is right.
      alice.waitFor(q("participant-count") + ".textContent === '1 in the meeting'", WAIT);
    }
  }
}
