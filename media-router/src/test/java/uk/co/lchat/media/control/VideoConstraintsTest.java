package uk.co.lchat.media.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import uk.co.lchat.media.router.MediaRouter;

/** A receiver's own limits on its video: which height applies to which track, and what is refused or clamped. */
class VideoConstraintsTest {
  private static TrackInfo video(String participantId, String trackId) {
    return new TrackInfo(participantId, trackId, "video", 1, "VP8", 90000, 0, "", null);
  }

  private static VideoConstraints of(int defaultMaxHeight, Map<String, Integer> heights) {
    return new VideoConstraints(defaultMaxHeight, new HashMap<>(heights));
  }

  @Test
  void aTracksOwnEntryBeatsItsPublishersWhichBeatsTheDefault() {
    VideoConstraints c = of(180, Map.of("bob", 720, "bob-2-77", 360));
    assertEquals(360, c.maxHeightOf(video("bob", "bob-2-77")), "Bob's screen, named by its track id");
    assertEquals(720, c.maxHeightOf(video("bob", "bob-1-55")), "Bob's camera, by Bob's id");
    assertEquals(180, c.maxHeightOf(video("cat", "cat-1-66")), "anyone else: the default");
  }

  @Test
  void withoutConstraintsEverySourceComesAtItsBest() {
    assertEquals(MediaRouter.ANY_HEIGHT, VideoConstraints.NONE.maxHeightOf(video("bob", "bob-1-55")));
  }

  @Test
  void idsOfNobodyAreKeptAndChangeNothingForOthers() {
    VideoConstraints c = of(MediaRouter.ANY_HEIGHT, Map.of("nobody", 0));
    assertEquals(MediaRouter.ANY_HEIGHT, c.maxHeightOf(video("bob", "bob-1-55")));
  }

  @Test
  void hugeHeightsAreClampedAndNegativeOnesRefused() {
    VideoConstraints c = of(100_000, Map.of("bob", 50_000));
    assertEquals(VideoConstraints.MAX_HEIGHT, c.defaultMaxHeight());
    assertEquals(VideoConstraints.MAX_HEIGHT, c.maxHeightOf(video("bob", "bob-1-55")));
    assertThrows(IllegalArgumentException.class, () -> of(-1, Map.of()));
    assertThrows(IllegalArgumentException.class, () -> of(180, Map.of("bob", -720)));
  }

  @Test
  void tooManySourcesOrOverlongIdsAreRefused() {
    Map<String, Integer> many = new HashMap<>();
    for (int i = 0; i <= VideoConstraints.MAX_SOURCES; i++) {
      many.put("p" + i, 180);
    }
    assertThrows(IllegalArgumentException.class, () -> of(180, many));
    assertThrows(IllegalArgumentException.class, () -> of(180, Map.of("x".repeat(129), 180)));
    assertThrows(IllegalArgumentException.class, () -> of(180, Map.of("", 180)));
  }
}
