package uk.co.lchat.media.router;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.BooleanSupplier;

import uk.co.lchat.media.rtp.VideoCodec;
import uk.co.lchat.testpeer.SimulatedPeer;

/**
 * A publisher's three simulcast layers, VP8 unless told (rids q, h, f; 150, 500 and 1000-byte packets, one per frame
 * each; VP8 keyframes 180, 360 and 720 pixels high, every 15 frames; rid extension id 10), sent every 10 ms by
 * {@link #until}.
 */
final class SimulcastFeed {
  static final long[] SSRCS = {0x100, 0x200, 0x300};
  private static final String[] RIDS = {"q", "h", "f"};
  private static final int[] SIZES = {150, 500, 1000};
  static final int[] HEIGHTS = {180, 360, 720};
  private final SimulatedPeer publisher;
  private final VideoCodec codec;
  private final int[] seq = {0, 0, 0};
  private int frames;

  SimulcastFeed(SimulatedPeer publisher) {
    this(publisher, VideoCodec.VP8);
  }

  SimulcastFeed(SimulatedPeer publisher, VideoCodec codec) {
    this.publisher = publisher;
    this.codec = codec;
  }

  int frames() {
    return frames;
  }

  void frame() {
    frame(0b111);
  }

  /** One frame of the layers whose bit is set in {@code active} (bit 0: q), as a publisher that turned some off. */
  void frame(int active) {
    try {
      for (int layer = 0; layer < 3; layer++) {
        if ((active & (1 << layer)) == 0) {
          continue;
        }
        publisher.sendLayer(codec, 96, SSRCS[layer], seq[layer]++, frames * 3000L, frames % 15 == 0, 10, RIDS[layer],
            SIZES[layer], true, false, HEIGHTS[layer]);
      }
      frames++;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends frames until {@code done} or {@code seconds} have passed. */
  void until(BooleanSupplier done, int seconds) throws InterruptedException {
    until(0b111, done, seconds);
  }

  /** ... of the layers set in {@code active}. */
  void until(int active, BooleanSupplier done, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (!done.getAsBoolean() && System.nanoTime() < deadline) {
      frame(active);
      Thread.sleep(10);
    }
  }
}
