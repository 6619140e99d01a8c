package uk.co.lchat.room;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import uk.co.lchat.room.RoomProtocol.AuthMode;
import uk.co.lchat.room.RoomProtocol.Identity;
import uk.co.lchat.room.RoomProtocol.Join;
import uk.co.lchat.room.RoomProtocol.Role;

/**
 * Who may enter a room and how, under {@code lchat.auth.mode}: the room's bans (by session token and by token
 * subject), whether a token holder has opened it, and the rules that combine a join token with the passcode and
 * the lobby. A plain object the room actor asks; it holds no actor state.
 *
 * <p>The rules (docs/security.md, "Join tokens"):
 * <ul>
 *   <li>A token that did not verify refuses the join with its code; a banned subject is refused {@code banned}, a
 *       banned session {@code removed}.</li>
 *   <li>{@code token} mode: no token, no entry ({@code token_required}).</li>
 *   <li>A valid token for the room stands in for the passcode: the back end that signed it vouches for the person.
 *       The lobby still holds a token holder who is not a moderator; a moderator's token passes it.</li>
 *   <li>{@code token-to-create}: a guest (no token) enters a room that a token holder or the server API opened, or
 *       waits until one does.</li>
 *   <li>Moderators: in {@code open} mode the first person in, as before (and whoever a token makes one); with
 *       tokens required for anything, only tokens, other moderators and the server API make moderators, and no one
 *       is promoted when the last moderator leaves.</li>
 * </ul>
 */
final class Admission {
  /** Where a join that passed the passcode goes. */
  enum Entry { ENTER, LOBBY, WAIT_FOR_HOST }

  private final AuthMode mode;
  private final Set<String> bannedTokens = new HashSet<>();
  private final Set<String> bannedSubjects = new HashSet<>();
  private boolean opened;

  Admission(AuthMode mode) {
    this.mode = mode;
  }

  AuthMode mode() {
    return mode;
  }

  /**
   * The refusal code for {@code join} before any passcode or lobby, or null when it may go on. A token that failed
   * to verify, then bans, then a missing token where one is needed.
   */
  String refusal(Join join) {
    if (join.tokenRefusal() != null) {
      return join.tokenRefusal();
    }
    Identity id = join.identity();
    if (id != null && id.subject() != null && bannedSubjects.contains(id.subject())) {
      return "banned";
    }
    if (join.sessionToken() != null && bannedTokens.contains(join.sessionToken())) {
      return "removed";
    }
    if (mode == AuthMode.TOKEN && id == null) {
      return "token_required";
    }
    return null;
  }

  /** A valid token for this room stands in for the passcode. */
  boolean needsPasscode(Join join, boolean passcodeSet) {
    return passcodeSet && join.identity() == null;
  }

  /**
   * Past the passcode: a guest of a room nobody has opened waits for its host ({@code token-to-create}); the lobby
   * holds everyone but moderators by token, in open mode only once someone is in to admit them.
   */
  Entry entry(Identity identity, boolean lobbyEnabled, boolean roomHasPeople) {
    if (mode == AuthMode.TOKEN_TO_CREATE && identity == null && !opened) {
      return Entry.WAIT_FOR_HOST;
    }
    boolean moderatorByToken = identity != null && identity.moderator();
    boolean someoneMayAdmit = roomHasPeople || mode != AuthMode.OPEN;
    if (lobbyEnabled && someoneMayAdmit && !moderatorByToken) {
      return Entry.LOBBY;
    }
    return Entry.ENTER;
  }

  /** The role of someone entering now. */
  Role role(Identity identity, boolean viewer, boolean roomHasModerator) {
    if (viewer) {
      return Role.VIEWER;
    }
    if (identity != null && identity.moderator()) {
      return Role.MODERATOR;
    }
    return mode == AuthMode.OPEN && !roomHasModerator ? Role.MODERATOR : Role.PARTICIPANT;
  }

  /** Whether the earliest participant becomes moderator when the last one leaves (open mode only). */
  boolean promotesWhenLeaderless() {
    return mode == AuthMode.OPEN;
  }

  /**
   * Someone entered: a token holder opens the room for guests. Returns true when this opened it just now (guests
   * waiting for the host may come in).
   */
  boolean entered(Identity identity) {
    if (identity == null || opened) {
      return false;
    }
    opened = true;
    return mode == AuthMode.TOKEN_TO_CREATE;
  }

  /** The server API created the room: it is open for guests. */
  void openByServer() {
    opened = true;
  }

  boolean opened() {
    return opened;
  }

  /** A removal: the session token, and the token subject when there is one, may not come back. */
  void ban(String sessionToken, String subject) {
    if (sessionToken != null) {
      bannedTokens.add(sessionToken);
    }
    if (subject != null) {
      bannedSubjects.add(subject);
    }
  }

  List<String> bannedTokens() {
    return new ArrayList<>(bannedTokens);
  }

  List<String> bannedSubjects() {
    return new ArrayList<>(bannedSubjects);
  }

  /** Takes over the bans and the opened flag of the room's previous incarnation. */
  void restore(Collection<String> tokens, Collection<String> subjects, boolean wasOpened) {
    bannedTokens.addAll(tokens);
    if (subjects != null) {
      bannedSubjects.addAll(subjects);
    }
    opened |= wasOpened;
  }

  /** What a refusal code tells the person refused (the same words from the node and from the room). */
  static String explain(String code) {
    return switch (code) {
      case "token_required" -> "This meeting needs an invitation: join with a token (a link with ?jwt=).";
      case "token_expired" -> "This invitation has expired, or is not valid yet; ask for a new link.";
      case "token_invalid" -> "This invitation is not valid (malformed, or not signed by this service).";
      case "token_wrong_room" -> "This invitation is for another meeting.";
      case "banned" -> "You were removed from this meeting and cannot join it again.";
      case "removed" -> "You were removed from this meeting.";
      default -> "You cannot join this meeting.";
    };
  }
}
