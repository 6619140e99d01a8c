package uk.co.lchat.media.router;

/**
 * Raises a receiver's bandwidth estimate when the estimate alone holds it on a smaller simulcast layer than it
 * wants. A receiver's REMB cannot grow by itself past what it receives: Chrome's estimator caps its increase at 1.5
 * times the incoming rate plus 10 kbit/s (the AIMD rate control of draft-ietf-rmcat-gcc-02 §5.5: the increase is
 * limited by the incoming rate), so a receiver started on a 150 kbit/s layer reports ~235 kbit/s for ever and never
 * gets the 350 kbit/s one. While held back this way it gets copies of the packets it is sent, as RTX (RFC 4588,
 * which it discards as duplicates once its estimator counted them), up to a little above the next layer's rate; the
 * estimate then climbs and the layer selector moves it up. A probe that fails (the estimate falls, a sign of
 * congestion, or does not reach the next layer in {@link #PROBE_NANOS}) stops and waits before the next, each wait
 * twice the last. One per simulcast subscription of an endpoint; loop-owned.
 */
final class BandwidthProbe {
  /** How long one probe may take to lift the estimate to the next layer's rate. */
  static final long PROBE_NANOS = 10_000_000_000L;
  /** The wait after the first failed probe; it doubles with every failure in a row, up to {@link #MAX_BACKOFF_NANOS}. */
  static final long FIRST_BACKOFF_NANOS = 5_000_000_000L;
  static final long MAX_BACKOFF_NANOS = 120_000_000_000L;
  /** The rate a probe aims at, over the next layer's measured rate. */
  static final double HEADROOM = 1.2;
  /** An estimate below this fraction of the one the probe started from ends it as a failure. */
  static final double FALL = 0.85;
  /** At most this many copies of one packet. */
  static final int MAX_COPIES = 3;

  /** The layer the estimate holds the receiver below (-1: none), its rate and the sent layer's (bits per second). */
  private int goalLayer = -1;
  private long goal;
  private long sending;
  /** When the running probe started (0 with {@code running} false: none runs) and the estimate then. */
  private boolean running;
  private long startedNanos;
  private long startEstimate;
  /** After a failure: no probe before {@code resumeNanos}. */
  private boolean waiting;
  private long resumeNanos;
  private long backoffNanos = FIRST_BACKOFF_NANOS;
  /** Bytes of copies owed: the probe's share of each packet, paid in whole packets. */
  private double owed;

  /**
   * What the layer selector decided: {@code nextLayer} the layer the estimate holds the receiver below (-1: it holds
   * nothing back) and its measured rate, {@code sending} the rate of the layer it gets (bits per second). Another
   * layer to reach ends the running probe; having moved up past the last one also forgets earlier failures.
   */
  void goal(int nextLayer, long nextRate, long sending, boolean movedUp) {
    this.goal = nextRate;
    this.sending = sending;
    if (nextLayer == goalLayer) {
      return;
    }
    if (movedUp) {
      backoffNanos = FIRST_BACKOFF_NANOS;
      waiting = false;
    }
    goalLayer = nextLayer;
    running = false;
    owed = 0;
  }

  /** A REMB: one that falls during a probe is congestion the probe may be causing, so it stops. */
  void estimate(long bitsPerSecond, long now) {
    if (running && bitsPerSecond < startEstimate * FALL) {
      fail(now);
    }
  }

  /**
   * After a packet of {@code bytes} went to the receiver: how many copies of it go too. Starts a probe when one is
   * due ({@code estimate} the receiver's REMB so far).
   */
  int copies(int bytes, long estimate, long now) {
    if (goalLayer < 0 || sending <= 0 || bytes <= 0 || (waiting && now - resumeNanos < 0)) {
      return 0;
    }
    if (!running) {
      running = true;
      waiting = false;
      startedNanos = now;
      startEstimate = estimate;
    } else if (now - startedNanos > PROBE_NANOS) {
      fail(now);
      return 0;
    }
    owed += bytes * Math.max(0.0, (goal * HEADROOM - sending) / sending);
    int copies = (int) Math.min(MAX_COPIES, owed / bytes);
    owed = Math.min(owed - (double) copies * bytes, (double) MAX_COPIES * bytes);
    return copies;
  }

  /** True while a probe runs. */
  boolean probing() {
    return running;
  }

  private void fail(long now) {
    running = false;
    owed = 0;
    waiting = true;
    resumeNanos = now + backoffNanos;
    backoffNanos = Math.min(MAX_BACKOFF_NANOS, backoffNanos * 2);
  }
}
