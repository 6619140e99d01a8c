package uk.co.lchat.room;

import uk.co.lchat.room.RoomProtocol.Framing;
import uk.co.lchat.room.RoomProtocol.Role;
import uk.co.lchat.room.RoomProtocol.SharedPage;
import uk.co.lchat.room.RoomProtocol.SharedPageAction;

/**
 * The web page the room shows everyone on stage: who shares it, its address, and whether its site allows being
 * framed. Anyone but a viewer may share a page from an allowed host ({@link PageHosts}) while nobody else shares
 * one; the sharer navigates by sharing another address, and the sharer or a moderator stops it (a moderator may also
 * replace it). A share becomes visible once the node has checked the page's framing ({@link FramingCheck}): until
 * then it is pending, and the sharer may already replace or stop it, so only the latest check's answer counts. The
 * share ends when its sharer leaves. Owned by the room actor; a plain object with no actor state.
 */
final class PageSharing {
  /** What a request comes to. */
  sealed interface Outcome {
    /** Accepted: the node checks {@code url}'s framing; its answer comes back with {@code check}. */
    record Check(long check, String url) implements Outcome {}

    /** Everyone is told: {@code page} null, nothing is shared any more. */
    record Changed(SharedPage page) implements Outcome {}

    record Unchanged() implements Outcome {}

    record Refused(String code, String message) implements Outcome {}
  }

  private final PageHosts hosts;
  private SharedPage current;
  /** The share waiting for its check: its number, sharer and address (0: none). */
  private long pendingCheck;
  private String pendingBy;
  private String pendingUrl;
  private long checks;

  PageSharing(PageHosts hosts) {
    this.hosts = hosts;
  }

  SharedPage current() {
    return current;
  }

  /** Takes over a previous incarnation's page (null: none). */
  void restore(SharedPage page) {
    current = page;
  }

  /** {@code by} asks to share {@code url} (SHARE) or to stop (STOP). */
  Outcome control(Participant by, SharedPageAction action, String url) {
    if (action == null) {
      return new Outcome.Refused("invalid", "Say what to do with the shared page: share or stop.");
    }
    String owner = pendingBy != null ? pendingBy : current == null ? null : current.sharedBy();
    boolean controls = by.role == Role.MODERATOR || by.id.equals(owner);
    if (action == SharedPageAction.STOP) {
      if (owner == null) {
        return new Outcome.Refused("invalid", "No page is being shared.");
      }
      if (!controls) {
        return new Outcome.Refused("forbidden", "Only the person sharing the page or a moderator stops it.");
      }
      return stop();
    }
    if (by.isViewer()) {
      return new Outcome.Refused("forbidden", "Viewers receive only; join as a participant to share a page.");
    }
    if (hosts.isEmpty()) {
      return new Outcome.Refused("forbidden", "Sharing web pages is turned off on this server.");
    }
    PageAddress.Parsed parsed = PageAddress.parse(url);
    if (parsed instanceof PageAddress.Parsed.Invalid invalid) {
      return new Outcome.Refused("invalid", invalid.message());
    }
    PageAddress.Parsed.Valid valid = (PageAddress.Parsed.Valid) parsed;
    if (!hosts.allows(valid.host())) {
      return new Outcome.Refused("forbidden", "Pages from " + valid.host() + " may not be shared here (allowed: "
          + String.join(", ", hosts.patterns()) + ").");
    }
    if (owner != null && !controls) {
      return new Outcome.Refused("forbidden", "Someone else is sharing a page; they or a moderator must stop first.");
    }
    pendingCheck = ++checks;
    pendingBy = by.id;
    pendingUrl = valid.url();
    return new Outcome.Check(pendingCheck, pendingUrl);
  }

  /** The node's answer for {@code check}: the page goes on stage, unless a later request replaced it. */
  Outcome checked(long check, FramingCheck.Result result) {
    if (check != pendingCheck || pendingBy == null) {
      return new Outcome.Unchanged();
    }
    Framing framing = result == null || result.framing() == null ? Framing.UNKNOWN : result.framing();
    current = new SharedPage(pendingUrl, pendingBy, framing, result == null ? null : result.detail());
    clearPending();
    return new Outcome.Changed(current);
  }

  /** {@code participantId} left: its page (shared or pending) goes. */
  Outcome left(String participantId) {
    if (participantId.equals(pendingBy)) {
      clearPending();
    }
    if (current != null && current.sharedBy().equals(participantId)) {
      current = null;
      return new Outcome.Changed(null);
    }
    return new Outcome.Unchanged();
  }

  /** The feature was turned off: a page being shared stops (Unchanged if none was). */
  Outcome turnedOff() {
    return pendingBy == null && current == null ? new Outcome.Unchanged() : stop();
  }

  private Outcome stop() {
    clearPending();
    if (current == null) {
      return new Outcome.Unchanged();
    }
    current = null;
    return new Outcome.Changed(null);
  }

  private void clearPending() {
    pendingCheck = 0;
    pendingBy = null;
    pendingUrl = null;
  }
}
