package uk.co.lchat.media.router;

import java.util.Arrays;

/**
 * What the router's streams look like, measured once a second by the router's loop and published whole (readers on
 * other threads see one consistent snapshot). Counts are current; totals are cumulative since the router started.
 *
 * @param audioPublications incoming audio streams
 * @param videoPublications incoming video streams (a simulcast track counts each layer)
 * @param audioSubscriptions audio streams being sent to receivers
 * @param videoSubscriptions video streams being sent to receivers
 * @param rtpExpectedTotal RTP packets publishers sent us, from sequence numbers (RFC 3550 §A.3)
 * @param rtpLostTotal of those, never received
 * @param downloadLoss loss of incoming streams over the last second (0..1)
 * @param uploadLoss mean loss receivers reported in their last receiver reports for our streams (0..1)
 * @param jitterMillis RFC 3550 interarrival jitter of each incoming stream, milliseconds
 * @param rttMillis round-trip time of each outgoing stream from the receiver's last report (RFC 3550 §6.4.1)
 * @param lossControlledSeconds publisher-seconds with incoming loss under 2 %
 * @param lossLimitedSeconds publisher-seconds with loss from 2 % to 10 %
 * @param lossDegradedSeconds publisher-seconds with loss over 10 %
 */
public record RouterStatistics(int audioPublications, int videoPublications, int audioSubscriptions,
                               int videoSubscriptions, long rtpExpectedTotal, long rtpLostTotal, double downloadLoss,
                               double uploadLoss, double[] jitterMillis, double[] rttMillis,
                               long lossControlledSeconds, long lossLimitedSeconds, long lossDegradedSeconds) {
  public static final RouterStatistics EMPTY =
      new RouterStatistics(0, 0, 0, 0, 0, 0, 0, 0, new double[0], new double[0], 0, 0, 0);

  /** Loss under this fraction lets a sender's congestion control raise its rate (GCC's loss-based thresholds). */
  static final double LOSS_LIMITED = 0.02;
  /** Loss over this fraction makes it lower its rate. */
  static final double LOSS_DEGRADED = 0.10;

  public double meanJitterMillis() {
    return mean(jitterMillis);
  }

  public double meanRttMillis() {
    return mean(rttMillis);
  }

  private static double mean(double[] values) {
    double sum = 0;
    for (double v : values) {
      sum += v;
    }
    return values.length == 0 ? 0 : sum / values.length;
  }

  /**
   * Accumulates one measurement over the router's endpoints; lives in the router's loop and keeps the cumulative
   * totals between measurements.
   */
  static final class Meter {
    private long expectedTotal;
    private long lostTotal;
    private long controlled;
    private long limited;
    private long degraded;
    // one measurement
    private int audioPublications;
    private int videoPublications;
    private int audioSubscriptions;
    private int videoSubscriptions;
    private long expectedNow;
    private long lostNow;
    private double uploadLossSum;
    private int uploadLossCount;
    private double[] jitter = new double[16];
    private int jitterCount;
    private double[] rtt = new double[16];
    private int rttCount;
    private long endpointExpected;
    private long endpointLost;

    /** Measures one transport: its incoming streams' loss and jitter since the last call, its outgoing RTTs. */
    void transport(Transport e) {
      endpointExpected = 0;
      endpointLost = 0;
      e.incoming.forEach(this::publication);
      e.outgoing.forEach(this::subscription);
      if (endpointExpected > 0) {
        double loss = (double) endpointLost / endpointExpected;
        if (loss < LOSS_LIMITED) {
          controlled++;
        } else if (loss <= LOSS_DEGRADED) {
          limited++;
        } else {
          degraded++;
        }
      }
    }

    private void publication(Publication p) {
      if (p.isVideo()) {
        videoPublications++;
      } else {
        audioPublications++;
      }
      if (!p.stats.started()) {
        return;
      }
      long expected = p.stats.expected();
      long lost = Math.max(0, p.stats.lost());
      long dExpected = expected - p.sampledExpected;
      long dLost = Math.max(0, lost - p.sampledLost);
      p.sampledExpected = expected;
      p.sampledLost = lost;
      endpointExpected += dExpected;
      endpointLost += dLost;
      expectedNow += dExpected;
      lostNow += dLost;
      jitter = add(jitter, jitterCount++, p.stats.jitterMillis());
    }

    private void subscription(Subscription s) {
      Publication p = s.current();
      boolean video = p != null ? p.isVideo() : s.source != null;
      if (video) {
        videoSubscriptions++;
      } else {
        audioSubscriptions++;
      }
      if (s.rttMillis >= 0) {
        rtt = add(rtt, rttCount++, s.rttMillis);
      }
      if (s.packets > 0) {
        uploadLossSum += s.reportedLoss;
        uploadLossCount++;
      }
    }

    private static double[] add(double[] values, int at, double value) {
      if (at == values.length) {
        values = Arrays.copyOf(values, values.length * 2);
      }
      values[at] = value;
      return values;
    }

    /** Ends the measurement and starts the next. */
    RouterStatistics finish() {
      expectedTotal += expectedNow;
      lostTotal += lostNow;
      RouterStatistics s = new RouterStatistics(audioPublications, videoPublications, audioSubscriptions,
          videoSubscriptions, expectedTotal, lostTotal, expectedNow > 0 ? (double) lostNow / expectedNow : 0,
          uploadLossCount > 0 ? uploadLossSum / uploadLossCount : 0, Arrays.copyOf(jitter, jitterCount),
          Arrays.copyOf(rtt, rttCount), controlled, limited, degraded);
      audioPublications = videoPublications = audioSubscriptions = videoSubscriptions = 0;
      expectedNow = lostNow = 0;
      uploadLossSum = 0;
      uploadLossCount = jitterCount = rttCount = 0;
      return s;
    }
  }
}
