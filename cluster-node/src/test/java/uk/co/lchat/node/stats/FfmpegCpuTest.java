package uk.co.lchat.node.stats;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class FfmpegCpuTest {
  @Test
  void aBusyFfmpegChildCountsInTheNodesCpuAndAnotherBusyChildDoesNot() throws Exception {
    FfmpegCpu cpu = new FfmpegCpu();
    Process encoder = new ProcessBuilder("ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
        "testsrc2=size=1280x720:rate=30", "-t", "60", "-c:v", "libx264", "-preset", "medium", "-f", "null", "-")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try {
      cpu.shareSinceLastCall();
      double share = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (share < 0.05 && System.nanoTime() < deadline) {
        Thread.sleep(500);
        share = cpu.shareSinceLastCall();
      }
      assertTrue(share >= 0.05, "an encoding FFmpeg shows in the node's CPU: " + share);
    } finally {
      encoder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    // A busy child that is no FFmpeg (a node process a local autoscaler started, say) is a node of its own.
    Process busy = new ProcessBuilder("sh", "-c", "while :; do :; done").start();
    try {
      cpu.shareSinceLastCall();
      Thread.sleep(1000);
      assertTrue(cpu.shareSinceLastCall() < 0.05, "a child that is not FFmpeg counts for nothing");
    } finally {
      busy.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
