package uk.co.lchat.media.router;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import uk.co.lchat.media.srtp.PacketBuffer;

/** Video packets are kept, decrypted, to answer NACKs; audio is never retransmitted, so never kept. */
class CacheWriteTest {
  private final StageFixture f = new StageFixture();
  private final Endpoint e = f.endpoint("a");
  private final CacheWrite stage = new CacheWrite();

  @Test
  void aVideoPacketIsKeptUnderItsSequenceNumber() {
    Publication video = new Publication(e, 9, "video", 96, 90000, -1);
    byte[] plain = StageFixture.rtp(96, 9, 4242, 3000, StageFixture.vp8(true, 500));
    ReceivedPacket in = f.parsed(e, plain);
    in.publication = video;
    assertTrue(stage.run(in));
    assertTrue(video.cache.has(4242));
    byte[] out = new byte[PacketBuffer.CAPACITY];
    int n = video.cache.get(4242, out);
    assertArrayEquals(plain, Arrays.copyOf(out, n));
  }

  @Test
  void audioIsNotKept() {
    Publication audio = new Publication(e, 5, "audio", 111, 48000, -1);
    ReceivedPacket in = f.parsed(e, StageFixture.rtp(111, 5, 1, 960, new byte[60]));
    in.publication = audio;
    assertTrue(stage.run(in));
    assertNull(audio.cache);
    assertEquals(0, stage.dropped());
  }
}
