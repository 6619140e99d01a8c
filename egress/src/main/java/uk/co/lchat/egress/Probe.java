package uk.co.lchat.egress;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** What ffprobe says about a media file: its duration, each stream's codec, and its video's size (0 without). */
public record Probe(double durationSeconds, List<String> codecs, int width, int height) {
  static final Probe UNREADABLE = new Probe(-1, List.of(), 0, 0);

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Runs {@code ffprobe} on {@code file}; a file it cannot read gives duration -1 and no codecs. */
  public static Probe of(String ffprobe, Path file) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(ffprobe, "-v", "error", "-show_entries",
        "format=duration:stream=codec_name,codec_type,width,height", "-of", "json", file.toString())
        .redirectErrorStream(false).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      return UNREADABLE;
    }
    JsonNode root = JSON.readTree(new String(out, StandardCharsets.UTF_8));
    List<String> codecs = new ArrayList<>();
    int width = 0;
    int height = 0;
    for (JsonNode s : root.path("streams")) {
      codecs.add(s.path("codec_name").asText());
      if (s.path("codec_type").asText().equals("video") && width == 0) {
        width = s.path("width").asInt();
        height = s.path("height").asInt();
      }
    }
    double duration = root.path("format").path("duration").asDouble(-1);
    return new Probe(duration, codecs, width, height);
  }
}
