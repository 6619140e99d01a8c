package uk.co.lchat.media.rtp;

/**
 * Reception statistics of one incoming RTP stream, as RFC 3550 Appendix A.1, A.3 and A.8 define them: extended
 * highest sequence number, packets expected and lost, loss fraction per report interval, and interarrival jitter
 * in RTP timestamp units. Single writer (the receive loop).
 */
public final class ReceiveStatistics {
  private static final int MAX_DROPOUT = 3000;
  private static final int MAX_MISORDER = 100;

  private final int clockRate;
  private boolean started;
  private int maxSeq;
  private long cycles;
  private long baseSeq;
  private long received;
  private long expectedPrior;
  private long receivedPrior;
  private double jitter;
  private long lastTransit;
  private boolean hasTransit;
  private long lastSrCompact;
  private long lastSrArrivalNanos;

  public ReceiveStatistics(int clockRate) {
    this.clockRate = clockRate;
  }

  /** Records one packet; {@code arrivalNanos} from System.nanoTime(). */
  public void received(int seq, long rtpTimestamp, long arrivalNanos) {
    if (!started) {
      started = true;
      maxSeq = seq;
      baseSeq = seq;
    } else {
      int delta = (seq - maxSeq) & 0xFFFF;
      if (delta < MAX_DROPOUT) {
        if (seq < maxSeq) {
          cycles += 65536;
        }
        maxSeq = seq;
      } else if (delta <= 65536 - MAX_MISORDER) {
        // A big jump: the sender restarted its numbering (RFC 3550 A.1); start over.
        maxSeq = seq;
        baseSeq = seq;
        cycles = 0;
        received = 0;
        expectedPrior = 0;
        receivedPrior = 0;
      }
    }
    received++;
    // RFC 3550 A.8: transit time in RTP units; jitter smooths the change in transit with gain 1/16.
    long arrival = arrivalNanos * clockRate / 1_000_000_000L;
    long transit = arrival - rtpTimestamp;
    if (hasTransit) {
      long d = Math.abs(transit - lastTransit);
      if (d < (long) clockRate * 10) { // ignore timestamp jumps (source switch, long pause)
        jitter += (d - jitter) / 16.0;
      }
    }
    lastTransit = transit;
    hasTransit = true;
  }

  /** Remembers a sender report so our next report block can carry LSR/DLSR (RFC 3550 §6.4.1). */
  public void senderReport(long ntp, long arrivalNanos) {
    lastSrCompact = RtcpReports.compactNtp(ntp);
    lastSrArrivalNanos = arrivalNanos;
  }

  public long extendedHighestSeq() {
    return cycles + maxSeq;
  }

  public long expected() {
    return started ? extendedHighestSeq() - baseSeq + 1 : 0;
  }

  public long received() {
    return received;
  }

  /** Packets lost so far (may go negative with duplicates, as RFC 3550 allows). */
  public long lost() {
    return expected() - received;
  }

  /** Jitter in RTP timestamp units. */
  public long jitter() {
    return (long) jitter;
  }

  public double jitterMillis() {
    return jitter * 1000.0 / clockRate;
  }

  public boolean started() {
    return started;
  }

  /** Builds a report block for this interval and starts the next one (RFC 3550 A.3). */
  public RtcpReports.Block report(long ssrc, long nowNanos) {
    long expected = expected();
    long expectedInterval = expected - expectedPrior;
    long receivedInterval = received - receivedPrior;
    expectedPrior = expected;
    receivedPrior = received;
    long lostInterval = expectedInterval - receivedInterval;
    int fraction = expectedInterval == 0 || lostInterval <= 0 ? 0 : (int) ((lostInterval << 8) / expectedInterval);
    long dlsr = lastSrArrivalNanos == 0 ? 0 : (nowNanos - lastSrArrivalNanos) * 65536 / 1_000_000_000L;
    return new RtcpReports.Block(ssrc, Math.min(fraction, 255), (int) Math.min(Integer.MAX_VALUE, lost()),
        extendedHighestSeq(), jitter(), lastSrCompact, lastSrCompact == 0 ? 0 : dlsr);
  }
}
