package uk.co.lchat.egress.composite;

/**
 * One participant's decoded audio (16-bit mono PCM) between its decoder, which writes it as it arrives, and the
 * mixer, which takes a fixed count per video frame on the composite's clock. It starts playing once a little is
 * buffered (so network jitter does not become clicks), plays silence when it runs dry, and drops its oldest
 * samples when the mixer falls behind, counting them.
 */
final class SampleQueue {
  private final short[] ring;
  private final int prebuffer;
  private int head;
  private int size;
  private boolean playing;
  private long dropped;

  /** {@code capacity} samples at most; playing starts once {@code prebuffer} are queued. */
  SampleQueue(int capacity, int prebuffer) {
    this.ring = new short[capacity];
    this.prebuffer = Math.min(prebuffer, capacity);
  }

  synchronized void write(short[] samples, int count) {
    for (int i = 0; i < count; i++) {
      if (size == ring.length) {
        head = (head + 1) % ring.length;
        size--;
        dropped++;
      }
      ring[(head + size) % ring.length] = samples[i];
      size++;
    }
  }

  /**
   * Adds the next {@code count} samples into {@code mix} (silence where there are none yet) and returns their
   * energy (the mean square, in full-scale units squared), which says how loud this participant is now.
   */
  synchronized double mixInto(int[] mix, int count) {
    if (!playing && size >= prebuffer) {
      playing = true;
    }
    if (!playing) {
      return 0;
    }
    double energy = 0;
    int n = Math.min(count, size);
    for (int i = 0; i < n; i++) {
      short s = ring[head];
      head = (head + 1) % ring.length;
      mix[i] += s;
      energy += (double) s * s;
    }
    size -= n;
    if (size == 0) {
      playing = false; // ran dry: wait for a little again rather than play every packet as it comes
    }
    return energy / count / (32768.0 * 32768.0);
  }

  synchronized long dropped() {
    return dropped;
  }

  synchronized int queued() {
    return size;
  }
}
