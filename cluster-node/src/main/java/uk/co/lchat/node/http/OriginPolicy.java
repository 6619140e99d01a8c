package uk.co.lchat.node.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Which browser pages may open the signaling WebSocket. A browser sends the page's origin with every WebSocket
 * handshake (RFC 6455 §4.1, item 8) and, unlike with fetch, the server alone decides (§10.2): without this check
 * any site a member visits could join meetings in the member's name (cross-site WebSocket hijacking).
 *
 * <p>Allowed: the node's own origin, meaning an {@code http} or {@code https} origin whose authority is the
 * request's {@code Host} (RFC 6454 §4: scheme, host and port; a {@code Host} without a port stands for the origin
 * scheme's default port, as behind a TLS proxy on 443), and every origin of {@code lchat.http.allowed-origins}
 * ({@code "*"} allows any). A handshake without {@code Origin} comes from a non-browser client (the load tool, a
 * native app), which could claim any origin anyway: it is allowed. {@code Origin: null} (sandboxed frames, files)
 * and several origins are refused unless {@code "*"} is configured.
 */
public final class OriginPolicy {
  private final Set<String> allowed = new HashSet<>();
  private final boolean any;
  private final ClusterOrigins cluster;

  public OriginPolicy(List<String> allowedOrigins) {
    this(allowedOrigins, new ClusterOrigins());
  }

  /** {@code cluster}: the other nodes' origins, trusted as the node's own (a page moved by a drain). */
  public OriginPolicy(List<String> allowedOrigins, ClusterOrigins cluster) {
    this.cluster = cluster;
    boolean star = false;
    for (String origin : allowedOrigins) {
      if (origin.equals("*")) {
        star = true;
        continue;
      }
      String normal = normalise(origin);
      if (normal == null) {
        throw new IllegalArgumentException("lchat.http.allowed-origins: not an http(s) origin"
            + " (scheme://host[:port], no path): " + origin);
      }
      allowed.add(normal);
    }
    this.any = star;
  }

  /** Whether a WebSocket handshake with this {@code Origin} and {@code Host} header may proceed. */
  public boolean allows(Optional<String> origin, Optional<String> host) {
    if (any || origin.isEmpty()) {
      return true;
    }
    String normal = normalise(origin.get().trim());
    if (normal == null) {
      return false;
    }
    return allowed.contains(normal) || cluster.contains(normal)
        || host.map(h -> sameAuthority(normal, h.trim())).orElse(false);
  }

  /** {@code scheme://host:port} in lower case with the port spelled out, or null when it is not an http(s) origin. */
  static String normalise(String origin) {
    URI uri;
    try {
      uri = new URI(origin);
    } catch (URISyntaxException e) {
      return null;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null || uri.getRawUserInfo() != null
        || !(uri.getRawPath() == null || uri.getRawPath().isEmpty()) || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      return null;
    }
    int port = uri.getPort() != -1 ? uri.getPort() : defaultPort(scheme);
    return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
  }

  /** Whether a normalised origin names the authority in a {@code Host} header (host, optional port). */
  private static boolean sameAuthority(String normalOrigin, String hostHeader) {
    String scheme = normalOrigin.substring(0, normalOrigin.indexOf(':'));
    String normalHost = normalise(scheme + "://" + hostHeader);
    return normalOrigin.equals(normalHost);
  }

  private static int defaultPort(String scheme) {
    return scheme.equals("https") ? 443 : 80;
  }
}
