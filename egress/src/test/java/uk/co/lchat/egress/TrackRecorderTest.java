package uk.co.lchat.egress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import uk.co.lchat.media.control.TrackInfo;

/**
 * FFmpeg as the router's recorder sees it: plain RTP on loopback, payloads like the load tool's synthetic Opus and
 * VP8 (not decodable: copied, never decoded), finalised by 'q'; ffprobe reads the file back.
 */
class TrackRecorderTest {
  @TempDir
  Path dir;

  private EgressSettings settings() {
    return new EgressSettings(true, dir, "ffmpeg", "ffprobe", Duration.ofSeconds(10), Duration.ofSeconds(1),
        Duration.ZERO, 0);
  }

  @Test
  void syntheticOpusAndVp8AreCopiedIntoWebmFilesOfTheRightDuration() throws Exception {
    TrackInfo audio = new TrackInfo("p1", "a1", "audio", 1111, "opus", 48000, 2, "minptime=10;useinbandfec=1", null);
    TrackInfo video = new TrackInfo("p1", "v1", "video", 2222, "VP8", 90000, 0, null, null);
    TrackRecorder ra = TrackRecorder.start(settings(), audio, dir.resolve("a.webm"));
    TrackRecorder rv = TrackRecorder.start(settings(), video, dir.resolve("v.webm"));
    // As the router does: send once FFmpeg listens, or the kernel drops the first keyframe.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!(ra.listening() && rv.listening())) {
      assertTrue(System.nanoTime() < deadline, "FFmpeg listens on its ports");
      Thread.sleep(20);
    }
    try (DatagramSocket out = new DatagramSocket()) {
      InetAddress lo = InetAddress.getLoopbackAddress();
      long begin = System.nanoTime();
      int frame = 0;
      // 4 s: 50 Opus packets and 30 VP8 frames a second, a keyframe every second.
      for (int tick = 0; tick < 200; tick++) {
        send(out, lo, ra.port, opus(tick));
        if (tick % 5 < 3) { // 3 of every 5 ticks of 20 ms: 30 frames a second, as the timestamps say
          send(out, lo, rv.port, vp8(frame, frame % 30 == 0));
          frame++;
        }
        long next = begin + (tick + 1) * 20_000_000L;
        TimeUnit.NANOSECONDS.sleep(Math.max(0, next - System.nanoTime()));
      }
    }
    // No packets follow, as for a track that is gone: FFmpeg ends by its own read timeout (10 s), cleanly.
    ra.stop(Duration.ofSeconds(30));
    rv.stop(Duration.ofSeconds(30));
    ra.exit().get(60, TimeUnit.SECONDS);
    rv.exit().get(60, TimeUnit.SECONDS);
    Probe a = Probe.of("ffprobe", dir.resolve("a.webm"));
    Probe v = Probe.of("ffprobe", dir.resolve("v.webm"));
    assertEquals(List.of("opus"), a.codecs(), Files.readString(dir.resolve("a.webm.log")));
    assertEquals(List.of("vp8"), v.codecs(), Files.readString(dir.resolve("v.webm.log")));
    assertTrue(Math.abs(a.durationSeconds() - 4) < 1, "audio " + a.durationSeconds() + " s");
    assertTrue(Math.abs(v.durationSeconds() - 4) < 1, "video " + v.durationSeconds() + " s");
  }

  private static void send(DatagramSocket s, InetAddress to, int port, byte[] packet) throws Exception {
    s.send(new DatagramPacket(packet, packet.length, to, port));
  }

  private static byte[] header(int pt, int seq, long ts, long ssrc, int payload) {
    byte[] b = new byte[12 + payload];
    b[0] = (byte) 0x80;
    b[1] = (byte) pt;
    b[2] = (byte) (seq >>> 8);
    b[3] = (byte) seq;
    for (int i = 0; i < 4; i++) {
      b[4 + i] = (byte) (ts >>> (24 - 8 * i));
      b[8 + i] = (byte) (ssrc >>> (24 - 8 * i));
    }
    return b;
  }

  /** As the load tool sends: 60 payload bytes 0, 1, 2, ... (TOC 0: one 10 ms SILK frame). */
  static byte[] opus(int i) {
    byte[] b = header(111, i, i * 960L, 1111, 60);
    for (int k = 0; k < 60; k++) {
      b[12 + k] = (byte) k;
    }
    return b;
  }

  /** As the load tool sends: a VP8 descriptor (S=1), the frame tag (a keyframe's with its size), then filler. */
  static byte[] vp8(int frame, boolean keyframe) {
    byte[] b = header(96, frame, frame * 3000L, 2222, 300);
    b[1] |= (byte) 0x80; // marker: one packet per frame
    b[12] = 0x10;
    b[13] = (byte) (keyframe ? 0x00 : 0x01);
    for (int k = 2; k < 300; k++) {
      b[12 + k] = (byte) k;
    }
    if (keyframe) { // RFC 6386 §9.1 start code and 640x360, as SimulatedPeer sends
      b[13] = (byte) (0x10 | (20 << 5));
      b[14] = (byte) ((0x10 | (20 << 5)) >> 8);
      b[15] = 0;
      b[16] = (byte) 0x9d;
      b[17] = 0x01;
      b[18] = 0x2a;
      b[19] = (byte) 0x80;
      b[20] = 0x02;
      b[21] = 0x68;
      b[22] = 0x01;
    }
    return b;
  }
}
