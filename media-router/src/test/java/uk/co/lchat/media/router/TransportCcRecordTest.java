package uk.co.lchat.media.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Arrival times by transport-wide sequence number, for the transport-cc feedback the sender's estimate needs. */
class TransportCcRecordTest {
  private final StageFixture f = new StageFixture();
  private final Endpoint e = f.endpoint("a");
  private final TransportCcRecord stage = new TransportCcRecord();

  @Test
  void aPacketCarryingTheExtensionIsRecordedForTheNextFeedback() {
    e.transportCc = new TransportCcRecorder(5);
    byte[] plain = StageFixture.rtp(96, 9, 1, 3000, new byte[20], new int[] {5}, new byte[][] {{0x00, 0x07}});
    assertTrue(stage.run(f.parsed(e, plain)));
    assertTrue(e.transportCc.feedback(new byte[1500], 0, 1, 9) > 0, "feedback for transport-wide seq 7");
  }

  @Test
  void withoutTheExtensionOrWithoutTransportCcNothingIsRecordedAndNothingDropped() {
    e.transportCc = new TransportCcRecorder(5);
    assertTrue(stage.run(f.parsed(e, StageFixture.rtp(96, 9, 1, 3000, new byte[20]))));
    assertEquals(0, e.transportCc.feedback(new byte[1500], 0, 1, 9));
    Endpoint plain = f.endpoint("b");
    assertTrue(stage.run(f.parsed(plain, StageFixture.rtp(96, 9, 1, 3000, new byte[20]))));
    assertEquals(0, stage.dropped());
  }
}
