package uk.co.lchat.egress.composite;

import java.util.HashMap;
import java.util.Map;

/**
 * Who the dominant speaker is, from the energy each participant's audio had in each frame of the mix: a smoothed
 * level per participant (about half a second), and a change of speaker only when someone else has been louder for
 * a while (so a cough does not move the stage), as the router's own speaker detection does for the clients.
 */
final class SpeakerTracker {
  /** Below this mean square (about -50 dBFS) nobody is speaking. */
  static final double SILENCE = 1e-5;
  private final double smoothing;
  private final int framesToSwitch;
  private final Map<String, Double> levels = new HashMap<>();
  private String speaker;
  private String challenger;
  private int challengerFrames;

  /** {@code fps}: frames (calls of {@link #frame}) per second. */
  SpeakerTracker(int fps) {
    this.smoothing = 1.0 / Math.max(1, fps / 2);
    this.framesToSwitch = Math.max(1, fps); // a second louder than the speaker
  }

  /** This frame's energies; returns the speaker after it (null while nobody has spoken). */
  String frame(Map<String, Double> energies) {
    levels.keySet().retainAll(energies.keySet());
    String loudest = null;
    double loudestLevel = SILENCE;
    for (Map.Entry<String, Double> e : energies.entrySet()) {
      double level = levels.merge(e.getKey(), e.getValue(), (old, now) -> old + (now - old) * smoothing);
      if (level > loudestLevel) {
        loudest = e.getKey();
        loudestLevel = level;
      }
    }
    if (speaker != null && !energies.containsKey(speaker)) {
      speaker = null; // left
    }
    if (loudest == null || loudest.equals(speaker)) {
      challenger = null;
      challengerFrames = 0;
    } else if (speaker == null) {
      speaker = loudest;
    } else if (loudest.equals(challenger)) {
      if (++challengerFrames >= framesToSwitch) {
        speaker = loudest;
        challenger = null;
        challengerFrames = 0;
      }
    } else {
      challenger = loudest;
      challengerFrames = 1;
    }
    return speaker;
  }
}
