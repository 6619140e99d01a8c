package uk.co.lchat.media.router;

/**
 * Picks the loudest audio publication of a group from RFC 6464 levels. Levels are smoothed per packet; a new speaker
 * takes over only when louder than the current one by a margin for two consecutive ticks, so brief noises do not
 * flip the stage.
 */
final class DominantSpeaker {
  /** How much of each packet's level goes into a publication's loudness ({@link Publication#hear}). */
  static final double SMOOTHING = 0.1;
  static final double SILENCE = 20;
  static final double MARGIN = 6;

  Endpoint current;
  private Endpoint challenger;
  private int challengerTicks;

  /** Returns the new dominant endpoint when it changes on this tick, else null. */
  Endpoint tick(Endpoint loudest, double loudestLevel, double currentLevel) {
    if (loudest == null || loudestLevel < SILENCE || loudest == current) {
      challenger = null;
      challengerTicks = 0;
      return null;
    }
    if (current != null && !current.closed && loudestLevel < currentLevel + MARGIN) {
      challenger = null;
      challengerTicks = 0;
      return null;
    }
    if (challenger == loudest) {
      challengerTicks++;
    } else {
      challenger = loudest;
      challengerTicks = 1;
    }
    if (challengerTicks >= 2 || current == null || current.closed) {
      current = loudest;
      challenger = null;
      challengerTicks = 0;
      return current;
    }
    return null;
  }
}
