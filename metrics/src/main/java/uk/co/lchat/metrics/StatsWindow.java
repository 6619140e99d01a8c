package uk.co.lchat.metrics;

import java.time.Duration;
import java.util.ArrayDeque;

/** The samples of the last {@code length} of time, so rates are averaged over a sliding window. */
final class StatsWindow {
  private final long lengthMillis;
  private final ArrayDeque<NodeSample> samples = new ArrayDeque<>();

  StatsWindow(Duration length) {
    this.lengthMillis = length.toMillis();
  }

  /** Adds the newest sample; returns the oldest one still inside the window (null if it is the first). */
  synchronized NodeSample add(NodeSample sample) {
    samples.addLast(sample);
    while (samples.size() > 2 && sample.timestampMillis() - samples.peekFirst().timestampMillis() > lengthMillis) {
      samples.pollFirst();
    }
    NodeSample oldest = samples.peekFirst();
    return oldest == sample ? null : oldest;
  }
}
