package uk.co.lchat.media.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Every packet of a stream counts for its transport, its stream and the stream's loss statistics. */
class ReceiveCountTest {
  @Test
  void packetsAndBytesAreCountedAndAMissingSequenceNumberIsLoss() {
    StageFixture f = new StageFixture();
    Endpoint e = f.endpoint("a");
    Publication audio = new Publication(e, 5, "audio", 111, 48000, -1);
    ReceiveCount stage = new ReceiveCount();
    long wire = 0;
    for (int seq = 0; seq < 10; seq++) {
      if (seq == 5) {
        continue; // lost on the way (RFC 3550 §A.3)
      }
      ReceivedPacket in = f.parsed(e, StageFixture.rtp(111, 5, seq, seq * 960L, new byte[60]));
      in.wireLength += 16; // what the SRTP tag added on the wire
      wire += in.wireLength;
      in.publication = audio;
      assertTrue(stage.run(in));
    }
    assertEquals(9, audio.packets());
    assertEquals(9 * 72, audio.bytes(), "decrypted lengths");
    assertEquals(9, e.packetsReceived());
    assertEquals(wire, e.bytesReceived(), "lengths on the wire");
    assertEquals(10, audio.stats.expected());
    assertEquals(1, audio.lost());
  }
}
