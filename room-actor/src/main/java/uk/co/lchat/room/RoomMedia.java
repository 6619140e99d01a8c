package uk.co.lchat.room;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.pekko.actor.typed.ActorRef;

import uk.co.lchat.media.control.MediaRouterProtocol;
import uk.co.lchat.media.control.TrackInfo;

/**
 * The room's forwarding decisions: which media router each participant is on, what each publishes, and so what
 * each receives (everyone else's tracks, in join order). Routers hear only changes. Owned by the room actor.
 */
final class RoomMedia {
  private final Map<String, ActorRef<MediaRouterProtocol.Command>> routers = new HashMap<>();
  private final Map<String, List<TrackInfo>> published = new HashMap<>();
  private final Map<String, List<TrackInfo>> lastSent = new HashMap<>();

  void attach(String participantId, ActorRef<MediaRouterProtocol.Command> router) {
    ActorRef<MediaRouterProtocol.Command> before = routers.put(participantId, router);
    if (before != null && !before.equals(router)) {
      // Media moved to another router: what it published on the old one is gone until it publishes again.
      published.remove(participantId);
    }
    lastSent.remove(participantId);
  }

  /** The router the participant's media is on, or null. */
  ActorRef<MediaRouterProtocol.Command> router(String participantId) {
    return routers.get(participantId);
  }

  List<TrackInfo> published(String participantId) {
    return published.getOrDefault(participantId, List.of());
  }

  /** The routers the room's participants use now, each once. */
  List<ActorRef<MediaRouterProtocol.Command>> routersInUse() {
    return new ArrayList<>(new java.util.LinkedHashSet<>(routers.values()));
  }

  void publish(String participantId, List<TrackInfo> tracks) {
    List<TrackInfo> own = new ArrayList<>();
    for (TrackInfo t : tracks) {
      // A client names only its own tracks; anything else is ignored rather than trusted.
      if (t.participantId().equals(participantId)) {
        own.add(t);
      }
    }
    published.put(participantId, List.copyOf(own));
  }

  void remove(String participantId) {
    routers.remove(participantId);
    published.remove(participantId);
    lastSent.remove(participantId);
  }

  /** Every published track in join order, of one participant or (null) of all. */
  List<TrackInfo> tracks(String participantId, Collection<Participant> inJoinOrder) {
    List<TrackInfo> all = new ArrayList<>();
    for (Participant p : inJoinOrder) {
      if (participantId == null || p.id.equals(participantId)) {
        all.addAll(published.getOrDefault(p.id, List.of()));
      }
    }
    return all;
  }

  /** Tells each participant's router its sources, if they changed since last time. */
  void pushSources(Collection<Participant> inJoinOrder) {
    for (Participant receiver : inJoinOrder) {
      ActorRef<MediaRouterProtocol.Command> router = routers.get(receiver.id);
      if (router == null) {
        continue;
      }
      List<TrackInfo> sources = new ArrayList<>();
      for (Participant sender : inJoinOrder) {
        if (sender != receiver) {
          sources.addAll(published.getOrDefault(sender.id, List.of()));
        }
      }
      if (!sources.equals(lastSent.get(receiver.id))) {
        lastSent.put(receiver.id, List.copyOf(sources));
        router.tell(new MediaRouterProtocol.SetSources(receiver.id, List.copyOf(sources)));
      }
    }
  }
}
