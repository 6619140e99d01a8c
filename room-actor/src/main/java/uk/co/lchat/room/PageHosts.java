package uk.co.lchat.room;

import java.util.List;
import java.util.Locale;

/**
 * The hosts whose pages may be shared ({@code lchat.room.shared-page.allowed-hosts}): {@code *} is any host,
 * {@code *.example.com} any subdomain of example.com (not example.com itself), anything else one host exactly (a
 * name, an IPv4 address, or an IPv6 address with or without brackets). Host names compare case-insensitively. An
 * empty list allows nothing: the feature is off.
 *
 * <p>The node fetches a shared page to see whether it may be framed; it fetches from a loopback, link-local or
 * private address only when this list names the host exactly ({@link #namesExactly}), never through a wildcard, so
 * {@code *} does not open the node's own network to whoever shares a link (docs/security.md).
 */
public final class PageHosts {
  private final List<String> patterns;

  private PageHosts(List<String> patterns) {
    this.patterns = patterns;
  }

  public static PageHosts of(List<String> patterns) {
    return new PageHosts(patterns.stream().map(PageHosts::normalise).filter(p -> !p.isEmpty()).toList());
  }

  public boolean isEmpty() {
    return patterns.isEmpty();
  }

  public List<String> patterns() {
    return patterns;
  }

  /** Whether a page on {@code host} may be shared. */
  public boolean allows(String host) {
    String h = normalise(host);
    for (String p : patterns) {
      if (p.equals("*") || p.equals(h) || (p.startsWith("*.") && h.endsWith(p.substring(1)))) {
        return true;
      }
    }
    return false;
  }

  /** Whether the list names {@code host} itself (no wildcard): only then may the node fetch it at a private address. */
  public boolean namesExactly(String host) {
    return patterns.contains(normalise(host));
  }

  private static String normalise(String host) {
    String h = host == null ? "" : host.trim().toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
  }
}
