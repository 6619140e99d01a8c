package uk.co.lchat.node.auth;

import java.util.regex.Pattern;

/**
 * A join token's {@code room} claim: a room name ({@code standup}), {@code *} for every room, or a name with
 * {@code *} wildcards ({@code team-*}). Globs, not regular expressions, so a token cannot make the node backtrack.
 */
public final class RoomPattern {
  private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9._*-]{1,128}");

  private RoomPattern() {}

  /** Whether {@code claim} admits {@code roomId}; a claim with other characters admits nothing. */
  public static boolean matches(String claim, String roomId) {
    if (claim == null || !ALLOWED.matcher(claim).matches()) {
      return false;
    }
    if (!claim.contains("*")) {
      return claim.equals(roomId);
    }
    return matchesGlob(claim, 0, roomId, 0);
  }

  /** Iterative glob match: '*' is any run of characters (linear in practice for room-name lengths). */
  private static boolean matchesGlob(String glob, int g, String name, int n) {
    int star = -1;
    int mark = 0;
    while (n < name.length()) {
      if (g < glob.length() && glob.charAt(g) == name.charAt(n)) {
        g++;
        n++;
      } else if (g < glob.length() && glob.charAt(g) == '*') {
        star = g++;
        mark = n;
      } else if (star >= 0) {
        g = star + 1;
        n = ++mark;
      } else {
        return false;
      }
    }
    while (g < glob.length() && glob.charAt(g) == '*') {
      g++;
    }
    return g == glob.length();
  }
}
