package uk.co.lchat.media.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import uk.co.lchat.media.control.ShedChoice.Candidate;

class ShedChoiceTest {
  private static Map<String, List<Candidate>> rooms() {
    Map<String, List<Candidate>> rooms = new LinkedHashMap<>();
    rooms.put("big", List.of(new Candidate("b1", true), new Candidate("b2", true), new Candidate("b3", false),
        new Candidate("b4", true), new Candidate("b5", false)));
    rooms.put("pair", List.of(new Candidate("p1", true), new Candidate("p2", true)));
    rooms.put("trio", List.of(new Candidate("t1", true), new Candidate("t2", false), new Candidate("t3", true)));
    return rooms;
  }

  @Test
  void wholeRoomsThatFitGoSmallestFirst() {
    assertEquals(List.of("p1", "p2", "t1", "t2", "t3"), ShedChoice.choose(rooms(), 5));
    assertEquals(List.of("p1", "p2"), ShedChoice.choose(rooms(), 2).subList(0, 2));
  }

  @Test
  void theRestComesFromTheLargestRoomReceiveOnlyFirst() {
    // The pair fits; the trio does not (one left), so one of the big room's receive-only participants goes.
    assertEquals(List.of("p1", "p2", "b3"), ShedChoice.choose(rooms(), 3));
    // Only the big room, four wanted: both receive-only participants, then publishers in attach order.
    Map<String, List<Candidate>> one = Map.of("big", rooms().get("big"));
    assertEquals(List.of("b3", "b5", "b1", "b2"), ShedChoice.choose(one, 4));
  }

  @Test
  void neverMoreThanAskedNorAnyoneTwice() {
    for (int count = 0; count <= 12; count++) {
      List<String> chosen = ShedChoice.choose(rooms(), count);
      assertTrue(chosen.size() <= count, "at most " + count + ": " + chosen);
      assertEquals(chosen.size(), chosen.stream().distinct().count(), "duplicates in " + chosen);
      assertEquals(Math.min(count, 10), chosen.size(), "as many as asked while there are participants");
    }
    assertTrue(ShedChoice.choose(Map.of(), 3).isEmpty());
  }
}
