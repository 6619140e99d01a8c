package uk.co.lchat.media.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The decrypted header is read into a view; what is not RTP (RFC 3550 §5.1) goes no further. */
class RtpParseTest {
  private final StageFixture f = new StageFixture();
  private final Endpoint e = f.endpoint("a");
  private final RtpParse stage = new RtpParse(f.counters);

  @Test
  void aWellFormedPacketIsViewedWithoutACopy() {
    ReceivedPacket in = f.arrived(e, StageFixture.rtp(96, 0x1234, 77, 3000, new byte[100]));
    assertTrue(stage.run(in));
    assertEquals(0x1234, in.rtp.ssrc());
    assertEquals(77, in.rtp.sequenceNumber());
    assertEquals(100, in.rtp.payloadLength());
  }

  @Test
  void aTruncatedPacketOrAnotherVersionIsDroppedAndCounted() {
    byte[] truncated = new byte[8];
    truncated[0] = (byte) 0x80;
    assertFalse(stage.run(f.arrived(e, truncated)));
    byte[] versionOne = StageFixture.rtp(96, 1, 1, 1, new byte[10]);
    versionOne[0] = 0x40;
    assertFalse(stage.run(f.arrived(e, versionOne)));
    assertEquals(2, stage.dropped());
    assertEquals(2, f.counters.dropped());
  }
}
