package uk.co.lchat.egress;

import java.util.Locale;

import uk.co.lchat.egress.composite.Layout;

/**
 * What to record: per track ({@code track}), or the meeting as one picture ({@code composite}) in a layout
 * ({@code grid}, {@code speaker}) and a size (720p by default, 1080p as an option).
 */
public record EgressRequest(String type, Layout layout, int height) {
  public static final EgressRequest TRACKS = new EgressRequest("track", Layout.GRID, 720);

  public EgressRequest {
    if (!type.equals("track") && !type.equals("composite")) {
      throw new IllegalArgumentException("type: \"composite\" or \"track\", not \"" + type + "\"");
    }
    if (height != 720 && height != 1080) {
      throw new IllegalArgumentException("resolution: \"720p\" or \"1080p\"");
    }
  }

  /**
   * From the API's fields, each optional ({@code type} composite, {@code layout} grid, {@code resolution} 720p);
   * a value it does not know is an {@link IllegalArgumentException} with a message for the caller.
   */
  public static EgressRequest of(String type, String layout, String resolution) {
    Layout l;
    try {
      l = Layout.parse(layout);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("layout: \"grid\" or \"speaker\", not \"" + layout + "\"");
    }
    int height = switch (resolution == null ? "720p" : resolution.toLowerCase(Locale.ROOT)) {
      case "720p" -> 720;
      case "1080p" -> 1080;
      default -> throw new IllegalArgumentException("resolution: \"720p\" or \"1080p\", not \"" + resolution + "\"");
    };
    return new EgressRequest(type == null ? "composite" : type, l, height);
  }

  boolean composite() {
    return type.equals("composite");
  }
}
