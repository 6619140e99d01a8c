package uk.co.lchat.media.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ConferenceTrackerTest {
  @Test
  void conferencesStartWithTheFirstParticipantAndEndWithTheLast() {
    ConferenceTracker t = new ConferenceTracker();
    t.joined("moon", "a");
    t.joined("moon", "b");
    t.joined("sun", "c");
    ConferenceTracker.Snapshot s = t.snapshot();
    assertEquals(2, s.created());
    assertEquals(3, s.participants());
    assertEquals(2, s.largest());
    t.left("moon", "a");
    t.left("moon", "a"); // twice is once
    assertEquals(2, t.snapshot().sizes().length);
    t.left("moon", "b");
    t.left("sun", "c");
    assertArrayEquals(new int[0], t.snapshot().sizes());
    assertEquals(2, t.snapshot().created());
  }

  @Test
  void aConferenceWhereNoMediaConnectedFailedAndOneWhereSomeDidPartiallyFailed() {
    ConferenceTracker t = new ConferenceTracker();
    // Nobody's media connected.
    t.joined("dark", "a");
    t.mediaAttempted("dark", "a");
    t.joined("dark", "b");
    t.mediaAttempted("dark", "b");
    t.left("dark", "a");
    t.left("dark", "b");
    // One of two connected.
    t.joined("dim", "c");
    t.mediaAttempted("dim", "c");
    t.mediaConnected("dim", "c");
    t.joined("dim", "d");
    t.mediaAttempted("dim", "d");
    t.left("dim", "c");
    t.left("dim", "d");
    // Everyone connected; a chat-only participant who never tried media does not count against it.
    t.joined("bright", "e");
    t.mediaAttempted("bright", "e");
    t.mediaConnected("bright", "e");
    t.joined("bright", "f");
    t.left("bright", "e");
    t.left("bright", "f");
    ConferenceTracker.Snapshot s = t.snapshot();
    assertEquals(3, s.created());
    assertEquals(1, s.failed());
    assertEquals(1, s.partiallyFailed());
  }
}
