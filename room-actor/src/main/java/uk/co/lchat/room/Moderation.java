package uk.co.lchat.room;

import uk.co.lchat.room.RoomProtocol.MediaKind;
import uk.co.lchat.room.RoomProtocol.Role;

/**
 * Who may do what to whom in the room: moderators change the room's settings and make moderators; in controller
 * mode every participant who is not a viewer may also mute, remove and admit others, as moderators may. Each check
 * returns a {@link Ruling} for the room actor to carry out or to pass on to whoever asked; the rules themselves do
 * nothing to anyone. Owned by the room actor; a plain object with no actor state.
 */
final class Moderation {
  /** What a participant's command comes to. */
  sealed interface Ruling {
    /** {@code by} may act, on {@code target} ({@code by} itself for a change to the room). */
    record Allowed(Participant by, Participant target) implements Ruling {}

    /** {@code by} may not, and is told why ({@code code}: {@code forbidden}, {@code not_found}, {@code invalid}). */
    record Refused(Participant by, String code, String message) implements Ruling {}

    /** Whoever asked is not in the room (it left meanwhile): nobody to answer. */
    record Ignored() implements Ruling {}
  }

  private static final Ruling IGNORED = new Ruling.Ignored();

  private final Roster roster;
  /** Whether the earliest participant becomes moderator when the last one leaves ({@link Admission}). */
  private final boolean promotesWhenLeaderless;
  private boolean controllerMode;

  Moderation(Roster roster, boolean controllerMode, boolean promotesWhenLeaderless) {
    this.roster = roster;
    this.controllerMode = controllerMode;
    this.promotesWhenLeaderless = promotesWhenLeaderless;
  }

  boolean controllerMode() {
    return controllerMode;
  }

  /** Sets controller mode; true if that changed it. */
  boolean setControllerMode(boolean on) {
    boolean changed = controllerMode != on;
    controllerMode = on;
    return changed;
  }

  /** Whether {@code p} may mute, remove and admit others (and sees the lobby). */
  boolean mayControl(Participant p) {
    return p.role == Role.MODERATOR || (controllerMode && !p.isViewer());
  }

  /** A change to the room itself (passcode, lobby, controller mode, feature flags, last-N): moderators only. */
  Ruling changeRoom(String byId) {
    Participant by = roster.get(byId);
    if (by == null) {
      return IGNORED;
    }
    if (by.role != Role.MODERATOR) {
      return new Ruling.Refused(by, "forbidden", "Only a moderator can do that.");
    }
    return new Ruling.Allowed(by, by);
  }

  /** An action on someone else (mute, lower a hand): whoever may control, on someone in the room. */
  Ruling control(String byId, String targetId) {
    Participant by = roster.get(byId);
    if (by == null) {
      return IGNORED;
    }
    if (!mayControl(by)) {
      return new Ruling.Refused(by, "forbidden", "Only a moderator can do that.");
    }
    Participant target = roster.get(targetId);
    if (target == null) {
      return new Ruling.Refused(by, "not_found", "That participant is not in the meeting.");
    }
    return new Ruling.Allowed(by, target);
  }

  /** A removal: as {@link #control}, of someone other than oneself (who leaves instead). */
  Ruling remove(String byId, String targetId) {
    Ruling r = control(byId, targetId);
    if (r instanceof Ruling.Allowed(Participant by, Participant target) && target == by) {
      return new Ruling.Refused(by, "invalid", "Leave the meeting instead of removing yourself.");
    }
    return r;
  }

  /** A request that {@code target} mute {@code kind}: as {@link #control}, and it must say which media. */
  Ruling requestMute(String byId, String targetId, MediaKind kind) {
    Ruling r = control(byId, targetId);
    if (r instanceof Ruling.Allowed(Participant by, Participant target) && kind == null) {
      return new Ruling.Refused(by, "invalid", "Say which media to mute: audio or video.");
    }
    return r;
  }

  /** Lowering a hand: one's own always, anyone else's as {@link #control}. */
  Ruling lowerHand(String byId, String targetId) {
    Participant by = roster.get(byId);
    if (by != null && by.id.equals(targetId)) {
      return new Ruling.Allowed(by, by);
    }
    return control(byId, targetId);
  }

  /** Admitting or denying someone in the lobby: whoever may control. */
  Ruling admitOrDeny(String byId) {
    Participant by = roster.get(byId);
    if (by == null) {
      return IGNORED;
    }
    if (!mayControl(by)) {
      return new Ruling.Refused(by, "forbidden", "Only a moderator can admit or deny.");
    }
    return new Ruling.Allowed(by, by);
  }

  /** Making someone a moderator: moderators only, of a participant in the room who is not a viewer. */
  Ruling grantModerator(String byId, String targetId) {
    Ruling r = changeRoom(byId);
    if (!(r instanceof Ruling.Allowed(Participant by, Participant self))) {
      return r;
    }
    Participant target = roster.get(targetId);
    if (target == null) {
      return new Ruling.Refused(by, "not_found", "That participant is not in the meeting.");
    }
    if (!mayBeModerator(target)) {
      return new Ruling.Refused(by, "invalid", "A viewer cannot be a moderator.");
    }
    return new Ruling.Allowed(by, target);
  }

  /** Viewers only receive: they cannot be moderators. */
  static boolean mayBeModerator(Participant p) {
    return !p.isViewer();
  }

  /** Makes {@code target} a moderator; true if it was not one yet. */
  boolean promote(Participant target) {
    if (target.role == Role.MODERATOR) {
      return false;
    }
    target.role = Role.MODERATOR;
    return true;
  }

  /**
   * After someone left: when no moderator is left, the earliest-joined participant who is not a viewer becomes one
   * (open mode only: with tokens, moderators come from tokens and the server API). Returns them, or null.
   */
  Participant promoteIfLeaderless() {
    return promotesWhenLeaderless ? roster.promoteIfLeaderless() : null;
  }
}
