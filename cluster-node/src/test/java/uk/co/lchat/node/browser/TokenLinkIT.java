package uk.co.lchat.node.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static uk.co.lchat.node.browser.MeetingPages.WAIT;
import static uk.co.lchat.node.browser.MeetingPages.click;
import static uk.co.lchat.node.browser.MeetingPages.q;

import java.time.Instant;
import java.util.Date;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;
import uk.co.lchat.node.auth.TestTokens;

/**
 * The web client's meeting links with a join token ({@code ?jwt=}) on a node in {@code token} mode: the token's
 * name is shown and not editable, the token leaves the address bar, and each refused token gets a page that says
 * why.
 */
class TokenLinkIT {
  private static LchatNode node;
  private static Chromium chromium;

  @BeforeAll
  static void start() throws Exception {
    assertTrue(Chromium.available(), "Debian's chromium must be installed (.ci/run installs it)");
    node = TestNodes.single(Map.of("lchat.auth.mode", "token", "lchat.auth.hs256-secret", TestTokens.SECRET));
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

  private static Chromium.Page open(String room, String jwt) throws Exception {
    Chromium.Page page = chromium.open("http://127.0.0.1:" + node.httpPort() + "/" + room
        + (jwt == null ? "" : "?jwt=" + jwt));
    page.viewport(1280, 720);
    page.waitFor(q("prejoin") + " !== null", WAIT);
    return page;
  }

  /** Presses Join on {@code page} and returns the refusal page's code and text. */
  private static String[] refusedAfterJoin(Chromium.Page page) throws Exception {
    click(page, "join");
    page.waitFor(q("refused-message") + " !== null", WAIT);
    return new String[] {page.eval(q("refused-message") + ".dataset.code").asText(),
        page.eval(q("refused-message") + ".textContent").asText()};
  }

  @Test
  void anInvitationLinkShowsItsNameFixedHidesTheTokenAndJoins() throws Exception {
    String jwt = TestTokens.hs256(TestTokens.claims("tl-good", "Ann Smith", true));
    try (Chromium.Page page = open("tl-good", jwt)) {
      assertEquals("Ann Smith", page.eval(q("display-name") + ".value").asText());
      assertTrue(page.eval(q("display-name") + ".readOnly").asBoolean(), "the invitation's name is not editable");
      assertEquals("Invited as Ann Smith", page.eval(q("invited-as") + ".textContent").asText());
      assertFalse(page.eval("location.href").asText().contains("jwt"), "the token left the address bar");
      click(page, "join");
      page.waitFor(q("meeting") + " !== null", WAIT);
      assertEquals("moderator", page.eval("window.lchatMeeting.role").asText());
    }
  }

  @Test
  void anExpiredInvitationGetsAPageSayingItExpired() throws Exception {
    String jwt = TestTokens.hs256(TestTokens.claims("tl-expired", "Bob", false)
        .expirationTime(Date.from(Instant.now().minusSeconds(3600))));
    try (Chromium.Page page = open("tl-expired", jwt)) {
      String[] refused = refusedAfterJoin(page);
      assertEquals("token_expired", refused[0]);
      assertTrue(refused[1].contains("expired"), refused[1]);
    }
  }

  @Test
  void anInvitationForAnotherMeetingGetsAPageSayingSo() throws Exception {
    try (Chromium.Page page = open("tl-here", TestTokens.hs256(TestTokens.claims("tl-elsewhere", "Cat", false)))) {
      String[] refused = refusedAfterJoin(page);
      assertEquals("token_wrong_room", refused[0]);
      assertTrue(refused[1].contains("another meeting"), refused[1]);
    }
  }

  @Test
  void aWronglySignedInvitationGetsAPageSayingItIsNotValid() throws Exception {
    try (Chromium.Page page = open("tl-forged", TestTokens.hs256(TestTokens.OTHER_SECRET, null,
        TestTokens.claims("tl-forged", "Mallory", true)))) {
      String[] refused = refusedAfterJoin(page);
      assertEquals("token_invalid", refused[0]);
      assertTrue(refused[1].contains("not valid"), refused[1]);
    }
  }

  @Test
  void noInvitationInTokenModeGetsAPageAskingForOne() throws Exception {
    try (Chromium.Page page = open("tl-none", null)) {
      MeetingPages.type(page, "display-name", "Dan");
      String[] refused = refusedAfterJoin(page);
      assertEquals("token_required", refused[0]);
      assertTrue(refused[1].contains("invited"), refused[1]);
    }
  }
}
