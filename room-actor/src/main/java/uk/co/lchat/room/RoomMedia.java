package uk.co.lchat.room;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import org.apache.pekko.actor.typed.ActorRef;

import uk.co.lchat.media.control.MediaRouterProtocol;
import uk.co.lchat.media.control.TrackInfo;

/**
 * The room's forwarding decisions: which media router each participant is on, what each publishes, and so what
 * each receives: everyone else's audio (the routers' audio slots pick the loudest), and video from at most
 * {@code lastN} others (last-N): the receiver's pinned participants first, then whoever shares a screen, then the
 * most recent speakers, then join order. Routers hear only changes. Owned by the room actor.
 */
final class RoomMedia {
  private final Map<String, ActorRef<MediaRouterProtocol.Command>> routers = new HashMap<>();
  private final Map<String, List<TrackInfo>> published = new HashMap<>();
  private final Map<String, List<TrackInfo>> lastSent = new HashMap<>();
  /** Participants who have been the dominant speaker, most recent first. */
  private final LinkedList<String> speakers = new LinkedList<>();
  /** Whether a participant's screen share goes to the others ({@link FeaturePolicy}); asked at each change. */
  private final Predicate<String> screenAllowed;
  private int lastN;

  RoomMedia(int lastN, Predicate<String> screenAllowed) {
    this.lastN = lastN;
    this.screenAllowed = screenAllowed;
  }

  int lastN() {
    return lastN;
  }

  void setLastN(int lastN) {
    this.lastN = lastN;
  }

  /** {@code participantId} is the dominant speaker now: its video goes to the front of everyone's last-N. */
  void spoke(String participantId) {
    speakers.remove(participantId);
    speakers.addFirst(participantId);
  }

  List<String> speakers() {
    return List.copyOf(speakers);
  }

  void restoreSpeakers(List<String> order) {
    speakers.clear();
    speakers.addAll(order);
  }

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

  /**
   * What of a participant's tracks the others get: all of them, or without its screen ({@link ScreenShare}) when
   * the room or its token does not allow it one, whatever its client sent (a share that began before a moderator
   * turned the feature off stops here too).
   */
  private List<TrackInfo> forwarded(String participantId) {
    List<TrackInfo> tracks = published(participantId);
    return tracks.size() <= 1 || screenAllowed.test(participantId) ? tracks : ScreenShare.withoutScreen(tracks);
  }

  /**
   * Everybody who publishes video, in the order last-N takes them (before each receiver's pins): screen sharers
   * (a second video track), then the most recent speakers, then join order.
   */
  private List<String> videoOrder(Collection<Participant> inJoinOrder) {
    LinkedHashSet<String> order = new LinkedHashSet<>();
    Set<String> video = new HashSet<>();
    for (Participant p : inJoinOrder) {
      long videos = forwarded(p.id).stream().filter(t -> !t.isAudio()).count();
      if (videos > 0) {
        video.add(p.id);
      }
      if (videos > 1) {
        order.add(p.id);
      }
    }
    for (String s : speakers) {
      if (video.contains(s)) {
        order.add(s);
      }
    }
    for (Participant p : inJoinOrder) {
      if (video.contains(p.id)) {
        order.add(p.id);
      }
    }
    return new ArrayList<>(order);
  }

  /**
   * Whose video {@code receiver} gets: its pins (among {@code publishing}, everyone with video), then {@code order},
   * at most its limit, never its own.
   */
  private Set<String> videoFor(Participant receiver, List<String> order, Set<String> publishing) {
    int n = receiver.receiverLastN >= 0 ? Math.min(receiver.receiverLastN, lastN) : lastN;
    Set<String> chosen = new LinkedHashSet<>();
    for (String pin : receiver.pinned) {
      if (chosen.size() < n && !pin.equals(receiver.id) && publishing.contains(pin)) {
        chosen.add(pin);
      }
    }
    for (int i = 0; i < order.size() && chosen.size() < n; i++) {
      if (!order.get(i).equals(receiver.id)) {
        chosen.add(order.get(i));
      }
    }
    return chosen;
  }

  /** The routers the room's participants use now, each once. */
  List<ActorRef<MediaRouterProtocol.Command>> routersInUse() {
    return new ArrayList<>(new LinkedHashSet<>(routers.values()));
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
    speakers.remove(participantId);
    routers.remove(participantId);
    published.remove(participantId);
    lastSent.remove(participantId);
  }

  /** Every published track in join order, of one participant or (null) of all. */
  List<TrackInfo> tracks(String participantId, Collection<Participant> inJoinOrder) {
    List<TrackInfo> all = new ArrayList<>();
    for (Participant p : inJoinOrder) {
      if (participantId == null || p.id.equals(participantId)) {
        all.addAll(forwarded(p.id));
      }
    }
    return all;
  }

  /**
   * Tells each participant's router its sources, if they changed since last time. Only those who publish can be
   * anybody's source, and in a large room they are a few of many: each receiver looks at them alone, so a push
   * costs receivers × publishers, not receivers² (it runs at every join of a 1000-person room).
   */
  void pushSources(Collection<Participant> inJoinOrder) {
    List<Participant> publishers = new ArrayList<>();
    Map<String, List<TrackInfo>> tracksOf = new HashMap<>();
    for (Participant p : inJoinOrder) {
      List<TrackInfo> tracks = forwarded(p.id);
      if (!tracks.isEmpty()) {
        publishers.add(p);
        tracksOf.put(p.id, tracks);
      }
    }
    List<String> order = videoOrder(publishers);
    Set<String> publishing = new HashSet<>(order);
    for (Participant receiver : inJoinOrder) {
      ActorRef<MediaRouterProtocol.Command> router = routers.get(receiver.id);
      if (router == null) {
        continue;
      }
      Set<String> seen = videoFor(receiver, order, publishing);
      List<TrackInfo> sources = new ArrayList<>();
      for (Participant sender : publishers) {
        if (sender != receiver) {
          for (TrackInfo t : tracksOf.get(sender.id)) {
            if (t.isAudio() || seen.contains(sender.id)) {
              sources.add(t);
            }
          }
        }
      }
      if (!sources.equals(lastSent.get(receiver.id))) {
        lastSent.put(receiver.id, List.copyOf(sources));
        router.tell(new MediaRouterProtocol.SetSources(receiver.id, List.copyOf(sources)));
      }
    }
  }
}
