package uk.co.lchat.egress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.Map;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
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

  @Test
  void everythingOnANodeAddsToTheNodesOwnCounters() {
    ActorTestKit node = ActorTestKit.create();
    ActorTestKit other = ActorTestKit.create();
    try {
      // The service and each recording's encoder look them up apart: they must meet in one place per node.
      assertSame(EgressCounters.get(node.system()), EgressCounters.get(node.system()));
      assertSame(EgressCounters.get(node.system()).frames(), EgressCounters.get(node.system()).frames());
      assertNotSame(EgressCounters.get(node.system()), EgressCounters.get(other.system()));
    } finally {
      node.shutdownTestKit();
      other.shutdownTestKit();
    }
  }
}
