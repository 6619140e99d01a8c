package uk.co.lchat.room;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class ReplicationIntervalTest {
  private final RoomReplica.Settings settings = new RoomReplica.Settings(true, Duration.ofMillis(250),
      Duration.ofSeconds(3));

  @Test
  void roomsOfUpToAHundredWriteOncePerInterval() {
    assertEquals(Duration.ofMillis(250), settings.intervalFor(1));
    assertEquals(Duration.ofMillis(250), settings.intervalFor(199));
  }

  @Test
  void largerRoomsWriteLessOftenSinceEachWriteCarriesEveryone() {
    assertEquals(Duration.ofMillis(500), settings.intervalFor(200));
    assertEquals(Duration.ofMillis(2500), settings.intervalFor(1000));
  }
}
