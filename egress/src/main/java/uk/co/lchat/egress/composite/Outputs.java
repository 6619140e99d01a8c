package uk.co.lchat.egress.composite;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the composite's encoder writes and in what codecs, as FFmpeg options: a fragmented MP4 file (H.264 + AAC, a
 * fragment a second, so it plays up to its last second if FFmpeg dies) or a WebM file ({@code webm}: VP8 + Opus, a
 * cluster a second), RTMP/RTMPS servers (FLV), and HLS (2-second MPEG-TS segments and a playlist of the last six,
 * older segments deleted). One destination is written directly; several go through FFmpeg's tee muxer, which
 * encodes once and muxes for each (H.264 + AAC, which every one of them takes).
 */
public record Outputs(Path file, List<String> rtmp, Path hlsDirectory, boolean webm) {
  /** The HLS playlist's name in its directory. */
  public static final String HLS_PLAYLIST = "index.m3u8";

  public Outputs {
    rtmp = List.copyOf(rtmp);
    if (file == null && rtmp.isEmpty() && hlsDirectory == null) {
      throw new IllegalArgumentException("no output");
    }
    if (webm && (file == null || !rtmp.isEmpty() || hlsDirectory != null)) {
      throw new IllegalArgumentException("WebM is for a file alone: streams take H.264 and AAC");
    }
  }

  public Outputs(Path file, List<String> rtmp, Path hlsDirectory) {
    this(file, rtmp, hlsDirectory, false);
  }

  /**
   * The encoders: H.264 veryfast and zerolatency (no B-frames, no look-ahead, which keeps a 720p30 composite well
   * under one core) and AAC; or VP8 in its realtime mode and Opus.
   */
  List<String> codecArgs(int kbps, int fps) {
    String gop = "" + (2 * fps);
    if (webm) {
      return List.of("-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", kbps + "k",
          "-maxrate", kbps + "k", "-g", gop, "-pix_fmt", "yuv420p", "-c:a", "libopus", "-b:a", "96k", "-ar", "48000");
    }
    return List.of("-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-crf", "23",
        "-maxrate", kbps + "k", "-bufsize", (2 * kbps) + "k", "-g", gop, "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", "128k", "-ar", "48000");
  }

  public static Outputs file(Path file) {
    return new Outputs(file, List.of(), null);
  }

  private static final String MP4 = "movflags=+frag_keyframe+empty_moov+default_base_moof:frag_duration=1000000";

  /** The options after the codecs: the muxer(s) and where they write. */
  List<String> ffmpegArgs() {
    List<Slave> slaves = new ArrayList<>();
    if (file != null) {
      slaves.add(new Slave("mp4", MP4, file.toString()));
    }
    for (String url : rtmp) {
      // A server that goes away ends the encoding (Debian's FFmpeg 5.1 would otherwise go on without it, unnoticed):
      // the egress then ends with stream_failed and the file so far is finalised.
      slaves.add(new Slave("flv", "onfail=abort", url));
    }
    if (hlsDirectory != null) {
      slaves.add(new Slave("hls", "hls_time=2:hls_list_size=6:hls_flags=delete_segments+independent_segments"
          + ":hls_segment_filename=" + escape(hlsDirectory.resolve("seg%05d.ts").toString()),
          hlsDirectory.resolve(HLS_PLAYLIST).toString()));
    }
    if (webm) {
      return List.of("-cluster_time_limit", "1000", "-flush_packets", "1", "-f", "webm", "-y", file.toString());
    }
    if (slaves.size() == 1 && file != null) {
      return List.of("-movflags", "+frag_keyframe+empty_moov+default_base_moof", "-frag_duration", "1000000",
          "-flush_packets", "1", "-f", "mp4", "-y", file.toString());
    }
    // FLV and MP4 keep the codecs' parameters in their headers, so the encoders write them there once for all.
    List<String> args = new ArrayList<>(List.of("-flags:v", "+global_header", "-flags:a", "+global_header",
        "-flush_packets", "1", "-f", "tee"));
    StringBuilder spec = new StringBuilder();
    for (Slave s : slaves) {
      if (!spec.isEmpty()) {
        spec.append('|');
      }
      spec.append("[f=").append(s.format());
      if (!s.options().isEmpty()) {
        spec.append(':').append(s.options());
      }
      spec.append(']').append(s.target());
    }
    args.add(spec.toString());
    return args;
  }

  private record Slave(String format, String options, String target) {}

  /** A tee option's value: its ':' and '\' escaped (FFmpeg's tee syntax), since ':' separates options. */
  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace(":", "\\:");
  }
}
