package uk.co.lchat.egress;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** What ffprobe says about a media file: its duration and each stream's codec. */
public record Probe(double durationSeconds, List<String> codecs) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Runs {@code ffprobe} on {@code file}; a file it cannot read gives duration -1 and no codecs. */
  public static Probe of(String ffprobe, Path file) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(ffprobe, "-v", "error", "-show_entries",
        "format=duration:stream=codec_name,codec_type", "-of", "json", file.toString())
        .redirectErrorStream(false).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      return new Probe(-1, List.of());
    }
    JsonNode root = JSON.readTree(new String(out, StandardCharsets.UTF_8));
    List<String> codecs = new ArrayList<>();
    for (JsonNode s : root.path("streams")) {
      codecs.add(s.path("codec_name").asText());
    }
    double duration = root.path("format").path("duration").asDouble(-1);
    return new Probe(duration, codecs);
  }
}
