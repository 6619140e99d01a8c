package uk.co.lchat.media.control;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.apache.pekko.actor.typed.ActorRef;

import uk.co.lchat.media.router.Publication;
import uk.co.lchat.media.router.SimulcastSource;

/**
 * The tracks a receiver on this node can be fed from, by track id: those published here (plain or simulcast) and
 * those that came over a relay from their origin ({@link Relays}), which it asks for when one is missing. Owned by
 * the router actor (single-threaded).
 */
final class LocalTracks {
  private final Map<String, Publication> published = new HashMap<>();
  private final Map<String, SimulcastSource> simulcast = new HashMap<>();
  private final Relays relays;
  private final ActorRef<MediaRouterProtocol.Command> origin;

  LocalTracks(Relays relays, ActorRef<MediaRouterProtocol.Command> origin) {
    this.relays = relays;
    this.origin = origin;
  }

  /** This router: what the tracks published here name as their origin. */
  ActorRef<MediaRouterProtocol.Command> origin() {
    return origin;
  }

  void add(String trackId, Publication p) {
    published.put(trackId, p);
  }

  void add(String trackId, SimulcastSource src) {
    simulcast.put(trackId, src);
  }

  void removePublished(String trackId) {
    published.remove(trackId);
  }

  void removeSimulcast(String trackId) {
    simulcast.remove(trackId);
  }

  /** A track published on this node (not over a relay), or null. */
  Publication published(String trackId) {
    return published.get(trackId);
  }

  SimulcastSource simulcast(String trackId) {
    return simulcast.get(trackId);
  }

  /** The publication here of a track: published on this node, or arrived over a relay from its origin. */
  Publication publicationOf(TrackInfo t) {
    Publication p = published.get(t.trackId());
    return p != null ? p : relays.published(t.trackId(), t.origin());
  }

  /** A track published on another node that a receiver here needs: it comes over a relay (once per node). */
  void need(TrackInfo t) {
    relays.need(t);
  }

  /** Relayed tracks no receiver here uses any more go back (the far router stops sending them). */
  void releaseUnused(Set<String> used) {
    for (String trackId : relays.inboundTrackIds()) {
      if (!used.contains(trackId) || published.containsKey(trackId) || simulcast.containsKey(trackId)) {
        relays.release(trackId);
      }
    }
  }
}
