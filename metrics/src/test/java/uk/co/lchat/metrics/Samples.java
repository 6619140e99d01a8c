package uk.co.lchat.metrics;

import java.util.List;

/** Synthetic node samples for the tests. */
final class Samples {
  private Samples() {}

  static NodeSample at(long millis, long bytesIn, long bytesOut, long packetsIn, long packetsOut, long expected,
                       long lost, int... conferenceSizes) {
    return new NodeSample(millis, bytesIn, bytesOut, packetsIn, packetsOut, 0, expected, lost, 0.05, 4.5, 30.0,
        new double[] {20, 40}, new double[] {4, 5}, conferenceSizes, 7, 1, 2, 3600, 6, 8, 4, 100, 10, 1, 0, 0, 55,
        66, 9, 1, 0, 3, 5, 40, 0.2, 12, 1, List.of());
  }
}
