package uk.co.lchat.egress;

import java.net.URI;
import java.util.List;
import java.util.Locale;

import uk.co.lchat.egress.composite.Layout;

/**
 * What to record: per track ({@code track}), or the meeting as one picture ({@code composite}) in a layout
 * ({@code grid}, {@code speaker}) and a size (720p by default, 1080p as an option). A composite goes to a file
 * ({@code file}, on by default), and may be streamed live at the same time: pushed to RTMP/RTMPS servers
 * ({@code rtmp}, YouTube, Twitch, any provider) and published as HLS ({@code hls}) that the cluster serves.
 */
public record EgressRequest(String type, Layout layout, int height, boolean file, List<String> rtmp, boolean hls,
                            boolean webm) {
  public static final int MAX_RTMP = 5;
  private static final int MAX_URL = 1024;

  public EgressRequest {
    if (!type.equals("track") && !type.equals("composite")) {
      throw new IllegalArgumentException("type: \"composite\" or \"track\", not \"" + type + "\"");
    }
    if (height != 720 && height != 1080) {
      throw new IllegalArgumentException("resolution: \"720p\" or \"1080p\"");
    }
    rtmp = List.copyOf(rtmp);
    if (type.equals("track") && (!rtmp.isEmpty() || hls)) {
      throw new IllegalArgumentException("rtmp, hls: only a composite is streamed, not \"track\"");
    }
    if (rtmp.size() > MAX_RTMP) {
      throw new IllegalArgumentException("rtmp: at most " + MAX_RTMP + " URLs");
    }
    rtmp.forEach(EgressRequest::checkRtmp);
    if (type.equals("composite") && !file && rtmp.isEmpty() && !hls) {
      throw new IllegalArgumentException("file: a composite needs a file, an rtmp URL or hls");
    }
    if (webm && (!type.equals("composite") || !file || !rtmp.isEmpty() || hls)) {
      throw new IllegalArgumentException("format: \"webm\" is for a composite file alone (streams take H.264)");
    }
  }

  /** Per-track recording. */
  public static EgressRequest tracks() {
    return new EgressRequest("track", Layout.GRID, 720, true, List.of(), false, false);
  }

  /**
   * From the API's fields, each optional ({@code type} composite, {@code layout} grid, {@code resolution} 720p);
   * a value it does not know is an {@link IllegalArgumentException} with a message for the caller.
   */
  public static EgressRequest of(String type, String layout, String resolution) {
    return of(type, layout, resolution, null, true, List.of(), false);
  }

  /**
   * As {@link #of(String, String, String)}, with the composite's file {@code format} ({@code mp4}, the default, or
   * {@code webm}) and outputs.
   */
  public static EgressRequest of(String type, String layout, String resolution, String format, boolean file,
                                 List<String> rtmp, boolean hls) {
    boolean webm = switch (format == null ? "mp4" : format.toLowerCase(Locale.ROOT)) {
      case "mp4" -> false;
      case "webm" -> true;
      default -> throw new IllegalArgumentException("format: \"mp4\" or \"webm\", not \"" + format + "\"");
    };
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
    return new EgressRequest(type == null ? "composite" : type, l, height, file, rtmp, hls, webm);
  }

  /**
   * An RTMP or RTMPS URL with a host; FFmpeg's tee muxer separates outputs with '|' and options with '[' ']', so
   * those (and whitespace) are refused rather than escaped.
   */
  private static void checkRtmp(String url) {
    if (url == null || url.length() > MAX_URL || url.chars().anyMatch(c -> c <= ' ' || c == '|' || c == '['
        || c == ']' || c == '\\' || c == '\'' || c == '"')) {
      throw new IllegalArgumentException("rtmp: an rtmp:// or rtmps:// URL of at most " + MAX_URL
          + " characters, without spaces, quotes, '|', '[' or ']'");
    }
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("rtmp: not a URL: " + url);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("rtmp") && !scheme.equals("rtmps") || uri.getHost() == null) {
      throw new IllegalArgumentException("rtmp: an rtmp:// or rtmps:// URL with a host, not " + url);
    }
  }

  boolean composite() {
    return type.equals("composite");
  }

  /**
   * The room's features this egress uses: {@code recording} when it keeps files (every per-track one, a composite
   * with {@code file}), {@code streaming} when it goes to RTMP or HLS.
   */
  public List<String> features() {
    List<String> needs = new java.util.ArrayList<>();
    if (!composite() || file) {
      needs.add("recording");
    }
    if (!rtmp.isEmpty() || hls) {
      needs.add("streaming");
    }
    return List.copyOf(needs);
  }
}
