package uk.co.lchat.media.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Copies that lift a receiver's estimate to the next layer: how many go with each packet, and how a probe that does
 * not work stops and waits. A receiver here gets a 150 kbit/s layer and is held from a 300 kbit/s one.
 */
class BandwidthProbeTest {
  private static final long SECOND = 1_000_000_000L;
  private static final int BYTES = 1000;
  private final BandwidthProbe probe = new BandwidthProbe();
  private long now = 1_000 * SECOND;

  private int copiesOver(int packets) {
    int copies = 0;
    for (int i = 0; i < packets; i++) {
      copies += probe.copies(BYTES, 235_000, now);
    }
    return copies;
  }

  @Test
  void aReceiverHeldBackByItsEstimateGetsCopiesUpToALittleAboveTheNextLayersRate() {
    probe.goal(1, 300_000, 150_000, false);
    int copies = copiesOver(1000);
    // 300 kbit/s with 20% headroom is 360: 210 kbit/s of copies over the 150 sent, 1.4 copies a packet.
    assertTrue(Math.abs(copies - 1400) <= 1, copies + " copies");
    assertTrue(probe.probing());
  }

  @Test
  void noCopiesGoToAReceiverTheEstimateDoesNotHoldBack() {
    probe.goal(-1, 0, 150_000, false);
    assertEquals(0, copiesOver(100));
    assertFalse(probe.probing());
  }

  @Test
  void aFarHigherLayerIsReachedWithAtMostThreeCopiesOfAPacket() {
    probe.goal(2, 2_500_000, 150_000, false);
    assertEquals(300, copiesOver(100));
  }

  @Test
  void aProbeThatDoesNotLiftTheEstimateInTimeStopsAndEachFailureWaitsTwiceAsLong() {
    probe.goal(1, 300_000, 150_000, false);
    assertTrue(copiesOver(10) > 0);
    now += BandwidthProbe.PROBE_NANOS + 1;
    assertEquals(0, copiesOver(1), "the probe timed out");
    assertFalse(probe.probing());
    now += BandwidthProbe.FIRST_BACKOFF_NANOS - 1;
    assertEquals(0, copiesOver(10), "it waits");
    now += 2;
    assertTrue(copiesOver(10) > 0, "then probes again");
    now += BandwidthProbe.PROBE_NANOS + 1;
    assertEquals(0, copiesOver(1));
    now += BandwidthProbe.FIRST_BACKOFF_NANOS + 1;
    assertEquals(0, copiesOver(10), "the second wait is twice the first");
    now += BandwidthProbe.FIRST_BACKOFF_NANOS;
    assertTrue(copiesOver(10) > 0);
  }

  @Test
  void anEstimateThatFallsDuringAProbeEndsIt() {
    probe.goal(1, 300_000, 150_000, false);
    copiesOver(10);
    probe.estimate(220_000, now);
    assertTrue(probe.probing(), "a little less is noise");
    probe.estimate(150_000, now);
    assertFalse(probe.probing(), "much less is congestion");
    assertEquals(0, copiesOver(10));
  }

  @Test
  void movingUpALayerForgetsEarlierFailures() {
    probe.goal(1, 300_000, 150_000, false);
    copiesOver(1);
    now += BandwidthProbe.PROBE_NANOS + 1;
    copiesOver(1);
    assertEquals(0, copiesOver(1), "failed: waiting");
    probe.goal(2, 2_500_000, 300_000, true);
    assertTrue(copiesOver(1) > 0, "on the next layer up it probes at once for the one after");
  }
}
