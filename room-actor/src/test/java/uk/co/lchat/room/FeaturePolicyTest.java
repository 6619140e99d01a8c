package uk.co.lchat.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

class FeaturePolicyTest {
  private static final Map<String, Boolean> ROOM = Map.of("screenshare", true, "chat", true, "recording", false);

  @Test
  void withoutATokenTheRoomsFlagsDecide() {
    assertNull(FeaturePolicy.refusal("screenshare", ROOM, null));
    FeaturePolicy.Refusal off = FeaturePolicy.refusal("recording", ROOM, null);
    assertEquals("forbidden", off.code());
    assertEquals("recording", off.feature());
    assertEquals("Recording is turned off in this meeting.", off.message());
    assertEquals("forbidden", FeaturePolicy.refusal("teleport", ROOM, null).code(), "an unknown feature is off");
  }

  @Test
  void aTokenThatSetsAFeatureToFalseRefusesItToItsHolder() {
    FeaturePolicy.Refusal r = FeaturePolicy.refusal("screenshare", ROOM, Map.of("screenshare", false));
    assertEquals("not_granted", r.code());
    assertEquals("screenshare", r.feature());
    assertTrue(r.message().contains("does not allow screen sharing"), r.message());
  }

  @Test
  void aTokenNeverTurnsOnWhatTheRoomHasOffAndWhatItDoesNotNameFollowsTheRoom() {
    assertEquals("forbidden", FeaturePolicy.refusal("recording", ROOM, Map.of("recording", true)).code(),
        "the moderator's off wins over the token's on");
    assertNull(FeaturePolicy.refusal("chat", ROOM, Map.of("screenshare", false)));
    assertNull(FeaturePolicy.refusal("screenshare", ROOM, Map.of("screenshare", true)));
    assertNull(FeaturePolicy.refusal("screenshare", ROOM, Map.of()), "an empty features claim restricts nothing");
  }
}
