package uk.co.lchat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** When and where a participant whose signaling connection dropped tries again. */
class ReconnectScheduleTest {
  private static final URI A = URI.create("ws://a/ws");
  private static final URI B = URI.create("ws://b/ws");
  private static final URI C = URI.create("ws://c/ws");

  @Test
  void delaysDoubleFromHalfASecondToTenSecondsForAboutTwoMinutes() {
    List<Long> millis = new ArrayList<>();
    Duration total = Duration.ZERO;
    for (int n = 1; n <= ReconnectSchedule.TRIES; n++) {
      millis.add(ReconnectSchedule.delayBefore(n).toMillis());
      total = total.plus(ReconnectSchedule.delayBefore(n));
    }
    assertEquals(List.of(500L, 1000L, 2000L, 4000L, 8000L, 10_000L), millis.subList(0, 6));
    assertEquals(10_000L, millis.get(millis.size() - 1));
    assertEquals(125.5, total.toMillis() / 1000.0, 0.01);
  }

  @Test
  void theFirstTryGoesToTheDroppedUrlThenTheOtherNodesInTurn() {
    ReconnectSchedule s = new ReconnectSchedule(B, List.of(A, B, C));

    assertEquals(List.of(B, C, A, B, C), List.of(s.target(1), s.target(2), s.target(3), s.target(4), s.target(5)));
  }

  @Test
  void aSingleNodeIsTriedEveryTime() {
    ReconnectSchedule s = new ReconnectSchedule(A, List.of(A));

    assertEquals(List.of(A, A, A), List.of(s.target(1), s.target(2), s.target(3)));
  }

  @Test
  void aDroppedUrlOutsideTheListIsTriedFirstThenEveryNode() {
    // After a drain's move the connection may be to the URL the server gave, not one the tool was given.
    ReconnectSchedule s = new ReconnectSchedule(C, List.of(A, B));

    assertEquals(List.of(C, A, B, C), List.of(s.target(1), s.target(2), s.target(3), s.target(4)));
  }
}
