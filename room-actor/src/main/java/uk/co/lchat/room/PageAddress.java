package uk.co.lchat.room;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a shared page's address may be: an absolute http or https URL (RFC 3986) of at most {@link #MAX_LENGTH}
 * characters, printable ASCII only, with a host and no user name or password. Anything else (a {@code javascript:}
 * or {@code data:} URL, a {@code file:} path, credentials that every participant's browser would send, spaces or
 * control characters that browsers repair differently) is refused with a sentence saying why. A valid address comes
 * back normalised: scheme and host in lower case, an empty path as {@code /} (as browsers write it).
 */
public final class PageAddress {
  /** Browsers take longer URLs, but a page worth sharing has a short address; this bounds every message. */
  public static final int MAX_LENGTH = 2048;
  private static final Pattern SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*):");

  /** What an address comes to. */
  public sealed interface Parsed {
    /** {@code host} in lower case, IPv6 without brackets. */
    record Valid(String url, String host) implements Parsed {}

    record Invalid(String message) implements Parsed {}
  }

  private PageAddress() {}

  public static Parsed parse(String url) {
    if (url == null || url.isBlank()) {
      return new Parsed.Invalid("Say which page to share: an http:// or https:// address.");
    }
    if (url.length() > MAX_LENGTH) {
      return new Parsed.Invalid("That address is too long (at most " + MAX_LENGTH + " characters).");
    }
    for (int i = 0; i < url.length(); i++) {
      char c = url.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        return new Parsed.Invalid("A page address may not contain spaces, control or non-ASCII characters"
            + " (percent-encode them).");
      }
    }
    // The scheme first (RFC 3986 §3.1), so that javascript: and data: are named whatever follows them.
    Matcher m = SCHEME.matcher(url);
    String scheme = m.lookingAt() ? m.group(1).toLowerCase(Locale.ROOT) : null;
    if (!"http".equals(scheme) && !"https".equals(scheme)) {
      return new Parsed.Invalid("Only http:// and https:// pages can be shared"
          + (scheme == null ? "." : " (not " + scheme + ":)."));
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return new Parsed.Invalid("That is not a valid web address.");
    }
    if (uri.getRawUserInfo() != null) {
      return new Parsed.Invalid("A shared page's address may not hold a user name or password.");
    }
    if (uri.getHost() == null || uri.isOpaque()) {
      return new Parsed.Invalid("A page address needs a host name, e.g. https://example.com/.");
    }
    if (uri.getPort() > 65535) {
      return new Parsed.Invalid("A port number is 1 to 65535.");
    }
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    StringBuilder normal = new StringBuilder(scheme).append("://").append(host);
    if (uri.getPort() != -1) {
      normal.append(':').append(uri.getPort());
    }
    normal.append(uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath());
    if (uri.getRawQuery() != null) {
      normal.append('?').append(uri.getRawQuery());
    }
    if (uri.getRawFragment() != null) {
      normal.append('#').append(uri.getRawFragment());
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new Parsed.Valid(normal.toString(), host);
  }
}
