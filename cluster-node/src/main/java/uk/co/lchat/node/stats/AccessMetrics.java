package uk.co.lchat.node.stats;

import java.util.List;

import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;

import uk.co.lchat.room.RoomCounters;

/** What this node refused at the door, read at scrape time: {@code lchat_passcode_refusals_total{reason}}. */
public final class AccessMetrics extends Collector {
  private final RoomCounters rooms;

  public AccessMetrics(RoomCounters rooms) {
    this.rooms = rooms;
  }

  @Override
  public List<MetricFamilySamples> collect() {
    CounterMetricFamily passcodes = new CounterMetricFamily("lchat_passcode_refusals",
        "Joins refused for their passcode by this node's rooms: wrong (checked), throttled (not checked: the address"
            + " or the room must wait after wrong guesses)", List.of("reason"));
    passcodes.addMetric(List.of("wrong"), rooms.passcodesWrong());
    passcodes.addMetric(List.of("throttled"), rooms.passcodesThrottled());
    return List.of(passcodes);
  }
}
