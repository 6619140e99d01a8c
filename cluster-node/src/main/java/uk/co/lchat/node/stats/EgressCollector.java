package uk.co.lchat.node.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;

import uk.co.lchat.egress.EgressCounters;
import uk.co.lchat.egress.composite.FrameCounters;

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
        "Recordings ended on this node, by type and reason (stopped, room_ended, encoder_failed, disk_full, ...)",
        List.of("type", "reason"));
    for (Map.Entry<String, Long> e : counters.ended().entrySet()) {
      String[] typeReason = e.getKey().split("/", 2);
      ended.addMetric(List.of(typeReason[0], typeReason[1]), e.getValue());
    }
    FrameCounters frames = counters.frames();
    CounterMetricFamily dropped = new CounterMetricFamily("lchat_egress_dropped_frames_total",
        "Frames the composite recordings on this node dropped: video (pictures skipped, the clock more than two frames"
            + " late) and audio (sound FFmpeg read too slowly)", List.of("kind"));
    dropped.addMetric(List.of("video"), frames.droppedPictures());
    dropped.addMetric(List.of("audio"), frames.droppedSound());
    return List.of(running, started, ended, new CounterMetricFamily("lchat_egress_bytes_written_total",
        "Bytes of the files of the recordings that ended on this node", counters.bytesWritten()),
        encodeSeconds(frames), dropped);
  }

  /**
   * How long the composite's clock took over each picture, from drawing it to handing it to FFmpeg, as a histogram
   * (simpleclient has no family for one that is counted elsewhere: its samples are written out here).
   */
  private static MetricFamilySamples encodeSeconds(FrameCounters frames) {
    String name = "lchat_egress_frame_encode_seconds";
    long[] cumulative = frames.cumulative();
    List<MetricFamilySamples.Sample> samples = new ArrayList<>();
    for (int i = 0; i < FrameCounters.BOUNDS.length; i++) {
      samples.add(new MetricFamilySamples.Sample(name + "_bucket", List.of("le"),
          List.of(Collector.doubleToGoString(FrameCounters.BOUNDS[i])), cumulative[i]));
    }
    long count = cumulative[cumulative.length - 1];
    samples.add(new MetricFamilySamples.Sample(name + "_bucket", List.of("le"), List.of("+Inf"), count));
    samples.add(new MetricFamilySamples.Sample(name + "_count", List.of(), List.of(), count));
    samples.add(new MetricFamilySamples.Sample(name + "_sum", List.of(), List.of(), frames.seconds()));
    return new MetricFamilySamples(name, Type.HISTOGRAM,
        "Time the composite recordings on this node took over each picture they wrote: drawing it and handing it to"
            + " FFmpeg (over 1/30 s and the recording falls behind)", samples);
  }
}
