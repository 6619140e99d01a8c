package uk.co.lchat.media.control;

import java.util.HashMap;
import java.util.Map;

import uk.co.lchat.media.router.MediaRouter;

/**
 * A receiver's own limits on the video it gets: the tallest picture it wants of each source, by track id or by
 * publisher (participant id, for all of that participant's video), and for every other source. 0 means no video
 * of that source; the router gives a simulcast track the highest layer that fits ({@link MediaRouter#setMaxHeight}).
 * Ids it names that no track has are kept and do nothing (a participant who has not published yet, or has left).
 * Validated on creation, so a record that exists is one the router can apply as it is.
 */
public record VideoConstraints(int defaultMaxHeight, HashMap<String, Integer> maxHeights) {
  /** Heights above this (8K) are taken as this: no camera or screen sends more. */
  public static final int MAX_HEIGHT = 4320;
  /** The most sources one message may name: last-N is at most 100, and each may have a screen besides. */
  public static final int MAX_SOURCES = 256;
  /** The longest id accepted (participant ids are short; track ids are "participant-mid-ssrc"). */
  public static final int MAX_ID_LENGTH = 128;
  /** No limits: every source at its best. */
  public static final VideoConstraints NONE = new VideoConstraints(MediaRouter.ANY_HEIGHT, new HashMap<>());

  public VideoConstraints {
    if (maxHeights.size() > MAX_SOURCES) {
      throw new IllegalArgumentException("names at most " + MAX_SOURCES + " sources");
    }
    defaultMaxHeight = clamp(defaultMaxHeight);
    HashMap<String, Integer> checked = new HashMap<>();
    for (Map.Entry<String, Integer> e : maxHeights.entrySet()) {
      if (e.getKey() == null || e.getKey().isEmpty() || e.getKey().length() > MAX_ID_LENGTH) {
        throw new IllegalArgumentException("source ids are 1 to " + MAX_ID_LENGTH + " characters");
      }
      if (e.getValue() == null) {
        throw new IllegalArgumentException("every source needs a height");
      }
      checked.put(e.getKey(), clamp(e.getValue()));
    }
    maxHeights = checked;
  }

  /** A height in pixels, 0 (no video) to {@link #MAX_HEIGHT}, or {@link MediaRouter#ANY_HEIGHT}. */
  private static int clamp(int height) {
    if (height < 0) {
      throw new IllegalArgumentException("a height is 0 (no video) or more pixels, not " + height);
    }
    return height == MediaRouter.ANY_HEIGHT ? height : Math.min(height, MAX_HEIGHT);
  }

  /** The tallest picture the receiver wants of {@code track}: its own entry, else its publisher's, else the default. */
  public int maxHeightOf(TrackInfo track) {
    Integer byTrack = maxHeights.get(track.trackId());
    if (byTrack != null) {
      return byTrack;
    }
    Integer byPublisher = maxHeights.get(track.participantId());
    return byPublisher != null ? byPublisher : defaultMaxHeight;
  }
}
