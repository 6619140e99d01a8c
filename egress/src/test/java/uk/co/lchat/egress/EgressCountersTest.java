package uk.co.lchat.egress;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class EgressCountersTest {
  private static EgressInfo ended(String type, String reason) {
    return new EgressInfo("EG_" + reason, "moon", type, "ended", reason, 1, 2, List.of(), List.of(), false);
  }

  @Test
  void onlyAnEgressThatRanLeavesTheRunningCountWhenItEnds() {
    EgressCounters c = new EgressCounters();
    c.started("composite");
    // Refused by the room, or ended (the room went) before it was active: it never ran.
    c.ended(ended("composite", "refused"), false);
    c.ended(ended("composite", "room_ended"), false);
    assertEquals(Map.of("composite", 1L), c.running());
    c.ended(ended("composite", "stopped"), true);
    assertEquals(Map.of("composite", 0L), c.running());
    assertEquals(Map.of("composite/refused", 1L, "composite/room_ended", 1L, "composite/stopped", 1L), c.ended());
  }
}
