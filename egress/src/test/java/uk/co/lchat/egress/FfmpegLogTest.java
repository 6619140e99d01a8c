package uk.co.lchat.egress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FfmpegLogTest {
  @TempDir
  Path dir;

  @Test
  void aLogEndingInAWriteThatFoundNoSpaceSaysSoAfterAnyAmountOfWarnings() throws Exception {
    Path log = dir.resolve("encoder.log");
    Files.writeString(log, "[mp4 @ 0x55d] Non-monotonous DTS in output stream 0:1\n".repeat(5_000)
        + "av_interleaved_write_frame(): No space left on device\n"
        + "Error writing trailer of composite.mp4: No space left on device\n");
    assertTrue(Files.size(log) > 200_000, "longer than the tail that is read");
    String tail = FfmpegLog.tail(log);
    assertTrue(tail.length() <= 64 * 1024);
    assertTrue(FfmpegLog.saysNoSpace(tail));
  }

  @Test
  void aLogOfAnotherFailureOrNoLogAtAllSaysNothingOfSpace() throws Exception {
    Path log = dir.resolve("track.log");
    Files.writeString(log, "rtmp://example/live: Connection reset by peer\n");
    assertFalse(FfmpegLog.saysNoSpace(FfmpegLog.tail(log)));
    assertEquals("", FfmpegLog.tail(dir.resolve("missing.log")));
  }
}
