package uk.co.lchat.node.embed;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;

/**
 * Which sites may embed the meeting in an iframe ({@code lchat.embed}, docs/embed.md), read once: any site
 * ({@code "*"}, the default), only the listed origins, or none. The browser enforces it with the meeting pages'
 * {@code Content-Security-Policy: frame-ancestors} (CSP Level 3 §6.4.2); the embedded client also takes commands
 * from, and sends events to, only an allowed parent origin.
 *
 * @param anyOrigin every site may embed the meeting
 * @param origins the allowed origins ({@code scheme://host[:port]}, as browsers serialise them, HTML §7.5); empty
 *     with {@code anyOrigin} false: no site may
 * @param allowHideBranding whether an embedding page may hide the product's branding
 */
public record EmbedSettings(boolean anyOrigin, List<String> origins, boolean allowHideBranding) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public EmbedSettings {
    origins = List.copyOf(origins);
  }

  public static EmbedSettings fromConfig(Config config) {
    Config c = config.getConfig("lchat.embed");
    List<String> raw = c.getStringList("allowed-origins");
    boolean any = raw.contains("*");
    if (any && raw.size() > 1) {
      throw new IllegalArgumentException("lchat.embed.allowed-origins: \"*\" (any site) cannot be listed with"
          + " origins: " + raw);
    }
    List<String> origins = new ArrayList<>();
    if (!any) {
      for (String o : raw) {
        origins.add(origin(o));
      }
    }
    return new EmbedSettings(any, origins, c.getBoolean("allow-hide-branding"));
  }

  /**
   * An origin as a browser's {@code MessageEvent.origin} spells it: lower-case scheme and host, the port only when
   * it is not the scheme's default; anything with a path, query, fragment or user info is refused, since a frame
   * ancestor or a postMessage origin never has them.
   */
  static String origin(String value) {
    URI uri;
    try {
      uri = new URI(value.strip());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("lchat.embed.allowed-origins: not an origin: " + value);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    boolean bare = (uri.getRawPath() == null || uri.getRawPath().isEmpty()) && uri.getRawQuery() == null
        && uri.getRawFragment() == null && uri.getRawUserInfo() == null;
    if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null || !bare) {
      throw new IllegalArgumentException("lchat.embed.allowed-origins: " + value + " is not an origin such as"
          + " https://intranet.example.com (http or https, a host, an optional port, nothing after it)");
    }
    int port = uri.getPort();
    boolean defaultPort = port == -1 || scheme.equals("https") && port == 443 || scheme.equals("http") && port == 80;
    return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
  }

  /**
   * The headers of the meeting's pages: none when any site may embed them; else {@code frame-ancestors} naming the
   * node itself and the allowed origins only, and when no site may, {@code X-Frame-Options: SAMEORIGIN} too for
   * browsers without CSP (RFC 7034). X-Frame-Options cannot name other sites (its ALLOW-FROM is obsolete), so with a
   * list CSP decides alone, as it does in every browser that has it.
   */
  public List<HttpHeader> pageHeaders() {
    if (anyOrigin) {
      return List.of();
    }
    StringBuilder ancestors = new StringBuilder("frame-ancestors 'self'");
    for (String o : origins) {
      ancestors.append(' ').append(o);
    }
    HttpHeader csp = RawHeader.create("Content-Security-Policy", ancestors.toString());
    return origins.isEmpty() ? List.of(csp, RawHeader.create("X-Frame-Options", "SAMEORIGIN")) : List.of(csp);
  }

  /** What the web client needs to know ({@code GET /api/config}'s {@code embed}). */
  public ObjectNode clientView() {
    ObjectNode n = JSON.createObjectNode();
    var list = n.putArray("allowedOrigins");
    if (anyOrigin) {
      list.add("*");
    } else {
      origins.forEach(list::add);
    }
    n.put("allowHideBranding", allowHideBranding);
    return n;
  }
}
