package uk.co.lchat.media.router;

/**
 * Which layer of a simulcast track (RFC 8853) one receiver gets, as a decision with no sockets: the layer it should
 * have (its quality, the largest picture it asked for, its reported loss, its bandwidth estimate), and, per packet,
 * whether a packet of a layer goes to it. A receiver moves to another layer only at one of that layer's keyframes, so the decoder never sees a
 * picture that refers to frames it never got. One per simulcast subscription; loop-owned.
 */
final class LayerSelector {
  /** {@link #choose}'s answer when nothing must change. */
  static final int KEEP = -1;
  /** {@link #maxHeight}: the receiver set no limit on the picture's height. */
  static final int ANY_HEIGHT = Integer.MAX_VALUE;
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
  /** The tallest picture the receiver wants, pixels; 0: it wants no video of this track. */
  private int maxHeight = ANY_HEIGHT;

  /**
   * The keyframe gate, once per packet of layer {@code layer}: true if the packet goes to this receiver. A receiver
   * that has nothing yet starts with whichever layer's keyframe comes first; one waiting for another layer switches
   * at that layer's keyframe.
   */
  boolean forwards(int layer, boolean keyframe) {
    if (maxHeight == 0) {
      return false;
    }
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
   * loss-limited; of those, under a height limit the highest whose picture fits it (a layer of unknown height
   * does not), and under a REMB the highest whose measured rate fits it; never less than the lowest, and none
   * (-1) for a receiver that wants no video. {@code ranked} lists the layers that sent anything, from lowest to
   * highest bit rate, {@code bitrates} each layer's rate and {@code heights} its picture height from its last
   * keyframe (0: unknown); with nothing measured yet it is {@code anyKnownLayer} (-1: none).
   */
  int target(int[] ranked, long[] bitrates, int[] heights, int anyKnownLayer) {
    if (maxHeight == 0) {
      return -1;
    }
    if (ranked.length == 0) {
      return anyKnownLayer;
    }
    return ranked[withinEstimate(ranked, bitrates, allowed(ranked, heights))];
  }

  /**
   * The layer this receiver would get next were it not for its bandwidth estimate: the one above {@link #target}'s
   * when the REMB alone holds it below what its quality, loss and height limit allow; -1 when the estimate holds
   * nothing back (or none is known, or there are no layers to rank).
   */
  int heldBackFrom(int[] ranked, long[] bitrates, int[] heights) {
    if (maxHeight == 0 || maxBitrate < 0 || ranked.length == 0) {
      return -1;
    }
    int allowed = allowed(ranked, heights);
    int fits = withinEstimate(ranked, bitrates, allowed);
    return fits < allowed ? ranked[fits + 1] : -1;
  }

  /** The index into {@code ranked} of the highest layer quality, loss and the height limit allow. */
  private int allowed(int[] ranked, int[] heights) {
    int top = high && !lossLimited ? ranked.length - 1 : 0;
    if (maxHeight == ANY_HEIGHT) {
      return top;
    }
    int fits = 0;
    for (int i = 1; i <= top; i++) {
      int h = heights[ranked[i]];
      if (h > 0 && h <= maxHeight) {
        fits = i;
      }
    }
    return fits;
  }

  /** Of the layers up to index {@code top}, the highest whose rate fits the REMB (the lowest when none does). */
  private int withinEstimate(int[] ranked, long[] bitrates, int top) {
    if (maxBitrate < 0) {
      return top;
    }
    int fits = 0;
    for (int i = 1; i <= top; i++) {
      if (bitrates[ranked[i]] <= maxBitrate) {
        fits = i;
      }
    }
    return fits;
  }

  /**
   * Decides after something changed (layers ranked, quality, height limit, loss, estimate): the layer to switch to,
   * whose keyframe the publisher must send now, or {@link #KEEP}. The switch itself happens in {@link #forwards}.
   */
  int choose(int[] ranked, long[] bitrates, int[] heights, int anyKnownLayer) {
    int target = target(ranked, bitrates, heights, anyKnownLayer);
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

  /**
   * The tallest picture the receiver wants, pixels ({@link #ANY_HEIGHT}: no limit). 0 stops its video at once
   * (nothing is forwarded, nothing awaited); a height again starts it at the next keyframe of any layer.
   */
  void maxHeight(int pixels) {
    int next = Math.max(0, pixels);
    if (next == 0) {
      current = -1;
      pending = -1;
    }
    maxHeight = next;
  }

  int maxHeight() {
    return maxHeight;
  }

  /** A bandwidth estimate for the receiver (REMB), bits per second. */
  void maxBitrate(long bitsPerSecond) {
    this.maxBitrate = bitsPerSecond;
  }

  /** The last REMB, bits per second; -1 before any. */
  long maxBitrate() {
    return maxBitrate;
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
