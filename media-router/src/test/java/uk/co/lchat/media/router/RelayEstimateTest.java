package uk.co.lchat.media.router;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The estimate a router sends over a relay (REMB) for the stream its receivers get from the other end. */
class RelayEstimateTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void fallsWithTheWorstReceiversLossAndGrowsBackUntilThereIsNoLimit() {
    Publication p = new Publication(null, 0x99, "video", 96, 90000, -1);
    Subscription receiver = new Subscription(p, null, 96, null, null);
    p.add(receiver);
    long t = SECOND;
    assertEquals(-1, p.relayEstimate(t), "nothing measured yet");
    p.bytes += 100_000; // 800 kbit/s
    assertEquals(-1, p.relayEstimate(t += SECOND), "nobody lost anything: no limit, no REMB");
    receiver.reportedLoss = 0.25;
    p.bytes += 100_000;
    assertEquals(700_000, p.relayEstimate(t += SECOND), "800 kbit/s * (1 - 0.25 / 2)");
    p.bytes += 50_000; // the far router now sends a 400 kbit/s layer
    assertEquals(350_000, p.relayEstimate(t += SECOND), "from the lower of estimate and rate");
    receiver.reportedLoss = 0.05;
    p.bytes += 50_000;
    assertEquals(350_000, p.relayEstimate(t += SECOND), "between 2 % and 10 %: hold");
    receiver.reportedLoss = 0;
    p.bytes += 50_000;
    assertEquals(378_000, p.relayEstimate(t += SECOND), "8 % more a second");
    long estimate = 0;
    for (int i = 0; i < 30 && estimate != Publication.NO_LIMIT; i++) {
      p.bytes += 50_000;
      estimate = p.relayEstimate(t += SECOND);
    }
    assertEquals(Publication.NO_LIMIT, estimate, "far above the rate: the limit is lifted");
  }
}
