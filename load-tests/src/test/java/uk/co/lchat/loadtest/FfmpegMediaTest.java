package uk.co.lchat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import uk.co.lchat.media.rtp.RtpPacket;
import uk.co.lchat.media.rtp.Vp8;

/**
 * One FFmpeg run of about 3 s (150 Opus packets), what it sent kept and checked: VP8 frames and keyframes as RFC
 * 7741 packetizes them, Opus at 50 packets/s in 20 ms steps, and no FFmpeg left once closed. Then a screen's run
 * of a second or two: VP8 alone, at its size and frame rate.
 */
class FfmpegMediaTest {
  /** 3 s of 20 ms packets. */
  private static final int AUDIO_PACKETS = 150;

  /** One datagram as it arrived. */
  private record Arrival(long nanos, byte[] packet) {
    RtpPacket rtp() {
      RtpPacket rtp = new RtpPacket();
      assertTrue(rtp.wrap(packet, 0, packet.length), "an RTP packet");
      return rtp;
    }
  }

  private static final List<Arrival> video = new ArrayList<>();
  private static final List<Arrival> audio = new ArrayList<>();
  private static boolean aliveAfterClose;

  @BeforeAll
  static void runFfmpegForThreeSeconds() throws Exception {
    assumeTrue(FfmpegMedia.onPath(), "ffmpeg is not on the PATH");
    CountDownLatch enoughAudio = new CountDownLatch(AUDIO_PACKETS);
    ProcessHandle process;
    try (FfmpegMedia media = new FfmpegMedia(1)) {
      process = media.process();
      media.onPacket((isVideo, packet, length) -> {
        Arrival a = new Arrival(System.nanoTime(), Arrays.copyOf(packet, length));
        synchronized (FfmpegMediaTest.class) {
          if (enoughAudio.getCount() == 0) {
            return; // keep what the first 3 s sent, not what comes while closing
          }
          (isVideo ? video : audio).add(a);
        }
        if (!isVideo) {
          enoughAudio.countDown();
        }
      });
      // Generous for a loaded machine: it takes about 3 s.
      assertTrue(enoughAudio.await(30, TimeUnit.SECONDS), "FFmpeg sent " + audio.size() + " audio packets in 30 s");
    }
    aliveAfterClose = process.isAlive();
  }

  @Test
  void videoPacketsAreVp8FramesWithKeyframes() {
    synchronized (FfmpegMediaTest.class) {
      assertTrue(video.size() > 30, "video packets: " + video.size());
      int keyframes = 0;
      for (Arrival a : video) {
        RtpPacket rtp = a.rtp();
        assertTrue(rtp.payloadLength() > 1, "a VP8 payload descriptor and data");
        // RFC 7741 §4.2: the descriptor's reserved bits are zero, in its first octet and in the X octet after it.
        int first = a.packet()[rtp.payloadOffset()] & 0xFF;
        assertEquals(0, first & 0x40, "R bit of " + rtp.sequenceNumber());
        if ((first & 0x80) != 0) {
          assertEquals(0, a.packet()[rtp.payloadOffset() + 1] & 0x0F, "RSV bits of " + rtp.sequenceNumber());
        }
        if (Vp8.isKeyframeStart(a.packet(), rtp.payloadOffset(), rtp.payloadLength())) {
          keyframes++;
        }
      }
      assertTrue(keyframes >= 1, "keyframes (S=1, PID=0, P=0) in 3 s: " + keyframes);
    }
  }

  @Test
  void markerBitsEndVideoFramesAndTheNextPacketStartsAFrame() {
    synchronized (FfmpegMediaTest.class) {
      int frames = 0;
      for (int i = 1; i < video.size(); i++) {
        RtpPacket previous = video.get(i - 1).rtp();
        RtpPacket rtp = video.get(i).rtp();
        assertEquals((previous.sequenceNumber() + 1) & 0xFFFF, rtp.sequenceNumber(), "consecutive on loopback");
        boolean newFrame = rtp.timestamp() != previous.timestamp();
        // RFC 7741 §4.1: the marker is set on the last packet of a frame, and only there.
        assertEquals(newFrame, previous.marker(), "marker of the packet before " + rtp.sequenceNumber());
        if (newFrame) {
          frames++;
          // RFC 7741 §4.2: a frame starts with S=1 and partition index 0.
          int descriptor = video.get(i).packet()[rtp.payloadOffset()] & 0xFF;
          assertEquals(0x10, descriptor & 0x17, "S=1, PID=0 at a frame's first packet " + rtp.sequenceNumber());
        }
      }
      assertTrue(frames >= 60, "frames in 3 s at 30 frames/s: " + frames);
    }
  }

  @Test
  void audioPacketsComeFiftyASecondTwentyMillisecondsApart() {
    synchronized (FfmpegMediaTest.class) {
      assertEquals(AUDIO_PACKETS, audio.size());
      for (int i = 1; i < audio.size(); i++) {
        RtpPacket previous = audio.get(i - 1).rtp();
        RtpPacket rtp = audio.get(i).rtp();
        assertEquals((previous.sequenceNumber() + 1) & 0xFFFF, rtp.sequenceNumber(), "consecutive on loopback");
        // 20 ms at Opus's 48 kHz RTP clock (RFC 7587 §4.1).
        assertEquals((previous.timestamp() + 960) & 0xFFFFFFFFL, rtp.timestamp(), "timestamp of " + i);
      }
      double seconds = (audio.getLast().nanos() - audio.getFirst().nanos()) / 1e9;
      double perSecond = (audio.size() - 1) / seconds;
      assertTrue(perSecond > 40 && perSecond < 60, "audio packets per second: " + perSecond);
    }
  }

  @Test
  void closeEndsTheFfmpegProcess() {
    assertFalse(aliveAfterClose);
  }

  @Test
  void aScreenSendsVp8KeyframesOfItsSizeAtFifteenFramesASecondAndNoSound(@TempDir Path dir) throws Exception {
    List<Arrival> screen = new ArrayList<>();
    List<Arrival> sound = new ArrayList<>();
    // Two keyframes: a second of frames (-g 15) between them.
    CountDownLatch keyframes = new CountDownLatch(2);
    ProcessHandle process;
    try (FfmpegMedia media = FfmpegMedia.screen(0, dir.resolve("screen.log"))) {
      process = media.process();
      assertTrue(media.isScreen());
      media.onPacket((isVideo, packet, length) -> {
        Arrival a = new Arrival(System.nanoTime(), Arrays.copyOf(packet, length));
        synchronized (screen) {
          if (keyframes.getCount() == 0) {
            return;
          }
          (isVideo ? screen : sound).add(a);
        }
        RtpPacket rtp = a.rtp();
        if (isVideo && Vp8.isKeyframeStart(a.packet(), rtp.payloadOffset(), rtp.payloadLength())) {
          keyframes.countDown();
        }
      });
      assertTrue(keyframes.await(30, TimeUnit.SECONDS), "two keyframes in 30 s; video packets: " + screen.size());
    }
    synchronized (screen) {
      assertEquals(List.of(), sound, "a screen sends no sound");
      int frames = 0;
      for (int i = 0; i < screen.size(); i++) {
        Arrival a = screen.get(i);
        RtpPacket rtp = a.rtp();
        if (Vp8.isKeyframeStart(a.packet(), rtp.payloadOffset(), rtp.payloadLength())) {
          assertEquals(FfmpegMedia.SCREEN_WIDTH + "x" + FfmpegMedia.SCREEN_HEIGHT, keyframeSize(a.packet(), rtp));
        }
        if (i > 0 && rtp.timestamp() != screen.get(i - 1).rtp().timestamp()) {
          frames++;
          // 15 frames/s at VP8's 90 kHz clock (RFC 7741 §4.1): 6000 ticks a frame, more where one was dropped.
          long step = (rtp.timestamp() - screen.get(i - 1).rtp().timestamp()) & 0xFFFFFFFFL;
          assertEquals(0, step % 6000, "timestamp step before " + rtp.sequenceNumber() + ": " + step);
        }
      }
      assertTrue(frames >= 10, "frames between two keyframes a second apart: " + frames);
    }
    assertFalse(process.isAlive(), "the screen's FFmpeg ended when closed");
  }

  /**
   * The size in a VP8 keyframe's first packet: after the RTP payload descriptor (RFC 7741 §4.2), the 3-octet frame
   * tag, the start code 9d 01 2a, then width and height in 14 bits each, little-endian (RFC 6386 §9.1).
   */
  private static String keyframeSize(byte[] p, RtpPacket rtp) {
    int at = rtp.payloadOffset();
    boolean extended = (p[at++] & 0x80) != 0;
    if (extended) {
      int x = p[at++] & 0xFF;
      if ((x & 0x80) != 0) { // PictureID, 7 or 15 bits
        at += (p[at] & 0x80) != 0 ? 2 : 1;
      }
      if ((x & 0x40) != 0) { // TL0PICIDX
        at++;
      }
      if ((x & 0x30) != 0) { // TID/Y/KEYIDX
        at++;
      }
    }
    assertEquals("9d012a", String.format("%02x%02x%02x", p[at + 3], p[at + 4], p[at + 5]), "start code");
    int width = ((p[at + 6] & 0xFF) | (p[at + 7] & 0xFF) << 8) & 0x3FFF;
    int height = ((p[at + 8] & 0xFF) | (p[at + 9] & 0xFF) << 8) & 0x3FFF;
    return width + "x" + height;
  }
}
