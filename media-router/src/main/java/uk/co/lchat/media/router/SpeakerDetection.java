package uk.co.lchat.media.router;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Dominant speaker detection for every group (room) on this router, from the loudness of its endpoints' audio
 * streams (RFC 6464 levels): one {@link DominantSpeaker} per group, told each tick who is loudest. Relays belong
 * to no group and take no part. Loop-owned.
 */
final class SpeakerDetection {
  /** A group's loudest audio stream this tick, and whose it is. */
  private record Loudest(Endpoint endpoint, Publication publication) {}

  private final Map<String, DominantSpeaker> speakers = new HashMap<>();
  private final MediaRouter.SpeakerListener listener;

  SpeakerDetection(MediaRouter.SpeakerListener listener) {
    this.listener = listener;
  }

  /** One tick: the loudest audio stream of each group challenges the group's current speaker. */
  void tick(Collection<Endpoint> endpoints) {
    Map<String, Loudest> loudest = new HashMap<>();
    for (Endpoint e : endpoints) {
      e.incoming.forEach(p -> {
        if (p.audioLevelExtension > 0) {
          Loudest best = loudest.get(e.group);
          if (best == null || p.loudness > best.publication().loudness) {
            loudest.put(e.group, new Loudest(e, p));
          }
        }
      });
    }
    for (Map.Entry<String, Loudest> entry : loudest.entrySet()) {
      DominantSpeaker speaker = speakers.computeIfAbsent(entry.getKey(), g -> new DominantSpeaker());
      double currentLevel = speaker.current == null ? 0 : loudnessOf(speaker.current);
      Loudest now = entry.getValue();
      Endpoint changed = speaker.tick(now.endpoint(), now.publication().loudness, currentLevel);
      if (changed != null && listener != null) {
        listener.dominantSpeakerChanged(entry.getKey(), changed);
      }
    }
    speakers.keySet().retainAll(loudest.keySet());
  }

  /** The endpoint left: it is nobody's current speaker any more. */
  void removed(Endpoint e) {
    DominantSpeaker speaker = speakers.get(e.group);
    if (speaker != null && speaker.current == e) {
      speaker.current = null;
    }
  }

  private static double loudnessOf(Endpoint e) {
    double[] max = {0};
    e.incoming.forEach(p -> max[0] = Math.max(max[0], p.loudness));
    return max[0];
  }
}
