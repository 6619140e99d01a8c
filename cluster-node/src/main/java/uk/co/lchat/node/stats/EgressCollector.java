package uk.co.lchat.node.stats;

import java.util.List;
import java.util.Map;

import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;

import uk.co.lchat.egress.EgressCounters;

/** This node's recordings for {@code GET /metrics}, read from the egress counters at each scrape. */
public final class EgressCollector extends Collector {
  private final EgressCounters counters;

  public EgressCollector(EgressCounters counters) {
    this.counters = counters;
  }

  @Override
  public List<MetricFamilySamples> collect() {
    GaugeMetricFamily running = new GaugeMetricFamily("lchat_egress_running",
        "Recordings running on this node, by type (composite, track)", List.of("type"));
    counters.running().forEach((type, n) -> running.addMetric(List.of(type), n));
    CounterMetricFamily started = new CounterMetricFamily("lchat_egress_started_total",
        "Recordings started on this node, by type", List.of("type"));
    counters.started().forEach((type, n) -> started.addMetric(List.of(type), n));
    CounterMetricFamily ended = new CounterMetricFamily("lchat_egress_ended_total",
        "Recordings ended on this node, by type and reason (stopped, room_ended, encoder_failed, refused)",
        List.of("type", "reason"));
    for (Map.Entry<String, Long> e : counters.ended().entrySet()) {
      String[] typeReason = e.getKey().split("/", 2);
      ended.addMetric(List.of(typeReason[0], typeReason[1]), e.getValue());
    }
    return List.of(running, started, ended, new CounterMetricFamily("lchat_egress_bytes_written_total",
        "Bytes of the files of the recordings that ended on this node", counters.bytesWritten()));
  }
}
