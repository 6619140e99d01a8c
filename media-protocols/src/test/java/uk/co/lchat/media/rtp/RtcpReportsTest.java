package uk.co.lchat.media.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class RtcpReportsTest {
  @Test
  void compoundSenderReportReceiverReportSdesAndNackReadBack() {
    byte[] b = new byte[512];
    int n = RtcpReports.writeSenderReport(b, 0, 0x1111, 0x0123456789ABCDEFL, 90000, 10, 1000);
    n += RtcpReports.writeReceiverReport(b, n, 0x2222,
        new RtcpReports.Block(0x3333, 25, 7, 70000, 12, 0x4567_89AB, 65536));
    n += RtcpReports.writeSdesCname(b, n, 0x2222, "lchat");
    n += RtcpReports.writeNack(b, n, 0x2222, 0x3333, 65535, 0b101);
    n += RtcpFeedback.writePli(b, n, 0x2222, 0x3333);
    n += RtcpReports.writeRemb(b, n, 0x2222, 1_234_567, 0x3333); // 18-bit mantissa: 1234567 >> 3 << 3
    List<String> seen = new ArrayList<>();
    RtcpReports.read(b, 0, n, new RtcpReports.Sink() {
      @Override
      public void senderReport(long ssrc, long ntp, long rtpTimestamp, long packets, long octets) {
        seen.add("SR " + Long.toHexString(ssrc) + " " + Long.toHexString(ntp) + " " + rtpTimestamp + " " + packets
            + " " + octets);
      }

      @Override
      public void reportBlock(long reporter, int fraction, int lost, long source, long jitter, long lsr, long dlsr) {
        seen.add("RB " + Long.toHexString(reporter) + " " + fraction + " " + lost + " " + Long.toHexString(source)
            + " " + jitter + " " + Long.toHexString(lsr) + " " + dlsr);
      }

      @Override
      public void nack(long mediaSsrc, int seq) {
        seen.add("NACK " + Long.toHexString(mediaSsrc) + " " + seq);
      }

      @Override
      public void keyframeRequest(long mediaSsrc) {
        seen.add("PLI " + Long.toHexString(mediaSsrc));
      }

      @Override
      public void remb(long mediaSsrc, long bitrate) {
        seen.add("REMB " + Long.toHexString(mediaSsrc) + " " + bitrate);
      }
    });
    assertEquals(List.of("SR 1111 123456789abcdef 90000 10 1000", "RB 2222 25 7 3333 12 456789ab 65536",
        "NACK 3333 65535", "NACK 3333 0", "NACK 3333 2", "PLI 3333", "REMB 3333 " + (1_234_567 >> 3 << 3)), seen);
  }

  @Test
  void ntpConversionAndCompactForm() {
    long ntp = RtcpReports.ntp(1_000L);
    assertEquals(2_208_988_801L, ntp >>> 32);
    assertEquals(0, ntp & 0xFFFFFFFFL);
    assertEquals(((2_208_988_801L << 16) & 0xFFFFFFFFL), RtcpReports.compactNtp(ntp));
  }

  @Test
  void receiveStatisticsCountLossAndJitterFromASyntheticStream() {
    ReceiveStatistics stats = new ReceiveStatistics(90000);
    long t0 = 1_000_000_000L;
    // 100 packets every 20 ms with timestamps in step, sequence 65500.. wrapping, 5 of them missing.
    int received = 0;
    for (int i = 0; i < 100; i++) {
      if (i % 20 == 7) {
        continue;
      }
      int jitterNanos = (i % 2 == 0) ? 0 : 4_000_000; // every other packet 4 ms late
      stats.received((65500 + i) & 0xFFFF, i * 1800L, t0 + i * 20_000_000L + jitterNanos);
      received++;
    }
    assertEquals(100, stats.expected());
    assertEquals(received, stats.received());
    assertEquals(5, stats.lost());
    assertEquals(65536 + 63, stats.extendedHighestSeq(), "the sequence wrapped once");
    // Alternating 4 ms lateness: |D| = 4 ms = 360 units each step; the estimate converges towards 360.
    assertTrue(stats.jitterMillis() > 3 && stats.jitterMillis() <= 4.0, "jitter " + stats.jitterMillis());
    RtcpReports.Block block = stats.report(0x42, t0);
    assertEquals(5 * 256 / 100, block.fractionLost());
    assertEquals(5, block.cumulativeLost());
  }

  @Test
  void malformedCompoundPacketsAreReadWithoutThrowing() {
    Random random = new Random(9);
    byte[] b = new byte[200];
    RtcpReports.Sink sink = new RtcpReports.Sink() {};
    for (int i = 0; i < 20000; i++) {
      random.nextBytes(b);
      b[0] = (byte) (0x80 | (b[0] & 0x3F));
      RtcpReports.read(b, 0, random.nextInt(b.length), sink);
    }
  }
}
