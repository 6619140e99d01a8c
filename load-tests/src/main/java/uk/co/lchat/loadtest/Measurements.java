package uk.co.lchat.loadtest;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * What all simulated receivers measured, shared by their reader threads: packets, bytes, loss (from sequence numbers,
 * and estimated for streams that stopped: see {@link Reception}), one-way delay (send time stamped in the payload,
 * same process clock), interarrival jitter and video freezes; and how the participants' signaling fared.
 * Delays go into a log-scale histogram so percentiles cost no allocation per packet.
 */
final class Measurements {
  /** Buckets of 5 % width from 10 µs up to about 70 s. */
  private static final double BASE_MICROS = 10;
  private static final double GROWTH = 1.05;
  static final int BUCKETS = 320;

  private final long startNanos = System.nanoTime();
  final LongAdder packets = new LongAdder();
  final LongAdder bytes = new LongAdder();
  final LongAdder expected = new LongAdder();
  final LongAdder lost = new LongAdder();
  /** The part of {@link #lost} estimated for streams that delivered nothing while they should have. */
  final LongAdder lostWhileStalled = new LongAdder();
  final LongAdder freezeMillis = new LongAdder();
  final LongAdder jitterMicrosSum = new LongAdder();
  final LongAdder jitterSamples = new LongAdder();
  final LongAdder packetsSent = new LongAdder();
  /** Signaling steps a participant could not complete (answering an offer, moving to another node). */
  final LongAdder failures = new LongAdder();
  /** What the first few {@link #failures} were, for a failing test's message. */
  private final java.util.concurrent.ConcurrentLinkedQueue<String> failureReasons =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  /** Signaling connections that dropped without the server asking and were resumed on a node. */
  final LongAdder reconnects = new LongAdder();
  /** Participants that gave up reopening a dropped signaling connection after every try. */
  final LongAdder reconnectsGivenUp = new LongAdder();
  private final AtomicLongArray delays = new AtomicLongArray(BUCKETS);

  /**
   * {@code who} could not complete {@code step}: counted, and the first five reasons kept with their causes and
   * when they happened (seconds since these measurements began), to be read next to the run's log.
   */
  void failed(String who, String step, Exception e) {
    failures.increment();
    if (failureReasons.size() < 5) {
      StringBuilder reason = new StringBuilder(String.format("%.1f s: %s could not %s: %s",
          (System.nanoTime() - startNanos) / 1e9, who, step, e));
      for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
        reason.append(" <- ").append(cause);
      }
      failureReasons.add(reason.toString());
    }
  }

  java.util.List<String> failureReasons() {
    return java.util.List.copyOf(failureReasons);
  }

  void delay(long nanos) {
    double micros = Math.max(BASE_MICROS, nanos / 1000.0);
    int bucket = (int) Math.min(BUCKETS - 1, Math.log(micros / BASE_MICROS) / Math.log(GROWTH));
    delays.incrementAndGet(bucket);
  }

  /** A copy of the delay histogram (for windows: subtract an earlier copy). */
  long[] delayHistogram() {
    long[] copy = new long[BUCKETS];
    for (int i = 0; i < BUCKETS; i++) {
      copy[i] = delays.get(i);
    }
    return copy;
  }

  /** The {@code q} quantile (0..1) of a histogram, in milliseconds (the bucket's upper edge). */
  static double quantileMillis(long[] histogram, double q) {
    long total = 0;
    for (long c : histogram) {
      total += c;
    }
    if (total == 0) {
      return 0;
    }
    long rank = (long) Math.ceil(q * total);
    long seen = 0;
    for (int i = 0; i < histogram.length; i++) {
      seen += histogram[i];
      if (seen >= rank) {
        return BASE_MICROS * Math.pow(GROWTH, i + 1) / 1000.0;
      }
    }
    return BASE_MICROS * Math.pow(GROWTH, histogram.length) / 1000.0;
  }

  static long[] minus(long[] now, long[] before) {
    long[] d = new long[now.length];
    for (int i = 0; i < now.length; i++) {
      d[i] = now[i] - before[i];
    }
    return d;
  }
}
