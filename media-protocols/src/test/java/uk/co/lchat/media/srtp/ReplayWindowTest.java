package uk.co.lchat.media.srtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ReplayWindowTest {
  @Test
  void lateButUnseenPacketsPassAndRepeatsOrVeryOldOnesDoNot() {
    ReplayWindow w = new ReplayWindow();
    for (long i = 1000; i <= 1100; i += 2) {
      w.accept(i);
    }
    assertFalse(w.isReplay(1101));
    assertFalse(w.isReplay(1099), "odd indexes within the window were never seen");
    assertTrue(w.isReplay(1098));
    w.accept(1099);
    assertTrue(w.isReplay(1099));
    assertTrue(w.isReplay(1100 - ReplayWindow.SIZE), "too old to tell");
    assertFalse(w.isReplay(1100 - ReplayWindow.SIZE + 1));
  }

  @Test
  void theRolloverCounterFollowsTheSequenceNumberAcrossAWrap() {
    ReplayWindow w = new ReplayWindow();
    w.accept(w.rtpIndex(65_530));
    long wrapped = w.rtpIndex(3);
    assertEquals((1L << 16) | 3, wrapped);
    w.accept(wrapped);
    // A straggler from before the wrap still belongs to ROC 0.
    assertEquals(65_534, w.rtpIndex(65_534));
    assertFalse(w.isReplay(w.rtpIndex(65_534)));
    assertTrue(w.isReplay(w.rtpIndex(65_530)));
  }

  @Test
  void aPacketFromBeforeTheFirstRolloverIsTooOld() {
    ReplayWindow w = new ReplayWindow();
    w.accept(w.rtpIndex(10));
    long index = w.rtpIndex(65_000);
    assertTrue(index < 0);
    assertTrue(w.isReplay(index));
  }

  @Test
  void srtcpIndexesCountFromZero() {
    ReplayWindow w = new ReplayWindow();
    assertEquals(0, w.nextRtcpIndex());
    assertEquals(1, w.nextRtcpIndex());
    assertEquals(2, w.nextRtcpIndex());
  }
}
