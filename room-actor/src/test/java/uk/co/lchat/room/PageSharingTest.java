package uk.co.lchat.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

import uk.co.lchat.room.RoomProtocol.Framing;
import uk.co.lchat.room.RoomProtocol.Role;
import uk.co.lchat.room.RoomProtocol.SharedPage;
import uk.co.lchat.room.RoomProtocol.SharedPageAction;

/** The shared page's rules, without an actor. */
class PageSharingTest {
  private static final FramingCheck.Result FRAMES = new FramingCheck.Result(Framing.ALLOWED, null);

  private final Roster roster = new Roster();
  private final Participant mod = roster.add("t1", "Mod", Role.MODERATOR, null, null);
  private final Participant ann = roster.add("t2", "Ann", Role.PARTICIPANT, null, null);
  private final Participant bob = roster.add("t3", "Bob", Role.PARTICIPANT, null, null);
  private final Participant viewer = roster.add("t4", "Vic", Role.VIEWER, null, null);
  private final PageSharing sharing = new PageSharing(PageHosts.of(List.of("example.com", "*.example.org")));

  private PageSharing.Outcome.Check check(Participant by, String url) {
    return assertInstanceOf(PageSharing.Outcome.Check.class, sharing.control(by, SharedPageAction.SHARE, url));
  }

  private SharedPage shared(Participant by, String url) {
    PageSharing.Outcome.Check c = check(by, url);
    return assertInstanceOf(PageSharing.Outcome.Changed.class, sharing.checked(c.check(), FRAMES)).page();
  }

  private static void assertRefused(String code, String message, PageSharing.Outcome o) {
    assertEquals(new PageSharing.Outcome.Refused(code, message), o);
  }

  @Test
  void aShareIsCheckedFirstAndThenShownWithWhatTheCheckFound() {
    PageSharing.Outcome.Check c = check(ann, "HTTPS://example.com/a");
    assertEquals("https://example.com/a", c.url());
    assertNull(sharing.current(), "nobody sees it before the node checked it");
    SharedPage page = assertInstanceOf(PageSharing.Outcome.Changed.class,
        sharing.checked(c.check(), new FramingCheck.Result(Framing.REFUSED, "X-Frame-Options: DENY"))).page();
    assertEquals(new SharedPage("https://example.com/a", ann.id, Framing.REFUSED, "X-Frame-Options: DENY"), page);
    assertEquals(page, sharing.current());
  }

  @Test
  void theSharerNavigatesAndOnlyTheLatestChecksAnswerCounts() {
    shared(ann, "https://example.com/a");
    PageSharing.Outcome.Check toB = check(ann, "https://example.com/b");
    PageSharing.Outcome.Check toC = check(ann, "https://example.com/c");
    assertInstanceOf(PageSharing.Outcome.Unchanged.class, sharing.checked(toB.check(), FRAMES));
    assertEquals("https://example.com/a", sharing.current().url(), "a stale answer changes nothing");
    sharing.checked(toC.check(), FRAMES);
    assertEquals("https://example.com/c", sharing.current().url());
  }

  @Test
  void othersMayNotReplaceOrStopTheSharersPageButAModeratorMay() {
    shared(ann, "https://example.com/a");
    assertRefused("forbidden", "Someone else is sharing a page; they or a moderator must stop first.",
        sharing.control(bob, SharedPageAction.SHARE, "https://example.com/b"));
    assertRefused("forbidden", "Only the person sharing the page or a moderator stops it.",
        sharing.control(bob, SharedPageAction.STOP, null));
    assertEquals(mod.id, shared(mod, "https://example.com/m").sharedBy());
    assertNull(assertInstanceOf(PageSharing.Outcome.Changed.class,
        sharing.control(mod, SharedPageAction.STOP, null)).page());
    assertRefused("invalid", "No page is being shared.", sharing.control(ann, SharedPageAction.STOP, null));
  }

  @Test
  void aPendingShareHoldsThePlaceAndAStopCancelsIt() {
    PageSharing.Outcome.Check c = check(ann, "https://example.com/a");
    assertRefused("forbidden", "Someone else is sharing a page; they or a moderator must stop first.",
        sharing.control(bob, SharedPageAction.SHARE, "https://example.com/b"));
    assertInstanceOf(PageSharing.Outcome.Unchanged.class, sharing.control(ann, SharedPageAction.STOP, null));
    assertInstanceOf(PageSharing.Outcome.Unchanged.class, sharing.checked(c.check(), FRAMES));
    assertNull(sharing.current());
  }

  @Test
  void badAndDisallowedAddressesAndViewersAreRefusedAndChangeNothing() {
    shared(ann, "https://example.com/a");
    assertRefused("invalid", "Only http:// and https:// pages can be shared (not javascript:).",
        sharing.control(ann, SharedPageAction.SHARE, "javascript:alert(1)"));
    assertRefused("forbidden", "Pages from evil.test may not be shared here (allowed: example.com, *.example.org).",
        sharing.control(ann, SharedPageAction.SHARE, "https://evil.test/"));
    assertRefused("forbidden", "Viewers receive only; join as a participant to share a page.",
        sharing.control(viewer, SharedPageAction.SHARE, "https://example.com/v"));
    assertEquals("https://example.com/a", sharing.current().url());
    assertEquals("https://docs.example.org/", shared(ann, "https://docs.example.org").url());
  }

  @Test
  void anEmptyAllowListRefusesEveryShare() {
    assertRefused("forbidden", "Sharing web pages is turned off on this server.",
        new PageSharing(PageHosts.of(List.of())).control(ann, SharedPageAction.SHARE, "https://example.com/"));
  }

  @Test
  void theShareEndsWhenTheSharerLeavesAndNotWhenSomeoneElseDoes() {
    shared(ann, "https://example.com/a");
    assertInstanceOf(PageSharing.Outcome.Unchanged.class, sharing.left(bob.id));
    assertNull(assertInstanceOf(PageSharing.Outcome.Changed.class, sharing.left(ann.id)).page());
    PageSharing.Outcome.Check c = check(bob, "https://example.com/b");
    sharing.left(bob.id);
    assertInstanceOf(PageSharing.Outcome.Unchanged.class, sharing.checked(c.check(), FRAMES),
        "a check answered after its sharer left shows nothing");
  }

  @Test
  void turningTheFeatureOffStopsThePage() {
    shared(ann, "https://example.com/a");
    assertNull(assertInstanceOf(PageSharing.Outcome.Changed.class, sharing.turnedOff()).page());
    assertInstanceOf(PageSharing.Outcome.Unchanged.class, sharing.turnedOff());
  }
}
