package uk.co.lchat.egress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import uk.co.lchat.egress.EgressPlacement.Candidate;

class EgressPlacementTest {
  private static Candidate<String> node(String name, double stress, int running, boolean local) {
    return new Candidate<>(name, running, false, null, stress, local);
  }

  @Test
  void aNewEgressGoesToTheLeastStressedNodeThatRecords() {
    assertEquals("b", EgressPlacement.choose(List.of(node("a", 0.6, 0, true), node("b", 0.2, 3, false),
        node("c", 0.4, 0, false))).orElseThrow().node());
  }

  @Test
  void withinOneStepOfStressTheNodeRunningFewerEgressesWinsThenTheLocalOne() {
    assertEquals("c", EgressPlacement.choose(List.of(node("a", 0.21, 2, true), node("c", 0.22, 1, false)))
        .orElseThrow().node());
    assertEquals("a", EgressPlacement.choose(List.of(node("c", 0.22, 1, false), node("a", 0.21, 1, true)))
        .orElseThrow().node());
  }

  @Test
  void drainingNodesAndNodesThatRefuseAreNeverChosenAndNoneLeftMeansNoPlacement() {
    Candidate<String> draining = new Candidate<>("a", 0, true, null, 0.0, true);
    Candidate<String> full = new Candidate<>("b", 0, false, "The disk is nearly full.", 0.0, false);
    assertEquals("c", EgressPlacement.choose(List.of(draining, full, node("c", 0.9, 4, false))).orElseThrow()
        .node());
    assertTrue(EgressPlacement.choose(List.of(draining, full)).isEmpty());
  }

  @Test
  void aNodeWhoseStatisticsDidNotComeIsChosenOnlyWhenNoMeasuredNodeTakesOne() {
    assertEquals("b", EgressPlacement.choose(List.of(node("a", Double.NaN, 0, true), node("b", 0.95, 5, false)))
        .orElseThrow().node());
    assertEquals("a", EgressPlacement.choose(List.of(node("a", Double.NaN, 0, true))).orElseThrow().node());
  }
}
