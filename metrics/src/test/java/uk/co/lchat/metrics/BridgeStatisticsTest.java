package uk.co.lchat.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class BridgeStatisticsTest {
  @Test
  void ratesComeFromCountedBytesAndPacketsOverTheTimeBetweenSamples() {
    NodeSample older = Samples.at(10_000, 1_000, 2_000, 10, 20, 1_000, 10);
    // 2 s later: 500,000 more bytes in (2,000 kbit/s), 1,000,000 out (4,000 kbit/s), 400/800 packets,
    // 200 more RTP packets expected of which 5 lost (2.5 %).
    NodeSample newer = Samples.at(12_000, 501_000, 1_002_000, 410, 820, 1_200, 15);
    BridgeStatistics.Rates r = BridgeStatistics.Rates.between(older, newer);
    assertEquals(2_000, r.bitRateDownloadKbps(), 1e-9);
    assertEquals(4_000, r.bitRateUploadKbps(), 1e-9);
    assertEquals(200, r.packetRateDownload(), 1e-9);
    assertEquals(400, r.packetRateUpload(), 1e-9);
    assertEquals(0.025, r.lossRateDownload(), 1e-9);
    assertEquals(600, r.packetRate(), 1e-9);
    assertEquals(BridgeStatistics.Rates.ZERO, BridgeStatistics.Rates.between(newer, newer), "no time, no rate");
  }

  @Test
  void everyDesignKeyIsThereWithItsValue() {
    NodeSample s = Samples.at(1_700_000_000_000L, 0, 0, 0, 0, 1_000, 20, 2, 5, 14, 30);
    Map<String, Object> m = BridgeStatistics.compute(s,
        new BridgeStatistics.Rates(2_000, 4_000, 200, 400, 0.025), 0.4);
    assertEquals(BridgeStatistics.KEYS, List.copyOf(m.keySet()));
    assertEquals("2023-11-14T22:13:20Z", m.get("current_timestamp"));
    assertEquals(2_000.0, m.get("bit_rate_download"));
    assertEquals(0.025, m.get("loss_rate_download"));
    assertEquals(0.05, m.get("loss_rate_upload"));
    assertEquals(0.02, m.get("rtp_loss"), "20 of 1000 since start");
    assertEquals(4.5, m.get("jitter_aggregate"));
    assertEquals(30.0, m.get("rtt_aggregate"));
    assertEquals(30, m.get("largest_conference"));
    assertEquals(4, m.get("conferences"));
    assertEquals(51, m.get("participants"));
    int[] buckets = (int[]) m.get("conference_sizes");
    assertEquals(15, buckets.length);
    assertEquals(1, buckets[2]);
    assertEquals(1, buckets[5]);
    assertEquals(2, buckets[14], "14 and 30 both land in the last bucket");
    assertEquals(55L, m.get("total_colibri_web_socket_messages_received"));
    assertEquals(9L, m.get("total_ice_succeeded_udp"));
    assertEquals(0.4, m.get("stress_level"));
  }

  @Test
  void sizeBucketsCountConferencesBySize() {
    assertArrayEquals(new int[] {0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
        BridgeStatistics.sizeBuckets(new int[] {1, 2, 2, 1000}));
  }
}
