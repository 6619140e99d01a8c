package uk.co.lchat.node.whip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SessionOutcomeTest {
  @Test
  void aRefusedJoinBecomesTheHttpStatusAClientCanActOn() {
    assertEquals(401, SessionOutcome.refused("passcode_required", "This meeting needs a passcode.").status());
    assertEquals(401, SessionOutcome.refused("passcode_wrong", "The passcode is wrong.").status());
    assertEquals(400, SessionOutcome.refused("invalid_name", "A name needs 1 to 64 characters.").status());
    assertEquals(503, SessionOutcome.refused("room_full", "The meeting is full.").status());
    assertEquals(503, SessionOutcome.refused("retry", "The room is closing; join again.").status());
    assertEquals(429, SessionOutcome.refused("passcode_throttled", "Too many wrong passcodes.", 4).status());
    assertEquals(4, SessionOutcome.refused("passcode_throttled", "Too many wrong passcodes.", 4).retryAfterSeconds());
    assertEquals(503, SessionOutcome.refused("room_recovering", "Being recovered.", 2).status());
    assertEquals(403, SessionOutcome.refused("removed", "You were removed from this meeting.").status());
    assertEquals(403, SessionOutcome.refused("denied", "A moderator did not let you in.").status());
    assertEquals("passcode_wrong", SessionOutcome.refused("passcode_wrong", "The passcode is wrong.").code());
    assertEquals("The passcode is wrong.", SessionOutcome.refused("passcode_wrong", "The passcode is wrong.").message());
  }
}
