package uk.co.lchat.egress.composite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;

import org.junit.jupiter.api.Test;

class SpeakerTrackerTest {
  @Test
  void theFirstToSpeakIsTheSpeakerAndSilenceChoosesNobody() {
    SpeakerTracker t = new SpeakerTracker(30);
    assertNull(t.frame(Map.of("a", 0.0, "b", 0.0)));
    assertEquals("a", t.frame(Map.of("a", 0.01, "b", 0.0)));
  }

  @Test
  void aCoughDoesNotMoveTheStageButASecondOfSpeechDoes() {
    SpeakerTracker t = new SpeakerTracker(30);
    for (int i = 0; i < 30; i++) {
      t.frame(Map.of("a", 0.01, "b", 0.0));
    }
    for (int i = 0; i < 5; i++) {
      assertEquals("a", t.frame(Map.of("a", 0.0, "b", 0.5)), "a short burst from b");
    }
    String speaker = null;
    for (int i = 0; i < 60; i++) {
      speaker = t.frame(Map.of("a", 0.0, "b", 0.05));
    }
    assertEquals("b", speaker);
  }

  @Test
  void aSpeakerWhoLeavesIsNoLongerTheSpeaker() {
    SpeakerTracker t = new SpeakerTracker(30);
    t.frame(Map.of("a", 0.01));
    assertNull(t.frame(Map.of("b", 0.0)));
  }
}
