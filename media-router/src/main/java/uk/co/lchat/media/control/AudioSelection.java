package uk.co.lchat.media.control;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * Which audio sources a receiver's fixed audio slots carry: the loudest few of the sources it may hear. A source
 * keeps its slot while it stays among the loudest; a newcomer takes an empty slot, or the slot of the quietest
 * holder that fell out of the loudest, but only when it is louder by {@link #MARGIN} (so equally quiet sources do
 * not swap back and forth). With no more sources than slots, every source has one.
 */
public final class AudioSelection {
  /** Loudness (127 - RFC 6464 level, smoothed) a newcomer must exceed a holder by to take its slot. */
  static final double MARGIN = 6;

  private AudioSelection() {}

  /**
   * @param holders   each slot's source id now (null: empty); not changed
   * @param ranked    the loudest sources the receiver may hear, loudest first (at least as many as slots, if there
   *                  are that many)
   * @param hearable  whether the receiver may (still) hear a source
   * @param loudness  each source's loudness now
   * @return each slot's source id from now on
   */
  public static String[] assign(String[] holders, List<String> ranked, Predicate<String> hearable,
                                ToDoubleFunction<String> loudness) {
    int k = holders.length;
    String[] next = Arrays.copyOf(holders, k);
    for (int i = 0; i < k; i++) {
      if (next[i] != null && !hearable.test(next[i])) {
        next[i] = null; // the source is gone (left, unpublished, now the receiver's own)
      }
    }
    List<String> top = ranked.subList(0, Math.min(k, ranked.size()));
    Set<String> held = new HashSet<>(Arrays.asList(next));
    List<String> newcomers = new ArrayList<>();
    for (String s : top) {
      if (!held.contains(s)) {
        newcomers.add(s);
      }
    }
    Set<String> topSet = new HashSet<>(top);
    for (String s : newcomers) {
      int slot = -1;
      for (int i = 0; i < k && slot < 0; i++) {
        if (next[i] == null) {
          slot = i;
        }
      }
      if (slot < 0) {
        // The quietest holder that is no longer among the loudest gives way, if the newcomer is clearly louder.
        double quietest = Double.MAX_VALUE;
        for (int i = 0; i < k; i++) {
          if (!topSet.contains(next[i]) && loudness.applyAsDouble(next[i]) < quietest) {
            quietest = loudness.applyAsDouble(next[i]);
            slot = i;
          }
        }
        if (slot < 0 || loudness.applyAsDouble(s) <= quietest + MARGIN) {
          continue;
        }
      }
      next[slot] = s;
    }
    return next;
  }
}
