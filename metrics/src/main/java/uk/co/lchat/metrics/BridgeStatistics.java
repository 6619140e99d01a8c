package uk.co.lchat.metrics;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bridge statistics of one node (the names of DESIGN.md "Bridge statistics", as Jitsi Videobridge operators know
 * them), computed from two samples: rates over the time between them, everything else from the newer one.
 */
public final class BridgeStatistics {
  /** Every key {@link #compute} writes, in order. */
  public static final List<String> KEYS = List.of("current_timestamp", "threads", "bit_rate_download",
      "bit_rate_upload", "packet_rate_download", "packet_rate_upload", "loss_rate_download", "loss_rate_upload",
      "rtp_loss", "jitter_aggregate", "rtt_aggregate", "largest_conference", "conference_sizes", "audiochannels",
      "videochannels", "conferences", "participants", "videostreams", "total_loss_controlled_participant_seconds",
      "total_loss_limited_participant_seconds", "total_loss_degraded_participant_seconds",
      "total_conference_seconds", "total_conferences_created", "total_failed_conferences",
      "total_partially_failed_conferences", "total_data_channel_messages_received",
      "total_data_channel_messages_sent", "total_colibri_web_socket_messages_received",
      "total_colibri_web_socket_messages_sent", "total_ice_succeeded_udp", "total_ice_succeeded_tcp",
      "stress_level", "relays", "relay_streams_in", "relay_streams_out", "endpoints", "process_cpu_load",
      "egresses");
  /** conference_sizes has this many buckets: bucket i counts conferences of i participants, the last i or more. */
  public static final int SIZE_BUCKETS = 15;

  private BridgeStatistics() {}

  /** Rates measured between two samples of one node. */
  public record Rates(double bitRateDownloadKbps, double bitRateUploadKbps, double packetRateDownload,
                      double packetRateUpload, double lossRateDownload) {
    public static final Rates ZERO = new Rates(0, 0, 0, 0, 0);

    public static Rates between(NodeSample older, NodeSample newer) {
      double seconds = (newer.timestampMillis() - older.timestampMillis()) / 1000.0;
      if (seconds <= 0) {
        return ZERO;
      }
      long expected = newer.rtpExpected() - older.rtpExpected();
      long lost = newer.rtpLost() - older.rtpLost();
      return new Rates((newer.bytesReceived() - older.bytesReceived()) * 8 / 1000.0 / seconds,
          (newer.bytesSent() - older.bytesSent()) * 8 / 1000.0 / seconds,
          (newer.packetsReceived() - older.packetsReceived()) / seconds,
          (newer.packetsSent() - older.packetsSent()) / seconds,
          expected > 0 ? Math.max(0, (double) lost / expected) : 0);
    }

    public double packetRate() {
      return packetRateDownload + packetRateUpload;
    }
  }

  public static int[] sizeBuckets(int[] conferenceSizes) {
    int[] buckets = new int[SIZE_BUCKETS];
    for (int size : conferenceSizes) {
      buckets[Math.min(size, SIZE_BUCKETS - 1)]++;
    }
    return buckets;
  }

  public static Map<String, Object> compute(NodeSample now, Rates rates, double stressLevel) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("current_timestamp", Instant.ofEpochMilli(now.timestampMillis()).toString());
    m.put("threads", now.threads());
    m.put("bit_rate_download", round(rates.bitRateDownloadKbps()));
    m.put("bit_rate_upload", round(rates.bitRateUploadKbps()));
    m.put("packet_rate_download", round(rates.packetRateDownload()));
    m.put("packet_rate_upload", round(rates.packetRateUpload()));
    m.put("loss_rate_download", round(rates.lossRateDownload()));
    m.put("loss_rate_upload", round(now.uploadLoss()));
    m.put("rtp_loss", round(now.rtpExpected() > 0 ? (double) now.rtpLost() / now.rtpExpected() : 0));
    m.put("jitter_aggregate", round(now.jitterMillis()));
    m.put("rtt_aggregate", round(now.rttMillis()));
    m.put("largest_conference", now.largestConference());
    m.put("conference_sizes", sizeBuckets(now.conferenceSizes()));
    m.put("audiochannels", now.audioChannels());
    m.put("videochannels", now.videoChannels());
    m.put("conferences", now.conferences());
    m.put("participants", now.participants());
    m.put("videostreams", now.videoStreams());
    m.put("total_loss_controlled_participant_seconds", now.lossControlledSeconds());
    m.put("total_loss_limited_participant_seconds", now.lossLimitedSeconds());
    m.put("total_loss_degraded_participant_seconds", now.lossDegradedSeconds());
    m.put("total_conference_seconds", now.conferenceSeconds());
    m.put("total_conferences_created", now.conferencesCreated());
    m.put("total_failed_conferences", now.failedConferences());
    m.put("total_partially_failed_conferences", now.partiallyFailedConferences());
    m.put("total_data_channel_messages_received", now.dataChannelMessagesReceived());
    m.put("total_data_channel_messages_sent", now.dataChannelMessagesSent());
    m.put("total_colibri_web_socket_messages_received", now.signalingMessagesReceived());
    m.put("total_colibri_web_socket_messages_sent", now.signalingMessagesSent());
    m.put("total_ice_succeeded_udp", now.iceSucceededUdp());
    m.put("total_ice_succeeded_tcp", now.iceSucceededTcp());
    m.put("stress_level", round(stressLevel));
    m.put("relays", now.relays());
    m.put("relay_streams_in", now.relayStreamsIn());
    m.put("relay_streams_out", now.relayStreamsOut());
    m.put("endpoints", now.endpoints());
    m.put("process_cpu_load", round(Math.max(0, now.processCpuLoad())));
    m.put("egresses", now.egresses());
    return m;
  }

  /** Three decimals are plenty for operators and keep the JSON readable. */
  static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
