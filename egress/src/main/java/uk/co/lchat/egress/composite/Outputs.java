package uk.co.lchat.egress.composite;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the composite's encoder writes, as FFmpeg output options: a fragmented MP4 file (a fragment a second, so
 * it plays up to its last second if FFmpeg dies), RTMP/RTMPS servers (FLV), and HLS (2-second MPEG-TS segments and
 * a playlist of the last six, older segments deleted). One destination is written directly; several go through
 * FFmpeg's tee muxer, which encodes once and muxes for each.
 */
public record Outputs(Path file, List<String> rtmp, Path hlsDirectory) {
  /** The HLS playlist's name in its directory. */
  public static final String HLS_PLAYLIST = "index.m3u8";

  public Outputs {
    rtmp = List.copyOf(rtmp);
    if (file == null && rtmp.isEmpty() && hlsDirectory == null) {
      throw new IllegalArgumentException("no output");
    }
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
