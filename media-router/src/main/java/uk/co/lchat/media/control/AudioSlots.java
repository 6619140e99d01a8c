package uk.co.lchat.media.control;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

import uk.co.lchat.media.router.Publication;
import uk.co.lchat.media.router.StreamRewriter;

/**
 * Loudest-N audio on this node: each receiver hears Opus in at most {@link #count()} fixed streams (the same SSRCs
 * whoever speaks), each carrying one of the loudest sources it may hear; {@link AudioSelection} decides who keeps a
 * slot. Every {@link #INTERVAL} the slots of every receiver follow who is loudest now, ranked once per room, and a
 * source that sent nothing since the last round counts as silent whatever its last level said (muted, gone quiet).
 */
final class AudioSlots {
  static final Duration INTERVAL = Duration.ofMillis(200);

  private final int count;
  private final LocalTracks tracks;
  private final Random random = new SecureRandom();
  /** Packets of each audio source at the last round: one that got none since is silent. */
  private Map<Publication, Long> packetsAtLastRound = new HashMap<>();
  private final Set<Publication> stalled = new HashSet<>();

  /** {@code count}: slots per receiver; 0 turns them off (every audio source in a stream of its own). */
  AudioSlots(int count, LocalTracks tracks) {
    this.count = count;
    this.tracks = tracks;
  }

  int count() {
    return count;
  }

  boolean enabled() {
    return count > 0;
  }

  /** Whether a receiver hears {@code t} through its audio slots rather than a section of its own. */
  boolean carries(TrackInfo t) {
    return count > 0 && t.isAudio() && t.codec().equalsIgnoreCase("opus");
  }

  /**
   * A receiver's {@code index}th audio slot, in m-section {@code mid}: a stream of its own under a random SSRC,
   * like {@code like} (an Opus source it may hear), named by the slots' stream id rather than a participant's.
   */
  Slot newSlot(String mid, int index, TrackInfo like) {
    long ssrc = random.nextInt() & 0xFFFFFFFFL;
    Slot slot = new Slot(mid, "audio", new StreamRewriter(ssrc, false, like.clockRate()));
    slot.track = new TrackInfo(MediaRouterActor.AUDIO_SLOTS_STREAM, MediaRouterActor.AUDIO_SLOTS_STREAM + "-" + index,
        "audio", ssrc, like.codec(), like.clockRate(), like.channels(), like.fmtp(), tracks.origin());
    return slot;
  }

  /** A source's loudness now; one that sent nothing since the last round is silent. */
  double loudness(Publication p) {
    return p == null || stalled.contains(p) ? 0 : p.loudness();
  }

  /** Those of {@code sources} that are here, loudest first. */
  List<TrackInfo> ranked(Collection<TrackInfo> sources) {
    List<TrackInfo> here = new ArrayList<>();
    for (TrackInfo t : sources) {
      if (tracks.publicationOf(t) != null) {
        here.add(t);
      }
    }
    here.sort(Comparator.comparingDouble((TrackInfo t) -> loudness(tracks.publicationOf(t))).reversed());
    return here;
  }

  /** One round: every receiver's audio slots follow who is loudest now, ranked once per room. */
  void select(Collection<Member> members) {
    Map<String, Map<String, TrackInfo>> byRoom = new HashMap<>();
    for (Member m : members) {
      if (m.receiving.hasAudioSlots()) {
        Map<String, TrackInfo> room = byRoom.computeIfAbsent(m.roomId, r -> new LinkedHashMap<>());
        m.receiving.audioSources().forEach(t -> room.putIfAbsent(t.trackId(), t));
      }
    }
    Map<Publication, Long> packets = new HashMap<>();
    stalled.clear();
    for (Map<String, TrackInfo> room : byRoom.values()) {
      for (TrackInfo t : room.values()) {
        Publication p = tracks.publicationOf(t);
        if (p != null) {
          packets.put(p, p.packets());
          if (Objects.equals(packetsAtLastRound.get(p), p.packets())) {
            stalled.add(p);
          }
        }
      }
    }
    packetsAtLastRound = packets;
    Map<String, List<TrackInfo>> rankings = new HashMap<>();
    byRoom.forEach((room, sources) -> rankings.put(room, ranked(sources.values())));
    for (Member m : members) {
      if (m.receiving.hasAudioSlots()) {
        m.receiving.assignAudio(rankings.get(m.roomId));
      }
    }
  }
}
