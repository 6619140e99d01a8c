package uk.co.lchat.metrics;

import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import io.prometheus.client.Histogram;
import io.prometheus.client.exporter.common.TextFormat;
import io.prometheus.client.hotspot.DefaultExports;

/**
 * One node's statistics, kept current by {@link #record} once a second: the JSON of {@code GET /stats} and the
 * Prometheus registry of {@code GET /metrics} (JVM metrics plus the bridge statistics under {@code lchat_}, in base
 * units: seconds, bytes, ratios). Each node has its own registry, so several nodes can share a JVM in tests.
 */
public final class NodeMetrics {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double[] SECONDS_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2};

  private final CollectorRegistry registry = new CollectorRegistry(true);
  private final StressLevel capacity;
  private final StatsWindow window;
  private final Histogram rtt = Histogram.build("lchat_rtt_seconds",
          "Round-trip time to receivers from RTCP, one observation per outgoing stream per second")
      .buckets(SECONDS_BUCKETS).register(registry);
  private final Histogram jitter = Histogram.build("lchat_jitter_seconds",
          "RFC 3550 interarrival jitter of incoming streams, one observation per stream per second")
      .buckets(SECONDS_BUCKETS).register(registry);
  private volatile NodeSample latest;
  private volatile BridgeStatistics.Rates rates = BridgeStatistics.Rates.ZERO;
  private volatile double stress;

  public NodeMetrics(StressLevel capacity, java.time.Duration rateWindow) {
    this.capacity = capacity;
    this.window = new StatsWindow(rateWindow);
    DefaultExports.register(registry);
    registry.register(new BridgeCollector());
  }

  /** Takes the node's sample of this second. */
  public void record(NodeSample sample) {
    NodeSample older = window.add(sample);
    BridgeStatistics.Rates r = older == null ? BridgeStatistics.Rates.ZERO
        : BridgeStatistics.Rates.between(older, sample);
    for (double ms : sample.rttSamples()) {
      rtt.observe(ms / 1000);
    }
    for (double ms : sample.jitterSamples()) {
      jitter.observe(ms / 1000);
    }
    rates = r;
    stress = capacity.of(r.packetRate(), sample.processCpuLoad());
    latest = sample;
  }

  /** The statistics of GET /stats, or null before the first sample. */
  public Map<String, Object> statistics() {
    NodeSample s = latest;
    return s == null ? null : BridgeStatistics.compute(s, rates, stress);
  }

  public String statisticsJson() {
    try {
      Map<String, Object> stats = statistics();
      return JSON.writeValueAsString(stats == null ? Map.of() : stats);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The Prometheus text exposition format (version 0.0.4). */
  public String scrape() {
    StringWriter out = new StringWriter();
    try {
      TextFormat.write004(out, registry.metricFamilySamples());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toString();
  }

  public CollectorRegistry registry() {
    return registry;
  }

  /** The bridge statistics as Prometheus metric families, read from the latest sample at scrape time. */
  private final class BridgeCollector extends Collector {
    @Override
    public List<MetricFamilySamples> collect() {
      NodeSample s = latest;
      List<MetricFamilySamples> out = new ArrayList<>();
      if (s == null) {
        return out;
      }
      counter(out, "lchat_received_bytes_total", "Bytes the media router received", s.bytesReceived());
      counter(out, "lchat_sent_bytes_total", "Bytes the media router sent", s.bytesSent());
      counter(out, "lchat_received_packets_total", "Packets the media router received", s.packetsReceived());
      counter(out, "lchat_sent_packets_total", "Packets the media router sent", s.packetsSent());
      counter(out, "lchat_send_dropped_packets_total",
          "Packets the media router dropped instead of sending: socket backlog full or refused by the kernel",
          s.packetsSendDropped());
      counter(out, "lchat_rtp_expected_packets_total", "RTP packets publishers sent, from sequence numbers",
          s.rtpExpected());
      counter(out, "lchat_rtp_lost_packets_total", "RTP packets from publishers that never arrived", s.rtpLost());
      gauge(out, "lchat_loss_rate_download_ratio", "Loss of incoming RTP over the rate window",
          rates.lossRateDownload());
      gauge(out, "lchat_loss_rate_upload_ratio", "Mean loss receivers report for our streams", s.uploadLoss());
      gauge(out, "lchat_jitter_aggregate_seconds", "Mean interarrival jitter of incoming streams",
          s.jitterMillis() / 1000);
      gauge(out, "lchat_rtt_aggregate_seconds", "Mean round-trip time to receivers", s.rttMillis() / 1000);
      gauge(out, "lchat_conferences", "Conferences with participants on this node", s.conferences());
      gauge(out, "lchat_participants", "Participants on this node", s.participants());
      gauge(out, "lchat_largest_conference", "Participants of the largest conference on this node",
          s.largestConference());
      conferenceSizes(out, s.conferenceSizes());
      gauge(out, "lchat_audio_channels", "Incoming plus outgoing audio streams", s.audioChannels());
      gauge(out, "lchat_video_channels", "Incoming plus outgoing video streams", s.videoChannels());
      gauge(out, "lchat_video_streams", "Video streams sent to receivers", s.videoStreams());
      gauge(out, "lchat_endpoints", "Media transports open", s.endpoints());
      counter(out, "lchat_loss_controlled_participant_seconds_total", "Publisher-seconds with loss under 2%",
          s.lossControlledSeconds());
      counter(out, "lchat_loss_limited_participant_seconds_total", "Publisher-seconds with loss 2-10%",
          s.lossLimitedSeconds());
      counter(out, "lchat_loss_degraded_participant_seconds_total", "Publisher-seconds with loss over 10%",
          s.lossDegradedSeconds());
      counter(out, "lchat_conference_seconds_total", "Summed lifetime of ended conferences", s.conferenceSeconds());
      counter(out, "lchat_conferences_created_total", "Conferences started on this node", s.conferencesCreated());
      counter(out, "lchat_failed_conferences_total", "Ended conferences where no participant's media connected",
          s.failedConferences());
      counter(out, "lchat_partially_failed_conferences_total",
          "Ended conferences where some participants' media never connected", s.partiallyFailedConferences());
      counter(out, "lchat_data_channel_messages_received_total", "Data channel messages received",
          s.dataChannelMessagesReceived());
      counter(out, "lchat_data_channel_messages_sent_total", "Data channel messages sent",
          s.dataChannelMessagesSent());
      counter(out, "lchat_signaling_messages_received_total", "Signaling WebSocket messages received",
          s.signalingMessagesReceived());
      counter(out, "lchat_signaling_messages_sent_total", "Signaling WebSocket messages sent",
          s.signalingMessagesSent());
      CounterMetricFamily ice = new CounterMetricFamily("lchat_ice_succeeded",
          "Media transports whose ICE completed, by transport", List.of("transport"));
      ice.addMetric(List.of("udp"), s.iceSucceededUdp());
      ice.addMetric(List.of("tcp"), s.iceSucceededTcp());
      out.add(ice);
      gauge(out, "lchat_stress_level", "Load against configured capacity (1 = at capacity)", stress);
      gauge(out, "lchat_relays", "Relay links to other nodes' media routers", s.relays());
      GaugeMetricFamily streams = new GaugeMetricFamily("lchat_relay_streams",
          "Streams carried by relay links, by direction (each once per link)", List.of("direction"));
      streams.addMetric(List.of("in"), s.relayStreamsIn());
      streams.addMetric(List.of("out"), s.relayStreamsOut());
      out.add(streams);
      gauge(out, "lchat_threads", "Live JVM threads", s.threads());
      receiveStages(out, s.receiveStages());
      return out;
    }

    private void counter(List<MetricFamilySamples> out, String name, String help, double value) {
      // CounterMetricFamily appends _total itself.
      out.add(new CounterMetricFamily(name.substring(0, name.length() - "_total".length()), help, value));
    }

    private void gauge(List<MetricFamilySamples> out, String name, String help, double value) {
      out.add(new GaugeMetricFamily(name, help, value));
    }

    /** Each receive stage's packets and drops, labelled by chain and stage (docs/architecture.md, the packet path). */
    private void receiveStages(List<MetricFamilySamples> out, List<ReceiveStageSample> stages) {
      List<String> labels = List.of("chain", "stage");
      CounterMetricFamily packets = new CounterMetricFamily("lchat_router_stage_packets",
          "Packets that reached each stage of the media router's receive chains", labels);
      CounterMetricFamily dropped = new CounterMetricFamily("lchat_router_stage_dropped_packets",
          "Packets each stage of the media router's receive chains dropped", labels);
      for (ReceiveStageSample stage : stages) {
        packets.addMetric(List.of(stage.chain(), stage.stage()), stage.packets());
        dropped.addMetric(List.of(stage.chain(), stage.stage()), stage.dropped());
      }
      out.add(packets);
      out.add(dropped);
    }

    /** Conference sizes as a histogram of the current conferences (le = participants). */
    private void conferenceSizes(List<MetricFamilySamples> out, int[] sizes) {
      String name = "lchat_conference_size";
      List<MetricFamilySamples.Sample> samples = new ArrayList<>();
      long sum = 0;
      for (int size : sizes) {
        sum += size;
      }
      for (int le = 1; le < BridgeStatistics.SIZE_BUCKETS; le++) {
        int count = 0;
        for (int size : sizes) {
          if (size <= le) {
            count++;
          }
        }
        samples.add(new MetricFamilySamples.Sample(name + "_bucket", List.of("le"), List.of(Integer.toString(le)),
            count));
      }
      samples.add(new MetricFamilySamples.Sample(name + "_bucket", List.of("le"), List.of("+Inf"), sizes.length));
      samples.add(new MetricFamilySamples.Sample(name + "_count", List.of(), List.of(), sizes.length));
      samples.add(new MetricFamilySamples.Sample(name + "_sum", List.of(), List.of(), sum));
      out.add(new MetricFamilySamples(name, Type.HISTOGRAM, "Participants per conference on this node", samples));
    }
  }
}
