package uk.co.lchat.room;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import uk.co.lchat.media.control.MediaRouterProtocol;
import uk.co.lchat.media.control.TrackInfo;
import uk.co.lchat.room.RoomProtocol.*;

/**
 * Last-N: each receiver gets everybody's audio but video from at most N others: its pins, then screen sharers,
 * then the most recent speakers, then join order.
 */
class RoomLastNTest {
  static final ActorTestKit kit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  private final TestProbe<MediaRouterProtocol.Command> router = kit.createTestProbe();
  private RoomTestSupport r;
  private final List<RoomTestSupport.Client> people = new ArrayList<>();

  /** Five people (P0..P4) publishing audio and video on one router, in a room with last-N = 2. */
  private void fivePublishers() {
    r = new RoomTestSupport(kit, RoomTestSupport.configWith("lchat.room.last-n = 2"));
    for (int i = 0; i < 5; i++) {
      RoomTestSupport.Client c = r.join("P" + i);
      people.add(c);
      c.send(new AttachMedia(c.id, router.ref()));
      c.send(new PublishTracks(c.id, tracks(c.id, 1)));
    }
  }

  private List<TrackInfo> tracks(String id, int videos) {
    List<TrackInfo> t = new ArrayList<>();
    t.add(new TrackInfo(id, id + "-a", "audio", 1, "opus", 48000, 2, "", router.ref()));
    for (int v = 0; v < videos; v++) {
      t.add(new TrackInfo(id, id + "-v" + v, "video", 2 + v, "VP8", 90000, 0, "", router.ref()));
    }
    return t;
  }

  /** The latest sources the router was told for each participant. */
  private final java.util.Map<String, MediaRouterProtocol.SetSources> latest = new java.util.HashMap<>();

  /** The latest sources the router was told for {@code receiver}: whose video, and how many audio tracks. */
  private Set<String> videoOf(int receiver, int audio) {
    // Read every SetSources until the router has been quiet for a moment.
    while (true) {
      try {
        MediaRouterProtocol.Command c = router.receiveMessage(Duration.ofMillis(200));
        if (c instanceof MediaRouterProtocol.SetSources s) {
          latest.put(s.participantId(), s);
        }
      } catch (AssertionError quiet) {
        break;
      }
    }
    MediaRouterProtocol.SetSources last = latest.get(people.get(receiver).id);
    assertEquals(audio, last.sources().stream().filter(TrackInfo::isAudio).count(), "everybody's audio");
    Set<String> who = new TreeSet<>();
    last.sources().stream().filter(t -> !t.isAudio()).forEach(t -> who.add(name(t.participantId())));
    return who;
  }

  private String name(String id) {
    for (int i = 0; i < people.size(); i++) {
      if (people.get(i).id.equals(id)) {
        return "P" + i;
      }
    }
    return id;
  }

  @Test
  void videoFollowsTheMostRecentSpeakersWithinTheLimitAndAudioIsEveryones() {
    fivePublishers();
    assertEquals(Set.of("P0", "P1"), videoOf(4, 4), "nobody spoke yet: join order");
    r.room.tell(new SetDominantSpeaker(people.get(3).id));
    assertEquals(Set.of("P3", "P0"), videoOf(4, 4));
    r.room.tell(new SetDominantSpeaker(people.get(2).id));
    assertEquals(Set.of("P2", "P3"), videoOf(4, 4), "the two most recent speakers");
    assertEquals(Set.of("P3", "P0"), videoOf(2, 4), "never one's own video");
  }

  @Test
  void pinsComeFirstAndAReceiverMayAskForFewer() {
    fivePublishers();
    r.room.tell(new SetDominantSpeaker(people.get(3).id));
    videoOf(4, 4);
    people.get(4).send(new SetReceiverConstraints(people.get(4).id, List.of(people.get(1).id), -1));
    assertEquals(Set.of("P1", "P3"), videoOf(4, 4));
    people.get(4).send(new SetReceiverConstraints(people.get(4).id, List.of(people.get(1).id), 1));
    assertEquals(Set.of("P1"), videoOf(4, 4));
    people.get(4).send(new SetReceiverConstraints(people.get(4).id, List.of(), 10));
    assertEquals(Set.of("P3", "P0"), videoOf(4, 4), "never more than the room's limit");
  }

  @Test
  void aScreenSharerIsSeenAndTheModeratorSetsTheRoomsLimit() {
    fivePublishers();
    people.get(2).send(new PublishTracks(people.get(2).id, tracks(people.get(2).id, 2)));
    assertEquals(Set.of("P2", "P0"), videoOf(4, 4), "whoever shares a screen first");
    people.get(1).send(new SetLastN(people.get(1).id, 4)); // not a moderator
    people.get(1).await(CommandRejected.class);
    people.get(0).send(new SetLastN(people.get(0).id, 4));
    assertEquals(4, people.get(3).await(SettingsChanged.class).settings().lastN());
    assertEquals(Set.of("P0", "P1", "P2", "P3"), videoOf(4, 4));
    people.get(0).send(new SetLastN(people.get(0).id, 500));
    assertEquals("invalid", people.get(0).await(CommandRejected.class).code());
  }
}
