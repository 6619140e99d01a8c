package uk.co.lchat.node.pageshare;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import uk.co.lchat.room.FramingCheck;
import uk.co.lchat.room.RoomProtocol.Framing;

/**
 * Whether a page's response headers let a meeting on another origin show it in a frame, decided as browsers do:
 * an enforced Content-Security-Policy with a {@code frame-ancestors} directive decides alone (CSP Level 3 §6.4.2;
 * X-Frame-Options is then ignored, HTML §7.1 "check a navigation response's adherence to X-Frame-Options"); else
 * X-Frame-Options {@code DENY} or {@code SAMEORIGIN} (the meeting is never the page's origin) refuses, as does a
 * mix of values that includes one of them; anything else allows.
 *
 * <p>A {@code frame-ancestors} list allows us only when it allows every site ({@code *}, or a bare {@code https:}
 * or {@code http:} scheme): the node does not know which origin its clients see the meeting at, so a list of named
 * sites or {@code 'self'} counts as refusing. Report-only policies never block and are not read.
 */
public final class FramingHeaders {
  private FramingHeaders() {}

  /** {@code xFrameOptions} and {@code csp}: every value of each header, as received. */
  public static FramingCheck.Result decide(List<String> xFrameOptions, List<String> csp) {
    boolean decided = false;
    for (String header : csp) {
      // One header may carry several policies separated by commas (CSP3 §2.2.2); each must allow the frame.
      for (String policy : header.split(",")) {
        String ancestors = frameAncestors(policy);
        if (ancestors != null && !allowsEverySite(ancestors)) {
          return new FramingCheck.Result(Framing.REFUSED, "Content-Security-Policy: frame-ancestors"
              + (ancestors.isEmpty() ? "" : " " + ancestors));
        }
        decided |= ancestors != null;
      }
    }
    if (decided) {
      return new FramingCheck.Result(Framing.ALLOWED, "Content-Security-Policy: frame-ancestors allows every site");
    }
    Set<String> values = new LinkedHashSet<>();
    for (String header : xFrameOptions) {
      for (String value : header.split(",")) {
        if (!value.isBlank()) {
          values.add(value.trim().toLowerCase(Locale.ROOT));
        }
      }
    }
    boolean blocking = values.contains("deny") || values.contains("sameorigin");
    if (values.size() > 1 && (blocking || values.contains("allowall"))) {
      return new FramingCheck.Result(Framing.REFUSED, "X-Frame-Options: " + String.join(", ", xFrameOptions));
    }
    if (values.size() == 1 && blocking) {
      return new FramingCheck.Result(Framing.REFUSED, "X-Frame-Options: " + xFrameOptions.get(0).trim());
    }
    return new FramingCheck.Result(Framing.ALLOWED, null);
  }

  /** The source list of the policy's first frame-ancestors directive (CSP3 §2.2.1: later ones are ignored), or null. */
  private static String frameAncestors(String policy) {
    for (String directive : policy.split(";")) {
      String d = directive.trim();
      String name = d.split("[ \t]+", 2)[0].toLowerCase(Locale.ROOT);
      if (name.equals("frame-ancestors")) {
        return d.substring(name.length()).trim();
      }
    }
    return null;
  }

  private static boolean allowsEverySite(String sources) {
    for (String source : sources.split("[ \t]+")) {
      String s = source.toLowerCase(Locale.ROOT);
      if (s.equals("*") || s.equals("https:") || s.equals("http:")) {
        return true;
      }
    }
    return false;
  }
}
