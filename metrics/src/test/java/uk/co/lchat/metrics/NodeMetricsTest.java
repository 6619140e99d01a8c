package uk.co.lchat.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class NodeMetricsTest {
  @Test
  void prometheusExpositionCarriesTheBridgeStatisticsAndJvmMetrics() {
    NodeMetrics metrics = new NodeMetrics(new StressLevel(1_000, 0.8), Duration.ofSeconds(5));
    assertNull(metrics.statistics(), "nothing before the first sample");
    metrics.record(Samples.at(0, 0, 0, 0, 0, 0, 0, 2, 3));
    metrics.record(Samples.at(1_000, 125_000, 0, 500, 300, 100, 1, 2, 3));
    String text = metrics.scrape();
    assertTrue(text.contains("lchat_received_bytes_total 125000.0"), text);
    assertTrue(text.contains("lchat_participants 5.0"));
    assertTrue(text.contains("lchat_conference_size_bucket{le=\"2\",} 1.0"));
    assertTrue(text.contains("lchat_conference_size_bucket{le=\"3\",} 2.0"));
    assertTrue(text.contains("lchat_conference_size_bucket{le=\"+Inf\",} 2.0"));
    assertTrue(text.contains("lchat_conference_size_sum 5.0"));
    assertTrue(text.contains("lchat_ice_succeeded_total{transport=\"udp\",} 9.0"));
    assertTrue(text.contains("lchat_rtt_seconds_count 4.0"), "two RTT observations per sample: " + text);
    assertTrue(text.contains("lchat_rtt_seconds_bucket{le=\"0.02\",} 2.0"), "20 ms falls in le=0.02");
    assertTrue(text.contains("lchat_stress_level 0.8"), "(500 + 300) packets/s of 1000: " + text);
    assertTrue(text.contains("jvm_memory_bytes_used"), "JVM metrics");
    Map<String, Object> stats = metrics.statistics();
    assertEquals(1_000.0, stats.get("bit_rate_download"), "125,000 bytes in one second");
    assertEquals(0.01, stats.get("loss_rate_download"));
  }

  @Test
  void packetsTheRouterCouldNotSendAreExportedAsDropped() {
    NodeMetrics metrics = new NodeMetrics(new StressLevel(1_000, 0.8), Duration.ofSeconds(5));
    metrics.record(new NodeSample(0, 0, 0, 0, 90, 7, 0, 0, 0, 0, 0, new double[0], new double[0],
        new int[0], 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, List.of()));
    String text = metrics.scrape();
    assertTrue(text.contains("lchat_sent_packets_total 90.0"), text);
    assertTrue(text.contains("lchat_send_dropped_packets_total 7.0"), text);
  }

  @Test
  void eachReceiveStageExportsItsPacketsAndDropsByChainAndStage() {
    NodeMetrics metrics = new NodeMetrics(new StressLevel(1_000, 0.8), Duration.ofSeconds(5));
    metrics.record(new NodeSample(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, new double[0], new double[0],
        new int[0], 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
        List.of(new ReceiveStageSample("rtp", "srtp_decrypt", 1_000, 3),
            new ReceiveStageSample("rtcp", "rtcp_termination", 50, 0))));
    String text = metrics.scrape();
    assertTrue(text.contains("lchat_router_stage_packets_total{chain=\"rtp\",stage=\"srtp_decrypt\",} 1000.0"),
        text);
    assertTrue(text.contains("lchat_router_stage_dropped_packets_total{chain=\"rtp\",stage=\"srtp_decrypt\",} 3.0"));
    assertTrue(text.contains("lchat_router_stage_packets_total{chain=\"rtcp\",stage=\"rtcp_termination\",} 50.0"));
  }

  @Test
  void ratesAreAveragedOverTheWindowNotJustTheLastSecond() {
    NodeMetrics metrics = new NodeMetrics(new StressLevel(1_000_000, 0.8), Duration.ofSeconds(5));
    long bytes = 0;
    for (int second = 0; second <= 10; second++) {
      bytes += second == 10 ? 0 : 1_000; // 8 kbit/s steadily, then a silent last second
      metrics.record(Samples.at(second * 1_000L, bytes, 0, 0, 0, 0, 0));
    }
    // Over the last 5 s: 4 seconds of 1,000 bytes and one silent = 4,000 bytes * 8 / 5 s = 6.4 kbit/s.
    assertEquals(6.4, (double) metrics.statistics().get("bit_rate_download"), 1e-9);
  }
}
