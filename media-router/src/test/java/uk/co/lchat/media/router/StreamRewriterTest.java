package uk.co.lchat.media.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import uk.co.lchat.media.rtp.RtpPacket;
import uk.co.lchat.media.rtp.VideoCodec;
import uk.co.lchat.media.rtp.Vp8;

class StreamRewriterTest {
  private final RtpPacket rtp = new RtpPacket();

  /** A VP8 RTP packet; {@code keyframeStart} sets S=1, PID=0 and a clear P bit in the VP8 frame tag. */
  private RtpPacket packet(long ssrc, int seq, long ts, boolean keyframeStart) {
    byte[] b = new byte[40];
    b[0] = (byte) 0x80;
    b[1] = 96;
    b[2] = (byte) (seq >>> 8);
    b[3] = (byte) seq;
    for (int i = 0; i < 4; i++) {
      b[4 + i] = (byte) (ts >>> (24 - 8 * i));
      b[8 + i] = (byte) (ssrc >>> (24 - 8 * i));
    }
    b[12] = (byte) (0x90); // X=1, S=1, PID=0
    b[13] = (byte) 0x80; // I: picture id follows
    b[14] = 0x12; // 7-bit picture id
    b[15] = (byte) (keyframeStart ? 0x10 : 0x11); // VP8 frame tag, P bit = 0 for a keyframe
    if (!keyframeStart) {
      b[12] = (byte) 0x80; // not a partition start
    }
    rtp.wrap(b, 0, b.length);
    return rtp;
  }

  @Test
  void vp8KeyframeStartIsRecognisedThroughTheExtendedDescriptor() {
    RtpPacket key = packet(1, 1, 1, true);
    assertTrue(Vp8.isKeyframeStart(key.buffer(), key.payloadOffset(), key.payloadLength()));
    RtpPacket delta = packet(1, 2, 1, false);
    assertFalse(Vp8.isKeyframeStart(delta.buffer(), delta.payloadOffset(), delta.payloadLength()));
    assertFalse(Vp8.isKeyframeStart(new byte[] {(byte) 0x90}, 0, 1), "truncated descriptor");
  }

  @Test
  void switchingSourcesKeepsOneSsrcAndContinuousSequenceNumbers() {
    StreamRewriter w = new StreamRewriter(0xABCDEF, true, 90000);
    long now = 0;
    assertFalse(w.rewrite(packet(111, 500, 9000, false), VideoCodec.VP8, now), "video waits for a keyframe");
    assertTrue(w.rewrite(packet(111, 501, 9000, true), VideoCodec.VP8, now));
    assertEquals(0xABCDEF, rtp.ssrc());
    int first = rtp.sequenceNumber();
    assertTrue(w.rewrite(packet(111, 502, 12000, false), VideoCodec.VP8, now += 33_000_000));
    assertEquals((first + 1) & 0xFFFF, rtp.sequenceNumber());
    long lastTs = rtp.timestamp();
    // Switch to another source with unrelated numbering: drop until its keyframe, then continue by one.
    assertFalse(w.rewrite(packet(222, 40000, 777, false), VideoCodec.VP8, now += 33_000_000));
    assertTrue(w.rewrite(packet(222, 40001, 777, true), VideoCodec.VP8, now += 33_000_000));
    assertEquals(0xABCDEF, rtp.ssrc());
    assertEquals((first + 2) & 0xFFFF, rtp.sequenceNumber());
    long gap = (rtp.timestamp() - lastTs) & 0xFFFFFFFFL;
    assertTrue(gap > 0 && gap < 90000, "timestamps advance by the wall-clock gap, not jump: " + gap);
    assertTrue(w.rewrite(packet(222, 40002, 3777, false), VideoCodec.VP8, now + 33_000_000));
    assertEquals((first + 3) & 0xFFFF, rtp.sequenceNumber());
    // A NACK for an outgoing number maps back to the current source's packet; numbers from before the switch, or
    // not sent yet, have none.
    assertEquals(40001, w.sourceSequence((first + 2) & 0xFFFF));
    assertEquals(40002, w.sourceSequence((first + 3) & 0xFFFF));
    assertEquals(-1, w.sourceSequence((first + 1) & 0xFFFF), "sent from the previous source");
    assertEquals(-1, w.sourceSequence((first + 4) & 0xFFFF), "not sent yet");
  }

  @Test
  void audioSwitchesWithoutWaiting() {
    StreamRewriter w = new StreamRewriter(5, false, 48000);
    assertTrue(w.rewrite(packet(1, 10, 100, false), null, 0));
    int s = rtp.sequenceNumber();
    assertTrue(w.rewrite(packet(2, 60000, 5, false), null, 20_000_000));
    assertEquals((s + 1) & 0xFFFF, rtp.sequenceNumber());
  }
}
