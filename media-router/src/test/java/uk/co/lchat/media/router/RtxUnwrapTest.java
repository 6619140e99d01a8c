package uk.co.lchat.media.router;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** A relay's retransmission (RFC 4588 RTX) becomes the packet it repairs; duplicates and strangers are dropped. */
class RtxUnwrapTest {
  private final StageFixture f = new StageFixture();
  private final Relay relay = f.relay("r");
  private final Publication video = new Publication(relay, 0x99, "video", 96, 90000, -1);
  private final RtxUnwrap stage = new RtxUnwrap(f.counters);
  private final byte[] payload = StageFixture.vp8(false, 300);

  RtxUnwrapTest() {
    relay.incoming.put(video.ssrc, video);
    relay.rtxIncoming.put(0x5555, video);
  }

  /** RFC 4588 §4: RTX payload type and SSRC, its own sequence number, the original one before the payload. */
  private byte[] rtx(int originalSeq) {
    byte[] rtxPayload = new byte[2 + payload.length];
    rtxPayload[0] = (byte) (originalSeq >>> 8);
    rtxPayload[1] = (byte) originalSeq;
    System.arraycopy(payload, 0, rtxPayload, 2, payload.length);
    return StageFixture.rtp(127, 0x5555, 7, 90_000, rtxPayload);
  }

  @Test
  void aRetransmissionBecomesTheOriginalPacketOfTheStreamItRepairs() {
    ReceivedPacket in = f.parsed(relay, rtx(1005));
    assertTrue(stage.run(in));
    assertSame(video, in.publication);
    assertEquals(12 + payload.length, in.length());
    assertEquals(1005, in.rtp.sequenceNumber());
    assertEquals(0x99, in.rtp.ssrc());
    assertEquals(96, in.rtp.payloadType());
    assertArrayEquals(payload, Arrays.copyOfRange(in.buffer(), 12, in.length()));
    assertEquals(1, f.counters.repairedOverRelays());
  }

  @Test
  void aRetransmissionOfAPacketAlreadyHereIsADuplicate() {
    byte[] original = StageFixture.rtp(96, 0x99, 1005, 90_000, payload);
    video.cache.put(1005, original, original.length);
    assertFalse(stage.run(f.parsed(relay, rtx(1005))));
    assertEquals(1, f.counters.duplicateRetransmissions);
    assertEquals(1, stage.dropped());
  }

  @Test
  void aPacketOfAnSsrcNobodyPublishesIsDropped() {
    assertFalse(stage.run(f.parsed(relay, StageFixture.rtp(96, 0x7777, 1, 1, payload))));
    assertEquals(1, f.counters.unknownSsrc());
  }

  @Test
  void aPacketOfAKnownStreamPassesUntouched() {
    byte[] plain = StageFixture.rtp(96, 0x99, 1, 1, payload);
    ReceivedPacket in = f.parsed(relay, plain);
    in.publication = video;
    assertTrue(stage.run(in));
    assertArrayEquals(plain, Arrays.copyOf(in.buffer(), in.length()));
  }
}
