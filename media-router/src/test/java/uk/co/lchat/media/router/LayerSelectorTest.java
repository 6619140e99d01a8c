package uk.co.lchat.media.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The simulcast decision with no sockets: which layer a receiver should get, and which packets go to it while it
 * switches. Layers here are 0 (q, 150 kbit/s), 1 (h, 500 kbit/s) and 2 (f, 2.5 Mbit/s) unless a test ranks them
 * otherwise.
 */
class LayerSelectorTest {
  private static final int[] RANKED = {0, 1, 2};
  private static final long[] RATES = {150_000, 500_000, 2_500_000};
  /** The layers' heights from their keyframes: a 720p camera scaled down by 4, 2 and 1. */
  private static final int[] HEIGHTS = {180, 360, 720};
  private final LayerSelector selector = new LayerSelector();

  private int choose() {
    return selector.choose(RANKED, RATES, HEIGHTS, 0);
  }

  /** Puts the receiver on {@code layer}, as a keyframe of it would. */
  private void on(int layer) {
    selector.forwards(layer, true);
    assertEquals(layer, selector.current());
  }

  @Test
  void aReceiverWithNothingYetStartsWithWhicheverLayersKeyframeComesFirst() {
    assertFalse(selector.forwards(2, false), "a delta frame cannot start a stream");
    assertTrue(selector.forwards(1, true), "the first keyframe, of any layer, starts it");
    assertEquals(1, selector.current());
    assertFalse(selector.forwards(0, true), "once started, another layer's keyframe changes nothing unasked");
    assertTrue(selector.forwards(1, false));
  }

  @Test
  void aHighQualityReceiverIsAskedTheHighestLayerOnceAndWaitsForItsKeyframe() {
    on(0);
    assertEquals(2, choose(), "switch to the highest-rate layer: its keyframe is needed");
    assertEquals(2, selector.pending());
    assertEquals(LayerSelector.KEEP, choose(), "already waiting for it: no second request");
    assertTrue(selector.forwards(0, false), "the old layer goes on until the switch");
    assertFalse(selector.forwards(2, false), "the new layer's delta frames cannot start it");
    assertTrue(selector.forwards(2, true), "its keyframe switches");
    assertEquals(2, selector.current());
    assertEquals(-1, selector.pending());
    assertFalse(selector.forwards(0, false), "the old layer is not sent any more");
  }

  @Test
  void theLayerAlreadyForwardedAsksForNothing() {
    on(2);
    assertEquals(LayerSelector.KEEP, choose());
  }

  @Test
  void aLowQualityReceiverGetsTheLowestRankedLayer() {
    on(2);
    selector.quality(false);
    assertEquals(0, choose());
    selector.quality(true);
    assertEquals(2, selector.target(RANKED, RATES, HEIGHTS, 0));
  }

  @Test
  void layersAreChosenByMeasuredRateNotByTheirOrderInTheOffer() {
    int[] ranked = {2, 0, 1}; // the publisher lists its layers high to low: layer 2 sends the least
    long[] rates = {500_000, 2_500_000, 150_000};
    assertEquals(1, selector.target(ranked, rates, new int[3], 0));
    selector.quality(false);
    assertEquals(2, selector.target(ranked, rates, new int[3], 0));
  }

  @Test
  void withNothingMeasuredYetAnyKnownLayerIsTheTarget() {
    assertEquals(1, selector.choose(new int[0], new long[3], new int[3], 1));
    assertEquals(LayerSelector.KEEP, new LayerSelector().choose(new int[0], new long[3], new int[3], -1),
        "no layer is known: nothing to ask for");
  }

  @Test
  void heavyLossLimitsTheReceiverToTheLowestLayerUntilFiveCleanReportsInARow() {
    on(2);
    assertEquals(LayerSelector.LossChange.LIMITED, selector.reportedLoss(0.25));
    assertTrue(selector.lossLimited());
    assertEquals(0, choose(), "the lowest layer while loss-limited");
    assertEquals(LayerSelector.LossChange.NONE, selector.reportedLoss(0.30), "already limited");
    for (int i = 0; i < LayerSelector.GOOD_REPORTS_TO_RECOVER - 1; i++) {
      assertEquals(LayerSelector.LossChange.NONE, selector.reportedLoss(0));
    }
    assertEquals(LayerSelector.LossChange.RECOVERED, selector.reportedLoss(0.01), "the fifth clean report");
    assertFalse(selector.lossLimited());
    assertEquals(2, selector.target(RANKED, RATES, HEIGHTS, 0), "the high layer again");
  }

  @Test
  void lossBetweenTheThresholdsNeitherLimitsNorCountsTowardsRecovery() {
    assertEquals(LayerSelector.LossChange.NONE, selector.reportedLoss(0.05), "2-10 %: no step down");
    assertFalse(selector.lossLimited());
    selector.reportedLoss(0.5);
    for (int i = 0; i < LayerSelector.GOOD_REPORTS_TO_RECOVER - 1; i++) {
      selector.reportedLoss(0);
    }
    assertEquals(LayerSelector.LossChange.NONE, selector.reportedLoss(0.05), "a middling report starts over");
    for (int i = 0; i < LayerSelector.GOOD_REPORTS_TO_RECOVER - 1; i++) {
      assertEquals(LayerSelector.LossChange.NONE, selector.reportedLoss(0));
    }
    assertEquals(LayerSelector.LossChange.RECOVERED, selector.reportedLoss(0));
  }

  @Test
  void aRembCapsTheReceiverAtTheHighestLayerThatFits() {
    selector.maxBitrate(600_000);
    assertEquals(1, selector.target(RANKED, RATES, HEIGHTS, 0));
    selector.maxBitrate(100_000);
    assertEquals(0, selector.target(RANKED, RATES, HEIGHTS, 0), "nothing fits: the lowest");
    selector.maxBitrate(5_000_000);
    assertEquals(2, selector.target(RANKED, RATES, HEIGHTS, 0));
  }

  @Test
  void aReceiverHeldBelowTheLayerItWantsOnlyByItsEstimateIsHeldBackFromTheNextLayerUp() {
    assertEquals(-1, selector.heldBackFrom(RANKED, RATES, HEIGHTS), "no estimate yet: nothing held back");
    selector.maxBitrate(235_000);
    assertEquals(1, selector.heldBackFrom(RANKED, RATES, HEIGHTS), "on q, the estimate keeps it from h");
    selector.maxBitrate(600_000);
    assertEquals(2, selector.heldBackFrom(RANKED, RATES, HEIGHTS), "on h, from f");
    selector.maxBitrate(5_000_000);
    assertEquals(-1, selector.heldBackFrom(RANKED, RATES, HEIGHTS), "on f: nothing above");
    selector.maxBitrate(235_000);
    selector.maxHeight(180);
    assertEquals(-1, selector.heldBackFrom(RANKED, RATES, HEIGHTS), "its own height limit keeps it on q");
    selector.maxHeight(360);
    assertEquals(1, selector.heldBackFrom(RANKED, RATES, HEIGHTS), "a limit of 360 wants h: the estimate holds it");
    selector.maxHeight(LayerSelector.ANY_HEIGHT);
    selector.quality(false);
    assertEquals(-1, selector.heldBackFrom(RANKED, RATES, HEIGHTS), "low quality wants q anyway");
    selector.quality(true);
    selector.reportedLoss(0.2);
    assertEquals(-1, selector.heldBackFrom(RANKED, RATES, HEIGHTS), "so does heavy loss");
  }

  @Test
  void aRembNeverRaisesALowQualityOrLossLimitedReceiver() {
    selector.maxBitrate(5_000_000);
    selector.quality(false);
    assertEquals(0, selector.target(RANKED, RATES, HEIGHTS, 0));
    selector.quality(true);
    selector.reportedLoss(0.2);
    assertEquals(0, selector.target(RANKED, RATES, HEIGHTS, 0));
  }

  @Test
  void aNewerTargetReplacesAPendingSwitchBeforeItHappens() {
    on(1);
    assertEquals(2, choose());
    selector.quality(false);
    assertEquals(0, choose(), "the receiver asked for low quality meanwhile");
    assertFalse(selector.forwards(2, true), "the first target's keyframe no longer switches");
    assertEquals(1, selector.current());
    assertTrue(selector.forwards(0, true));
    assertEquals(0, selector.current());
  }

  @Test
  void aLayerThatStopsSendingDropsOutOfTheRankingAndTheReceiverMovesDown() {
    on(2);
    int[] withoutTheTop = {0, 1}; // layer 2 sent nothing in the last second (the publisher's bandwidth fell)
    assertEquals(1, selector.choose(withoutTheTop, RATES, HEIGHTS, 0));
  }

  @Test
  void aReceiverAskingForAThumbnailGetsTheTallestLayerThatFitsIt() {
    on(2);
    selector.maxHeight(180);
    assertEquals(0, choose(), "180 px: the quarter-size layer, whose keyframe is asked for");
    selector.maxHeight(400);
    assertEquals(1, selector.target(RANKED, RATES, HEIGHTS, 0), "400 px: the half-size layer, 360 px high");
    selector.maxHeight(720);
    assertEquals(2, selector.target(RANKED, RATES, HEIGHTS, 0), "720 px: the whole picture");
    selector.maxHeight(LayerSelector.ANY_HEIGHT);
    assertEquals(2, selector.target(RANKED, RATES, HEIGHTS, 0));
  }

  @Test
  void aHeightLimitBelowEveryLayerStillGetsTheLowestLayer() {
    selector.maxHeight(90);
    assertEquals(0, selector.target(RANKED, RATES, HEIGHTS, 0), "a picture too tall beats no picture");
  }

  @Test
  void aLayerWhoseHeightIsNotKnownYetDoesNotCountAsFitting() {
    selector.maxHeight(720);
    assertEquals(1, selector.target(RANKED, RATES, new int[] {180, 360, 0}, 0), "the top layer's keyframe not seen");
    assertEquals(0, selector.target(RANKED, RATES, new int[3], 0), "no height known: only the lowest is safe");
  }

  @Test
  void heightsFollowTheMeasuredRankingNotTheOrderInTheOffer() {
    int[] ranked = {2, 0, 1}; // the publisher lists its layers high to low
    long[] rates = {500_000, 2_500_000, 150_000};
    int[] heights = {360, 720, 180};
    selector.maxHeight(360);
    assertEquals(0, selector.target(ranked, rates, heights, 0));
    selector.maxHeight(200);
    assertEquals(2, selector.target(ranked, rates, heights, 0));
  }

  @Test
  void theBandwidthEstimateStillCapsAReceiverThatAsksForMore() {
    selector.maxHeight(720);
    selector.maxBitrate(600_000);
    assertEquals(1, selector.target(RANKED, RATES, HEIGHTS, 0), "HD asked for, but only the 500 kbit/s layer fits");
    selector.maxHeight(180);
    assertEquals(0, selector.target(RANKED, RATES, HEIGHTS, 0), "and a smaller picture asked for wins over the estimate");
  }

  @Test
  void aHeightLimitNeverRaisesALowQualityOrLossLimitedReceiver() {
    selector.maxHeight(720);
    selector.quality(false);
    assertEquals(0, selector.target(RANKED, RATES, HEIGHTS, 0));
    selector.quality(true);
    selector.reportedLoss(0.2);
    assertEquals(0, selector.target(RANKED, RATES, HEIGHTS, 0));
  }

  @Test
  void aReceiverWantingNoVideoGetsNoPacketsAndAsksForNoKeyframe() {
    on(1);
    selector.maxHeight(0);
    assertEquals(LayerSelector.KEEP, choose(), "nothing to switch to");
    assertEquals(-1, selector.current());
    assertFalse(selector.forwards(1, false), "not even the layer it had");
    assertFalse(selector.forwards(2, true), "nor any keyframe");
  }

  @Test
  void aReceiverThatWantsVideoAgainStartsAtTheNextKeyframeOfTheLayerThatFits() {
    on(2);
    selector.maxHeight(0);
    selector.maxHeight(360);
    assertEquals(1, choose(), "the 360 px layer's keyframe is asked for");
    assertFalse(selector.forwards(1, false), "its delta frames cannot start the stream");
    assertTrue(selector.forwards(1, true));
    assertEquals(1, selector.current());
  }

  @Test
  void aNegativeHeightIsTakenAsNoVideo() {
    selector.maxHeight(-5);
    assertEquals(0, selector.maxHeight());
    assertEquals(-1, selector.target(RANKED, RATES, HEIGHTS, 0));
  }
}
