package uk.co.lchat.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

import uk.co.lchat.room.RoomProtocol.Pointer;
import uk.co.lchat.room.RoomProtocol.Presentation;
import uk.co.lchat.room.RoomProtocol.PresentationAction;
import uk.co.lchat.room.RoomProtocol.Role;

/** The presentation's rules, without an actor. */
class SlideshowTest {
  private final Roster roster = new Roster();
  private final Participant mod = roster.add("t1", "Mod", Role.MODERATOR, null, null);
  private final Participant ann = roster.add("t2", "Ann", Role.PARTICIPANT, null, null);
  private final Participant bob = roster.add("t3", "Bob", Role.PARTICIPANT, null, null);
  private final Participant viewer = roster.add("t4", "Vic", Role.VIEWER, null, null);
  private final Slideshow show = new Slideshow();

  private static Slideshow.Outcome.Changed changed(Slideshow.Outcome o) {
    return assertInstanceOf(Slideshow.Outcome.Changed.class, o);
  }

  private static void assertRefused(String code, String message, Slideshow.Outcome o) {
    assertEquals(new Slideshow.Outcome.Refused(code, message), o);
  }

  private Presentation annPresents(int pages) {
    return changed(show.start(ann, "doc-1", pages, "http://node-a", "key-1", null)).now();
  }

  private Slideshow.Outcome page(Participant by, int page) {
    return show.control(by, PresentationAction.PAGE, page, null, null, 0);
  }

  @Test
  void anyoneButAViewerStartsOnPageOneInControlOfTheirOwnDocument() {
    Presentation p = annPresents(3);
    assertEquals(new Presentation("doc-1", ann.id, ann.id, 3, 1, null, "http://node-a", "key-1", null), p);
    assertRefused("forbidden", "Viewers receive only; join as a participant to present.",
        show.start(viewer, "doc-2", 1, "http://node-a", "key-2", null));
  }

  @Test
  void someoneElseCannotReplaceAPresentationButItsPresenterAndModeratorsCanAndTheOldDocumentIsDropped() {
    Presentation first = annPresents(3);
    assertRefused("forbidden", "Someone else is presenting; they or a moderator must stop first.",
        show.start(bob, "doc-2", 2, "http://node-b", "key-2", null));
    Slideshow.Outcome.Changed replaced = changed(show.start(mod, "doc-3", 5, "http://node-a", "key-3", null));
    assertEquals(first, replaced.dropped());
    assertEquals(mod.id, replaced.now().presenter());
  }

  @Test
  void thePresenterMovesToAnyPageOfTheDocumentAndNoOther() {
    annPresents(3);
    assertEquals(3, changed(page(ann, 3)).now().page());
    assertEquals(2, changed(page(ann, 2)).now().page());
    assertInstanceOf(Slideshow.Outcome.Unchanged.class, page(ann, 2), "the same page again tells nobody");
    for (int bad : new int[] {0, 4, -1, Integer.MAX_VALUE}) {
      assertRefused("invalid", "Page " + bad + " is not in this presentation (1 to 3).", page(ann, bad));
    }
    assertEquals(2, show.current().page());
  }

  @Test
  void onlyTheOneInControlMovesPagesAndThePointerNotEvenAModerator() {
    annPresents(3);
    String refusal = "Only the participant in control of the presentation moves it.";
    assertRefused("forbidden", refusal, page(bob, 2));
    assertRefused("forbidden", refusal, page(mod, 2));
    assertRefused("forbidden", refusal, show.control(bob, PresentationAction.POINTER, 0, new Pointer(0.5, 0.5),
        null, 0));
    assertEquals(1, show.current().page());
  }

  @Test
  void controlHandedOverMovesTheDeckAndThePresenterCanTakeItBack() {
    annPresents(3);
    assertEquals(bob.id, changed(show.control(ann, PresentationAction.HAND_OVER, 0, null, bob, 0)).now()
        .controlledBy());
    assertRefused("forbidden", "Only the participant in control of the presentation moves it.", page(ann, 2));
    assertEquals(3, changed(page(bob, 3)).now().page());
    Presentation back = changed(show.control(ann, PresentationAction.HAND_OVER, 0, null, ann, 0)).now();
    assertEquals(ann.id, back.controlledBy());
    assertEquals(ann.id, back.presenter(), "the presenter stays the presenter");
    assertRefused("invalid", "Viewers receive only: hand control to a participant.",
        show.control(ann, PresentationAction.HAND_OVER, 0, null, viewer, 0));
    assertRefused("not_found", "That participant is not in the meeting.",
        show.control(ann, PresentationAction.HAND_OVER, 0, null, null, 0));
    assertRefused("forbidden", "Only the presenter, whoever has control, or a moderator hands control over.",
        show.control(bob, PresentationAction.HAND_OVER, 0, null, bob, 0));
  }

  @Test
  void aPointerIsAShareOfThePageAndANewPageHidesIt() {
    annPresents(3);
    assertEquals(new Pointer(0.25, 1), changed(show.control(ann, PresentationAction.POINTER, 0,
        new Pointer(0.25, 1), null, 1000)).now().pointer());
    for (Pointer bad : new Pointer[] {new Pointer(-0.1, 0.5), new Pointer(0.5, 1.5), new Pointer(Double.NaN, 0),
        new Pointer(0, Double.POSITIVE_INFINITY)}) {
      assertRefused("invalid", "A pointer position is x and y from 0 to 1 (a share of the page).",
          show.control(ann, PresentationAction.POINTER, 0, bad, null, 5000));
    }
    assertNull(changed(page(ann, 2)).now().pointer());
  }

  @Test
  void aFloodOfPointerMovesReachesEveryoneAtMostOncePerIntervalWithTheLatestPosition() {
    annPresents(3);
    long interval = Slideshow.POINTER_INTERVAL.toMillis();
    changed(show.control(ann, PresentationAction.POINTER, 0, new Pointer(0.1, 0.1), null, 1000));
    assertEquals(new Slideshow.Outcome.Deferred(interval - 10),
        show.control(ann, PresentationAction.POINTER, 0, new Pointer(0.2, 0.2), null, 1010));
    for (int i = 0; i < 1000; i++) {
      assertInstanceOf(Slideshow.Outcome.Unchanged.class,
          show.control(ann, PresentationAction.POINTER, 0, new Pointer(0.3, i / 1000.0), null, 1020));
    }
    assertEquals(new Pointer(0.3, 0.999), changed(show.flushPointer(1000 + interval)).now().pointer());
    assertInstanceOf(Slideshow.Outcome.Unchanged.class, show.flushPointer(1000 + 2 * interval),
        "nothing more was held back");
  }

  @Test
  void thePresenterOrAModeratorStopsAndTheDocumentIsDropped() {
    Presentation p = annPresents(3);
    assertRefused("forbidden", "Only the presenter or a moderator stops the presentation.",
        show.control(bob, PresentationAction.STOP, 0, null, null, 0));
    Slideshow.Outcome.Changed stopped = changed(show.control(mod, PresentationAction.STOP, 0, null, null, 0));
    assertNull(stopped.now());
    assertEquals(p, stopped.dropped());
    assertRefused("invalid", "Nothing is being presented.", page(ann, 1));
  }

  @Test
  void thePresentersLeavingEndsThePresentationAndAControllersLeavingGivesControlBack() {
    annPresents(3);
    changed(show.control(ann, PresentationAction.HAND_OVER, 0, null, bob, 0));
    assertEquals(ann.id, changed(show.left(bob.id)).now().controlledBy());
    assertInstanceOf(Slideshow.Outcome.Unchanged.class, show.left(mod.id));
    Slideshow.Outcome.Changed gone = changed(show.left(ann.id));
    assertNull(gone.now());
    assertEquals("doc-1", gone.dropped().documentId());
    assertNull(show.current());
  }

  @Test
  void aDocumentWithoutPagesOrAnActionIsRefused() {
    assertRefused("invalid", "A presentation needs a document of one page or more.",
        show.start(ann, "doc-1", 0, "http://node-a", "key-1", null));
    annPresents(1);
    assertRefused("invalid", "Say what to do with the presentation.", show.control(ann, null, 1, null, null, 0));
  }
}
