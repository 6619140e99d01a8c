package uk.co.lchat.egress;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which node records a new egress: of the nodes that record and take one now (not draining, nothing refused), the
 * least stressed (its CPU, its FFmpeg children's included, and its packet rate, as /stats reports it), then the
 * one running fewest egresses, then the node the request reached. A composite costs a third of a core or more
 * (docs/benchmarks.md), so it goes where there is room for it rather than where the request happened to land.
 */
final class EgressPlacement {
  /** Stress is compared in steps of this much (readings jitter): within one step, fewer egresses running wins. */
  static final double STRESS_TIE = 0.05;

  /** One node that records, as it answered; {@code stress} NaN when the node's statistics did not come. */
  record Candidate<N>(N node, int running, boolean draining, String refusal, double stress, boolean local) {
    boolean takes() {
      return !draining && refusal == null;
    }
  }

  private EgressPlacement() {}

  /** The node to record on, or empty when none takes an egress now. */
  static <N> Optional<Candidate<N>> choose(List<Candidate<N>> candidates) {
    Comparator<Candidate<N>> byStress = Comparator.comparingDouble(
        c -> Double.isNaN(c.stress()) ? Double.MAX_VALUE : Math.floor(c.stress() / STRESS_TIE));
    return candidates.stream().filter(Candidate::takes)
        .min(byStress.thenComparingInt(Candidate<N>::running).thenComparing(c -> !c.local()));
  }
}
