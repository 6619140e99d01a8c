package uk.co.lchat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
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
 * A clip of 2 s sent in a loop for about 5.5 s, so across two loop points: what arrived is one stream, as a live
 * encoder's is. Sequence numbers go on by one, timestamps by one frame (a millisecond more at most where the clip
 * starts again), keyframes come every 30 frames whichever pass they are in, and the sound comes at its own rate, not
 * in a burst when the clip starts again.
 */
class FfmpegMediaLoopTest {
  private static final int CLIP_SECONDS = 2;
  /** 5.5 s of 20 ms packets: two loop points and most of a third pass. */
  private static final int AUDIO_PACKETS = 275;
  /** One frame at 30 frames/s on VP8's 90 kHz clock (RFC 7741 §4.1), and one at Opus's 48 kHz (RFC 7587 §4.1). */
  private static final long VIDEO_FRAME = 3000;
  private static final long AUDIO_FRAME = 960;

  /** One datagram as it arrived. */
  private record Arrival(long nanos, byte[] packet) {
    RtpPacket rtp() {
      RtpPacket rtp = new RtpPacket();
      assertTrue(rtp.wrap(packet, 0, packet.length), "an RTP packet");
      return rtp;
    }
  }

  @TempDir
  static Path dir;
  private static final List<Arrival> video = new ArrayList<>();
  private static final List<Arrival> audio = new ArrayList<>();
  private static boolean aliveAfterClose;

  @BeforeAll
  static void loopAClipOfTwoSecondsForFiveAndAHalf() throws Exception {
    assumeTrue(FfmpegMedia.onPath(), "ffmpeg is not on the PATH");
    Path clip = dir.resolve("clip.nut");
    Path log = dir.resolve("ffmpeg.log");
    FfmpegMedia.encodeClip(3, CLIP_SECONDS, clip, log);
    assertTrue(Files.size(clip) > 10_000, "a clip of " + CLIP_SECONDS + " s: " + Files.size(clip) + " bytes");
    CountDownLatch enoughAudio = new CountDownLatch(AUDIO_PACKETS);
    ProcessHandle process;
    try (FfmpegMedia media = FfmpegMedia.looping(3, clip, log)) {
      process = media.process();
      media.onPacket((isVideo, packet, length) -> {
        Arrival a = new Arrival(System.nanoTime(), Arrays.copyOf(packet, length));
        synchronized (FfmpegMediaLoopTest.class) {
          if (enoughAudio.getCount() == 0) {
            return;
          }
          (isVideo ? video : audio).add(a);
        }
        if (!isVideo) {
          enoughAudio.countDown();
        }
      });
      assertTrue(enoughAudio.await(60, TimeUnit.SECONDS), "FFmpeg sent " + audio.size() + " audio packets in 60 s");
    }
    aliveAfterClose = process.isAlive();
  }

  @Test
  void soundGoesOnAcrossLoopPointsOneFrameAtATimeAtItsOwnRate() {
    synchronized (FfmpegMediaLoopTest.class) {
      assertEquals(AUDIO_PACKETS, audio.size());
      for (int i = 1; i < audio.size(); i++) {
        RtpPacket previous = audio.get(i - 1).rtp();
        RtpPacket rtp = audio.get(i).rtp();
        assertEquals((previous.sequenceNumber() + 1) & 0xFFFF, rtp.sequenceNumber(), "consecutive on loopback");
        long step = (rtp.timestamp() - previous.timestamp()) & 0xFFFFFFFFL;
        assertTrue(step >= AUDIO_FRAME && step <= AUDIO_FRAME + 48,
            "20 ms, a millisecond more at most, before packet " + i + ": " + step + " ticks");
      }
      double seconds = (audio.getLast().nanos() - audio.getFirst().nanos()) / 1e9;
      double perSecond = (audio.size() - 1) / seconds;
      assertTrue(perSecond > 45 && perSecond < 55, "audio packets per second over three passes: " + perSecond);
    }
  }

  @Test
  void pictureGoesOnAcrossLoopPointsOneFrameAtATimeWithAKeyframeEveryThirty() {
    synchronized (FfmpegMediaLoopTest.class) {
      int frames = 0;
      List<Integer> keyframesAt = new ArrayList<>();
      for (int i = 0; i < video.size(); i++) {
        RtpPacket rtp = video.get(i).rtp();
        boolean newFrame = i == 0 || rtp.timestamp() != video.get(i - 1).rtp().timestamp();
        if (i > 0) {
          RtpPacket previous = video.get(i - 1).rtp();
          assertEquals((previous.sequenceNumber() + 1) & 0xFFFF, rtp.sequenceNumber(), "consecutive on loopback");
          if (newFrame) {
            long step = (rtp.timestamp() - previous.timestamp()) & 0xFFFFFFFFL;
            assertTrue(step >= VIDEO_FRAME && step <= VIDEO_FRAME + 90,
                "a frame, a millisecond more at most, before packet " + rtp.sequenceNumber() + ": " + step);
          }
        }
        if (newFrame) {
          frames++;
          if (Vp8.isKeyframeStart(video.get(i).packet(), rtp.payloadOffset(), rtp.payloadLength())) {
            keyframesAt.add(frames);
          }
        }
      }
      assertTrue(frames >= 150, "frames in 5.5 s at 30 frames/s: " + frames);
      assertTrue(keyframesAt.size() >= 4, "keyframes at frames " + keyframesAt);
      for (int k = 1; k < keyframesAt.size(); k++) {
        assertEquals(30, keyframesAt.get(k) - keyframesAt.get(k - 1), "keyframes at frames " + keyframesAt);
      }
    }
  }

  @Test
  void closeEndsTheLoopingFfmpeg() {
    assertFalse(aliveAfterClose);
  }
}
