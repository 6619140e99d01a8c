package uk.co.lchat.egress.composite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class FrameCountersTest {
  private static final long MS = 1_000_000L;

  @Test
  void eachPictureCountsInEveryBucketFromTheFirstBoundItIsWithinAsPrometheusCountsThem() {
    FrameCounters c = new FrameCounters();
    c.encoded(MS / 2); // within 1 ms
    c.encoded(MS); // exactly 1 ms: a bound is inclusive (le)
    c.encoded(40 * MS); // over a frame's 33 ms, within 50 ms
    c.encoded(2_000 * MS); // past every bound: +Inf only
    // Bounds: 1 ms, 2.5, 5, 10, 20, 33, 50, 100, 250 ms, 1 s; then +Inf.
    assertArrayEquals(new long[] {2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 4}, c.cumulative());
    assertEquals(4, c.pictures());
    assertEquals(2.0415, c.seconds(), 1e-9);
  }

  @Test
  void droppedPicturesAndSoundAreCountedApartFromTheEncodedOnes() {
    FrameCounters c = new FrameCounters();
    c.pictureDropped();
    c.pictureDropped();
    c.soundDropped();
    assertEquals(2, c.droppedPictures());
    assertEquals(1, c.droppedSound());
    assertEquals(0, c.pictures());
    assertEquals(0.0, c.seconds());
  }
}
