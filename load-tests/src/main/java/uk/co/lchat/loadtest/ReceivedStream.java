package uk.co.lchat.loadtest;

/**
 * One stream (SSRC) as one simulated receiver sees it: sequence numbers for loss (RFC 3550 §A.1 extended with
 * cycles), transit-time differences for jitter (§A.8) and gaps for video freezes. Touched only by the receiver's
 * reader thread.
 */
final class ReceivedStream {
  static final long FREEZE_NANOS = 500_000_000L;
  private final boolean video;
  private int maxSeq = -1;
  private long cycles;
  private long baseSeq;
  private long received;
  private long lastArrival;
  private long lastTransit;
  private double jitterNanos;
  private long reportedExpected;
  private long reportedLost;

  ReceivedStream(boolean video) {
    this.video = video;
  }

  void packet(int seq, long sendNanos, long arrivalNanos, Measurements m) {
    if (maxSeq < 0) {
      maxSeq = seq;
      baseSeq = seq;
    } else {
      int delta = (seq - maxSeq) & 0xFFFF;
      if (delta > 0 && delta < 0x8000) {
        if (seq < maxSeq) {
          cycles += 0x10000;
        }
        maxSeq = seq;
      }
    }
    received++;
    if (sendNanos > 0) {
      long transit = arrivalNanos - sendNanos;
      m.delay(transit);
      if (lastTransit != 0) {
        jitterNanos += (Math.abs(transit - lastTransit) - jitterNanos) / 16;
        m.jitterMicrosSum.add((long) (jitterNanos / 1000));
        m.jitterSamples.increment();
      }
      lastTransit = transit;
    }
    if (video && lastArrival != 0 && arrivalNanos - lastArrival > FREEZE_NANOS) {
      m.freezeMillis.add((arrivalNanos - lastArrival) / 1_000_000);
    }
    lastArrival = arrivalNanos;
    long expected = cycles + maxSeq - baseSeq + 1;
    long lost = Math.max(0, expected - received);
    m.expected.add(expected - reportedExpected);
    m.lost.add(lost - reportedLost);
    reportedExpected = expected;
    reportedLost = lost;
  }
}
