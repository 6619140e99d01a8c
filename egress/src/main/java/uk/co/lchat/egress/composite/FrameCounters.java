package uk.co.lchat.egress.composite;

import java.util.concurrent.atomic.LongAdder;

/**
 * What composite encoders did with their frames, summed over every encoder that shares it (a node's: those running
 * and those that ended), for {@code /metrics}: how long the clock took over each picture it wrote, from drawing it
 * to handing it to FFmpeg, as a histogram; and the frames it dropped, pictures and sound. Each encoder's clock thread
 * writes; a scrape reads; nothing is ever reset.
 */
public final class FrameCounters {
  /**
   * The histogram's upper bounds, seconds: finer around the 33 ms a frame has at 30 a second, past which the clock
   * falls behind and, two frames late, drops pictures.
   */
  public static final double[] BOUNDS = {0.001, 0.0025, 0.005, 0.01, 0.02, 0.033, 0.05, 0.1, 0.25, 1};

  private static final long[] BOUND_NANOS = new long[BOUNDS.length];

  static {
    for (int i = 0; i < BOUNDS.length; i++) {
      BOUND_NANOS[i] = Math.round(BOUNDS[i] * 1e9);
    }
  }

  /** Pictures by the first bound they are within; the last, past every bound. */
  private final LongAdder[] buckets = new LongAdder[BOUNDS.length + 1];
  private final LongAdder nanos = new LongAdder();
  private final LongAdder droppedPictures = new LongAdder();
  private final LongAdder droppedSound = new LongAdder();

  public FrameCounters() {
    for (int i = 0; i < buckets.length; i++) {
      buckets[i] = new LongAdder();
    }
  }

  /** A picture was drawn and handed to FFmpeg {@code tookNanos} after the clock began it. */
  void encoded(long tookNanos) {
    int i = 0;
    while (i < BOUND_NANOS.length && tookNanos > BOUND_NANOS[i]) {
      i++;
    }
    buckets[i].increment();
    nanos.add(tookNanos);
  }

  /** The clock skipped a picture (more than two frames late). */
  void pictureDropped() {
    droppedPictures.increment();
  }

  /** A frame of sound was dropped (FFmpeg read too slowly). */
  void soundDropped() {
    droppedSound.increment();
  }

  /**
   * The pictures within each of {@link #BOUNDS}, cumulative as Prometheus counts its buckets, and then all of them
   * (its {@code +Inf} bucket and count): read once, so that the count is the last bucket's, whatever encodes meanwhile.
   */
  public long[] cumulative() {
    long[] out = new long[buckets.length];
    long sum = 0;
    for (int i = 0; i < buckets.length; i++) {
      sum += buckets[i].sum();
      out[i] = sum;
    }
    return out;
  }

  /** Pictures encoded. */
  public long pictures() {
    return cumulative()[buckets.length - 1];
  }

  /** The time every encoded picture took, added up, in seconds. */
  public double seconds() {
    return nanos.sum() / 1e9;
  }

  public long droppedPictures() {
    return droppedPictures.sum();
  }

  public long droppedSound() {
    return droppedSound.sum();
  }
}
