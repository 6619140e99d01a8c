package uk.co.lchat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import uk.co.lchat.media.rtp.RtpPacket;
import uk.co.lchat.media.rtp.Vp8;

/**
 * One FFmpeg run of about 3 s (150 Opus packets), what it sent kept and checked: VP8 frames and keyframes as RFC
 * 7741 packetizes them, Opus at 50 packets/s in 20 ms steps, and no FFmpeg left once closed.
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
}
