package uk.co.lchat.egress;

import java.util.List;

/**
 * One egress as the server API shows it. {@code status}: {@code starting}, {@code active}, {@code ended};
 * {@code reason} once ended: {@code stopped}, {@code room_ended}, {@code encoder_failed}, {@code stream_failed},
 * {@code node_shutdown}, {@code refused}, {@code disk_full} (the storage fell below
 * {@code lchat.egress.min-free-space}, or FFmpeg could write no more). {@code rtmp}: where it streams, each URL's
 * stream key hidden; {@code hls}: whether it publishes HLS.
 */
public record EgressInfo(String egressId, String roomId, String type, String status, String reason,
                         long startedAtMillis, long endedAtMillis, List<RecordedFile> files, List<String> rtmp,
                         boolean hls) {
  public EgressInfo {
    rtmp = rtmp == null ? List.of() : List.copyOf(rtmp);
  }

  /** Where its HLS playlist is served ({@code /hls/<egress>/index.m3u8}), or null when it publishes none. */
  public String hlsPath() {
    return hls ? "/hls/" + egressId + "/" + uk.co.lchat.egress.composite.Outputs.HLS_PLAYLIST : null;
  }

  /**
   * An RTMP URL as others may see it: its last path segment, the stream key (a secret that lets anyone stream to
   * the channel), replaced by {@code ***}.
   */
  public static String redacted(String rtmpUrl) {
    int slash = rtmpUrl.lastIndexOf('/');
    int hostEnd = rtmpUrl.indexOf('/', rtmpUrl.indexOf("//") + 2);
    return slash > hostEnd && hostEnd > 0 ? rtmpUrl.substring(0, slash + 1) + "***" : rtmpUrl;
  }

  /**
   * One file written: its name under the storage directory, the track it holds, size and duration, and when its
   * media starts and stops (epoch ms: when its recorder began to listen and was asked to stop; 0 when it never
   * listened, or died by itself), so that per-track files can be lined up in post-production.
   */
  public record RecordedFile(String name, String participantId, String displayName, String kind, String codec,
                             long bytes, double durationSeconds, long startedAtMillis, long stoppedAtMillis) {}
}
