package uk.co.lchat.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import uk.co.lchat.media.control.MediaRouterProtocol;
import uk.co.lchat.media.control.TrackInfo;
import uk.co.lchat.room.RoomProtocol.*;

/**
 * A join token's features claim narrows the room's flags for its holder, enforced by the room: a feature the token
 * sets to false is refused ({@code not_granted}, naming it), a screen the participant may not share reaches nobody
 * (through the router or in a peer-to-peer offer), and turning the room's screenshare flag off stops shares
 * already running. Participants without a token have the room's flags only.
 */
class RoomFeatureGrantsTest {
  static final ActorTestKit kit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  private final TestProbe<MediaRouterProtocol.Command> router = kit.createTestProbe();
  private final RoomTestSupport r = new RoomTestSupport(kit, RoomTestSupport.defaultConfig());
  private final Map<String, MediaRouterProtocol.SetSources> latest = new HashMap<>();

  private static Identity token(Map<String, Boolean> grants) {
    return new Identity(null, null, false, grants);
  }

  private List<TrackInfo> cameraAndScreen(String id) {
    List<TrackInfo> t = new ArrayList<>();
    t.add(new TrackInfo(id, id + "-0-1", "audio", 1, "opus", 48000, 2, "", router.ref()));
    t.add(new TrackInfo(id, id + "-1-2", "video", 2, "VP8", 90000, 0, "", router.ref()));
    t.add(new TrackInfo(id, id + "-2-3", "video", 3, "VP8", 90000, 0, "", router.ref()));
    return t;
  }

  /** How many of {@code sender}'s video tracks the router was last told to send {@code receiver}. */
  private long videosFrom(RoomTestSupport.Client sender, RoomTestSupport.Client receiver) {
    while (true) {
      try {
        if (router.receiveMessage(Duration.ofMillis(200)) instanceof MediaRouterProtocol.SetSources s) {
          latest.put(s.participantId(), s);
        }
      } catch (AssertionError quiet) {
        break;
      }
    }
    return latest.get(receiver.id).sources().stream()
        .filter(t -> t.participantId().equals(sender.id) && !t.isAudio()).count();
  }

  private static String peerDescription(int videos) {
    StringBuilder sdp = new StringBuilder("v=0\\r\\no=- 1 2 IN IP4 127.0.0.1\\r\\ns=-\\r\\nt=0 0\\r\\n");
    for (int i = 0; i < videos; i++) {
      sdp.append("m=video 9 UDP/TLS/RTP/SAVPF 96\\r\\na=mid:").append(i).append("\\r\\na=sendrecv\\r\\n");
    }
    return "{\"description\":{\"type\":\"offer\",\"sdp\":\"" + sdp + "\"}}";
  }

  @Test
  void aFeatureTheTokenSetsToFalseIsRefusedNamingItWhileOthersUseIt() {
    RoomTestSupport.Client mod = r.join("Mod");
    RoomTestSupport.Client ann = r.joinWith("Ann", token(RoomTestSupport.map("chat", false, "raiseHand", false)));
    assertEquals(RoomTestSupport.map("chat", false, "raiseHand", false), ann.joined.grants());
    mod.drain();
    ann.drain();
    ann.send(new SendChat(ann.id, "hello", null));
    CommandRejected chat = ann.await(CommandRejected.class);
    assertEquals("not_granted", chat.code());
    assertEquals("chat", chat.feature());
    ann.send(new SetHand(ann.id, true));
    assertEquals("raiseHand", ann.await(CommandRejected.class).feature());
    mod.expectNothing();
    mod.send(new SendChat(mod.id, "hello", null));
    assertEquals("hello", ann.await(ChatDelivered.class).message().text(), "the room's chat is on for the rest");
    mod.send(new SetFeature(mod.id, "chat", false));
    mod.drain();
    mod.send(new SendChat(mod.id, "again", null));
    CommandRejected off = mod.await(CommandRejected.class);
    assertEquals("forbidden", off.code(), "the room's flag: off for everyone");
    assertEquals("chat", off.feature());
  }

  @Test
  void aScreenTheParticipantMayNotShareIsForwardedToNobody() {
    RoomTestSupport.Client mod = r.join("Mod");
    RoomTestSupport.Client ann = r.joinWith("Ann", token(RoomTestSupport.map("screenshare", false)));
    RoomTestSupport.Client bob = r.join("Bob");
    for (RoomTestSupport.Client c : List.of(mod, ann, bob)) {
      c.send(new AttachMedia(c.id, router.ref()));
      c.send(new PublishTracks(c.id, cameraAndScreen(c.id)));
    }
    assertEquals(1, videosFrom(ann, bob), "her camera, not her screen");
    assertEquals(1, videosFrom(ann, mod));
    assertEquals(2, videosFrom(bob, ann), "Bob has no token: the room allows him a screen");
  }

  @Test
  void turningScreenSharingOffStopsTheSharesAlreadyRunningAndOnAgainBringsThemBack() {
    RoomTestSupport.Client mod = r.join("Mod");
    RoomTestSupport.Client bob = r.join("Bob");
    for (RoomTestSupport.Client c : List.of(mod, bob)) {
      c.send(new AttachMedia(c.id, router.ref()));
      c.send(new PublishTracks(c.id, cameraAndScreen(c.id)));
    }
    assertEquals(2, videosFrom(bob, mod));
    mod.send(new SetFeature(mod.id, "screenshare", false));
    assertEquals(1, videosFrom(bob, mod), "whatever Bob's client still sends");
    mod.send(new SetFeature(mod.id, "screenshare", true));
    assertEquals(2, videosFrom(bob, mod));
  }

  @Test
  void aPeerToPeerDescriptionWithAScreenIsNotRelayedWithoutTheGrant() {
    RoomTestSupport.Client ann = r.joinWith("Ann", token(RoomTestSupport.map("screenshare", false)));
    RoomTestSupport.Client bob = r.join("Bob");
    ann.drain();
    bob.drain();
    ann.send(new RelayToPeer(ann.id, bob.id, peerDescription(2)));
    CommandRejected refused = ann.await(CommandRejected.class);
    assertEquals("not_granted", refused.code());
    assertEquals("screenshare", refused.feature());
    ann.send(new RelayToPeer(ann.id, bob.id, peerDescription(1)));
    assertEquals(peerDescription(1), bob.await(PeerRelayed.class).payload(), "the screen offer never came");
    bob.send(new RelayToPeer(bob.id, ann.id, peerDescription(2)));
    assertEquals(peerDescription(2), ann.await(PeerRelayed.class).payload(), "Bob may share his");
  }

  @Test
  void aResumedParticipantKeepsItsGrants() {
    r.join("Mod");
    RoomTestSupport.Client ann = r.joinWith("Ann", token(RoomTestSupport.map("screenshare", false)));
    TestProbe<ClientEvent> again = kit.createTestProbe();
    r.room.tell(new Join(ann.token, "Ann", null, false, again.ref(), ann.id));
    Resumed resumed = again.expectMessageClass(Resumed.class);
    assertEquals(RoomTestSupport.map("screenshare", false), resumed.grants(), "the new connection's session checks them");
    RoomTestSupport.Client guest = r.join("Guest");
    TestProbe<ClientEvent> guestAgain = kit.createTestProbe();
    r.room.tell(new Join(guest.token, "Guest", null, false, guestAgain.ref(), guest.id));
    assertNull(guestAgain.expectMessageClass(Resumed.class).grants());
  }
}
