package uk.co.lchat.room;

import java.time.Duration;

import org.apache.pekko.actor.typed.ActorRef;

import uk.co.lchat.room.RoomProtocol.DocumentDropped;
import uk.co.lchat.room.RoomProtocol.Pointer;
import uk.co.lchat.room.RoomProtocol.Presentation;
import uk.co.lchat.room.RoomProtocol.PresentationAction;
import uk.co.lchat.room.RoomProtocol.Role;

/**
 * The document the room presents: who presents it, who turns its pages (the presenter, or whoever it handed control
 * to), which page everyone sees and where the shared pointer is. Anyone but a viewer may start presenting while
 * nothing is presented; the presenter and moderators replace or stop it; the one in control moves pages and the
 * pointer; the presenter, the one in control and moderators hand control to another participant. Pointer moves
 * reach everyone at most once per {@link #POINTER_INTERVAL}: the latest position of a faster stream goes out when
 * the interval ends, the others are dropped. Owned by the room actor; a plain object with no actor state.
 */
final class Slideshow {
  /** 20 pointer updates a second: smooth enough for a laser pointer, bounded whatever a client sends. */
  static final Duration POINTER_INTERVAL = Duration.ofMillis(50);

  /** What a request comes to. {@code now} null: nothing presented any more; {@code dropped}: a document to delete. */
  sealed interface Outcome {
    record Changed(Presentation now, Presentation dropped) implements Outcome {}

    /** A pointer move inside the interval: held back; the room sends it after {@code delayMillis}. */
    record Deferred(long delayMillis) implements Outcome {}

    /** Nothing to tell anyone (the same page again, or a pointer move folded into one already held back). */
    record Unchanged() implements Outcome {}

    record Refused(String code, String message) implements Outcome {}
  }

  private Presentation current;
  private long lastPointerMillis = Long.MIN_VALUE / 2;
  /** A pointer position held back by the rate limit, or null. */
  private Pointer pendingPointer;
  private boolean pointerPending;

  Presentation current() {
    return current;
  }

  /** Takes over a previous incarnation's presentation (null: none). */
  void restore(Presentation p) {
    current = p;
  }

  /** Why {@code by} may not start presenting now, or null when it may. */
  Outcome.Refused refuseStart(Participant by) {
    if (by.isViewer()) {
      return new Outcome.Refused("forbidden", "Viewers receive only; join as a participant to present.");
    }
    if (current != null && !current.presenter().equals(by.id) && by.role != Role.MODERATOR) {
      return new Outcome.Refused("forbidden", "Someone else is presenting; they or a moderator must stop first.");
    }
    return null;
  }

  /**
   * {@code by} presents the document {@code documentId} of {@code pageCount} pages, whose bytes {@code holder} keeps
   * at {@code servedBy} under {@code fetchKey}; a document presented so far is dropped.
   */
  Outcome start(Participant by, String documentId, int pageCount, String servedBy, String fetchKey,
                ActorRef<DocumentDropped> holder) {
    Outcome.Refused refused = refuseStart(by);
    if (refused != null) {
      return refused;
    }
    if (documentId == null || pageCount < 1) {
      return new Outcome.Refused("invalid", "A presentation needs a document of one page or more.");
    }
    Presentation dropped = current;
    current = new Presentation(documentId, by.id, by.id, pageCount, 1, null, servedBy, fetchKey, holder);
    pointerPending = false;
    return new Outcome.Changed(current, dropped);
  }

  /**
   * {@code by} asks for {@code action}: {@code page} (1-based) for PAGE, {@code pointer} (null: hide it) for POINTER,
   * {@code target} (a participant in the room) for HAND_OVER.
   */
  Outcome control(Participant by, PresentationAction action, int page, Pointer pointer, Participant target,
                  long now) {
    if (action == null) {
      return new Outcome.Refused("invalid", "Say what to do with the presentation.");
    }
    if (current == null) {
      return new Outcome.Refused("invalid", "Nothing is being presented.");
    }
    boolean presenter = by.id.equals(current.presenter());
    boolean inControl = by.id.equals(current.controlledBy());
    boolean moderator = by.role == Role.MODERATOR;
    return switch (action) {
      case STOP -> {
        if (!presenter && !inControl && !moderator) {
          yield new Outcome.Refused("forbidden", "Only the presenter or a moderator stops the presentation.");
        }
        yield stopped();
      }
      case PAGE -> {
        if (!inControl) {
          yield notInControl();
        }
        if (page < 1 || page > current.pageCount()) {
          yield new Outcome.Refused("invalid", "Page " + page + " is not in this presentation (1 to "
              + current.pageCount() + ").");
        }
        if (page == current.page()) {
          yield new Outcome.Unchanged();
        }
        // A new page: the pointer pointed at something on the old one.
        yield changed(with(page, null, current.controlledBy()));
      }
      case POINTER -> {
        if (!inControl) {
          yield notInControl();
        }
        if (pointer != null && !(inUnitRange(pointer.x()) && inUnitRange(pointer.y()))) {
          yield new Outcome.Refused("invalid", "A pointer position is x and y from 0 to 1 (a share of the page).");
        }
        yield movePointer(pointer, now);
      }
      case HAND_OVER -> {
        if (!presenter && !inControl && !moderator) {
          yield new Outcome.Refused("forbidden",
              "Only the presenter, whoever has control, or a moderator hands control over.");
        }
        if (target == null) {
          yield new Outcome.Refused("not_found", "That participant is not in the meeting.");
        }
        if (target.isViewer()) {
          yield new Outcome.Refused("invalid", "Viewers receive only: hand control to a participant.");
        }
        yield changed(with(current.page(), null, target.id));
      }
    };
  }

  /** The interval after a held-back pointer move has passed: the latest position, if one is still held. */
  Outcome flushPointer(long now) {
    if (!pointerPending || current == null) {
      pointerPending = false;
      return new Outcome.Unchanged();
    }
    pointerPending = false;
    lastPointerMillis = now;
    return changed(with(current.page(), pendingPointer, current.controlledBy()));
  }

  /** {@code participantId} left: the presenter's document goes; control handed to someone who left comes back. */
  Outcome left(String participantId) {
    if (current == null) {
      return new Outcome.Unchanged();
    }
    if (current.presenter().equals(participantId)) {
      return stopped();
    }
    if (current.controlledBy().equals(participantId)) {
      return changed(with(current.page(), null, current.presenter()));
    }
    return new Outcome.Unchanged();
  }

  /** The feature was turned off, or the meeting ends: the presentation stops (null if nothing was presented). */
  Presentation stop() {
    Presentation dropped = current;
    current = null;
    pointerPending = false;
    return dropped;
  }

  private Outcome movePointer(Pointer pointer, long now) {
    long since = now - lastPointerMillis;
    if (since >= POINTER_INTERVAL.toMillis() && !pointerPending) {
      lastPointerMillis = now;
      return changed(with(current.page(), pointer, current.controlledBy()));
    }
    pendingPointer = pointer;
    if (pointerPending) {
      return new Outcome.Unchanged();
    }
    pointerPending = true;
    return new Outcome.Deferred(Math.max(1, POINTER_INTERVAL.toMillis() - since));
  }

  private Outcome stopped() {
    return new Outcome.Changed(null, stop());
  }

  private Outcome.Refused notInControl() {
    return new Outcome.Refused("forbidden", "Only the participant in control of the presentation moves it.");
  }

  private Presentation with(int page, Pointer pointer, String controlledBy) {
    Presentation p = current;
    return new Presentation(p.documentId(), p.presenter(), controlledBy, p.pageCount(), page, pointer, p.servedBy(),
        p.fetchKey(), p.holder());
  }

  private Outcome changed(Presentation next) {
    current = next;
    return new Outcome.Changed(next, null);
  }

  private static boolean inUnitRange(double v) {
    return Double.isFinite(v) && v >= 0 && v <= 1;
  }
}
