package uk.co.lchat.media.router;

/**
 * Which layer of a simulcast track (RFC 8853) one receiver gets, as a decision with no sockets: the layer it should
 * have (its quality, its reported loss, its bandwidth estimate), and, per packet, whether a packet of a layer goes
 * to it. A receiver moves to another layer only at one of that layer's keyframes, so the decoder never sees a
 * picture that refers to frames it never got. One per simulcast subscription; loop-owned.
 */
final class LayerSelector {
  /** {@link #choose}'s answer when nothing must change. */
  static final int KEEP = -1;
  /** A receiver reporting more loss than this fraction (RFC 3550 §6.4.1 "fraction lost") gets the lowest layer. */
  static final double LOSS_TOO_HIGH = 0.10;
  /** It recovers after {@link #GOOD_REPORTS_TO_RECOVER} reports in a row under this fraction. */
  static final double LOSS_FINE = 0.02;
  static final int GOOD_REPORTS_TO_RECOVER = 5;

  /** What a receiver report changed about the receiver's loss state. */
  enum LossChange {
    /** Nothing: the layer stays as it is. */
    NONE,
    /** The receiver just reported heavy loss: it is limited to the lowest layer. */
    LIMITED,
    /** It reported little loss for long enough: it may have its quality back. */
    RECOVERED
  }

  /** The layer forwarded now (-1: none yet) and the one to switch to at its next keyframe (-1: none). */
  private int current = -1;
  private int pending = -1;
  private boolean high = true;
  private boolean lossLimited;
  private int goodReports;
  /** The most the receiver can take, bits per second, from a REMB; -1: no limit known. */
  private long maxBitrate = -1;

  /**
   * The keyframe gate, once per packet of layer {@code layer}: true if the packet goes to this receiver. A receiver
   * that has nothing yet starts with whichever layer's keyframe comes first; one waiting for another layer switches
   * at that layer's keyframe.
   */
  boolean forwards(int layer, boolean keyframe) {
    if (keyframe && (layer == pending || current < 0)) {
      current = layer;
      if (layer == pending) {
        pending = -1;
      }
    }
    return layer == current;
  }

  /**
   * The layer this receiver should get: the highest for high quality, the lowest for low quality or while it is
   * loss-limited, and under a REMB the highest whose measured rate fits it. {@code ranked} lists the layers that
   * sent anything, from lowest to highest bit rate, {@code bitrates} each layer's rate; with nothing measured yet
   * it is {@code anyKnownLayer} (-1: none).
   */
  int target(int[] ranked, long[] bitrates, int anyKnownLayer) {
    if (ranked.length == 0) {
      return anyKnownLayer;
    }
    int lowest = ranked[0];
    int target = high && !lossLimited ? ranked[ranked.length - 1] : lowest;
    if (target != lowest && maxBitrate >= 0) {
      target = lowest; // the highest layer that fits the receiver's estimate, else the lowest
      for (int layer : ranked) {
        if (bitrates[layer] <= maxBitrate) {
          target = layer;
        }
      }
    }
    return target;
  }

  /**
   * Decides after something changed (layers ranked, quality, loss, estimate): the layer to switch to, whose keyframe
   * the publisher must send now, or {@link #KEEP}. The switch itself happens in {@link #forwards}.
   */
  int choose(int[] ranked, long[] bitrates, int anyKnownLayer) {
    int target = target(ranked, bitrates, anyKnownLayer);
    if (target < 0 || target == current || target == pending) {
      return KEEP;
    }
    pending = target;
    return target;
  }

  /** Loss adaptation: folds in one receiver report's fraction lost (0..1). */
  LossChange reportedLoss(double fractionLost) {
    if (fractionLost > LOSS_TOO_HIGH) {
      goodReports = 0;
      if (!lossLimited) {
        lossLimited = true;
        return LossChange.LIMITED;
      }
    } else if (fractionLost < LOSS_FINE) {
      if (lossLimited && ++goodReports >= GOOD_REPORTS_TO_RECOVER) {
        lossLimited = false;
        goodReports = 0;
        return LossChange.RECOVERED;
      }
    } else {
      goodReports = 0;
    }
    return LossChange.NONE;
  }

  /** High (the default) or low quality, as the receiver's owner asks. */
  void quality(boolean high) {
    this.high = high;
  }

  /** A bandwidth estimate for the receiver (REMB), bits per second. */
  void maxBitrate(long bitsPerSecond) {
    this.maxBitrate = bitsPerSecond;
  }

  int current() {
    return current;
  }

  int pending() {
    return pending;
  }

  boolean lossLimited() {
    return lossLimited;
  }
}
