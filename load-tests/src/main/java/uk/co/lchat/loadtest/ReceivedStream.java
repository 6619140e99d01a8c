package uk.co.lchat.loadtest;

/**
 * One stream (SSRC) as one simulated receiver sees it: sequence numbers for loss (RFC 3550 §A.1 extended with
 * cycles), transit-time differences for jitter (§A.8), gaps for video freezes, and its packet rate, by which
 * {@link Reception} estimates what it misses while it delivers nothing. Packets come on the receiver's reader
 * thread (two for a moment while a connection is replaced), rate and estimates on the report tick: so every method
 * holds the stream's lock, which is uncontended nearly always.
 */
final class ReceivedStream {
  static final long FREEZE_NANOS = 500_000_000L;
  /** A rate is measured over at least this much of the stream's own arrivals, so one video frame does not set it. */
  static final long RATE_SPAN_NANOS = 200_000_000L;
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
  private long markArrival;
  private long markReceived;
  private double packetsPerSecond;
  /** Packets counted lost while the stream was stalled that its sequence numbers have not yet shown. */
  private long estimatedLost;

  ReceivedStream(boolean video) {
    this.video = video;
  }

  synchronized void packet(int seq, long sendNanos, long arrivalNanos, Measurements m) {
    if (maxSeq < 0) {
      maxSeq = seq;
      baseSeq = seq;
      markArrival = arrivalNanos;
      markReceived = 1;
      estimatedLost = 0; // nothing to compare with: what was estimated before its first packet stands
    } else {
      int delta = (seq - maxSeq) & 0xFFFF;
      if (delta > 0 && delta < 0x8000) {
        if (estimatedLost > 0) {
          replaceEstimate(delta - 1, m);
        }
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

  /**
   * The stream resumed after a stall with {@code gap} sequence numbers missing, which the sequence count is about
   * to add as lost: the part of the estimate it covers is taken back, so those packets count once. What the
   * estimate has beyond the gap stands (the numbers wrapped during a long stall, or the router kept them
   * continuous across a switch of source), so a stall counts the larger of the two.
   */
  private void replaceEstimate(long gap, Measurements m) {
    long overlap = Math.min(estimatedLost, gap);
    m.expected.add(-overlap);
    m.lost.add(-overlap);
    m.lostWhileStalled.add(-overlap);
    estimatedLost = 0;
  }

  /** {@code packets} of this stream were counted lost while it delivered nothing. */
  synchronized void estimated(long packets) {
    estimatedLost += packets;
  }

  synchronized boolean arrived() {
    return maxSeq >= 0;
  }

  /** When its latest packet arrived (nanoTime), 0 before the first. */
  synchronized long lastArrival() {
    return lastArrival;
  }

  /**
   * Packets per second over its arrivals since the previous measurement at least {@link #RATE_SPAN_NANOS} before
   * the latest packet; the previous rate while it delivers nothing new, 0 until it has been measured once.
   */
  synchronized double packetsPerSecond() {
    long span = lastArrival - markArrival;
    if (maxSeq >= 0 && span >= RATE_SPAN_NANOS) {
      packetsPerSecond = (received - markReceived) * 1e9 / span;
      markArrival = lastArrival;
      markReceived = received;
    }
    return packetsPerSecond;
  }
}
