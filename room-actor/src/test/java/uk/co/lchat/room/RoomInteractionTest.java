package uk.co.lchat.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import uk.co.lchat.room.RoomProtocol.*;

/** Chat, mute, hands, dominant speaker, shared video and feature flags. */
class RoomInteractionTest {
  static final ActorTestKit kit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  private RoomTestSupport room() {
    return new RoomTestSupport(kit, RoomTestSupport.defaultConfig());
  }

  @Test
  void groupChatReachesEveryoneAndPrivateChatOnlyTheTwoParties() {
    RoomTestSupport r = room();
    var ann = r.join("Ann");
    var bob = r.join("Bob");
    var cat = r.join("Cat");
    ann.drain();
    bob.drain();
    cat.drain();
    ann.send(new SendChat(ann.id, "hello all", null));
    for (var c : List.of(ann, bob, cat)) {
      ChatMessage m = c.expect(ChatDelivered.class).message();
      assertEquals("hello all", m.text());
      assertFalse(m.isPrivate());
      assertEquals("Ann", m.fromName());
    }
    ann.send(new SendChat(ann.id, "just you", bob.id));
    assertEquals(bob.id, ann.expect(ChatDelivered.class).message().to());
    assertEquals("just you", bob.expect(ChatDelivered.class).message().text());
    cat.expectNothing();
  }

  @Test
  void peerMessagesReachOnlyTheirRecipientAndObeyTheP2pFlag() {
    RoomTestSupport r = room();
    var ann = r.join("Ann");
    var bob = r.join("Bob");
    var cat = r.join("Cat");
    ann.drain();
    bob.drain();
    cat.drain();
    ann.send(new RelayToPeer(ann.id, bob.id, "{\"sdp\":\"v=0\"}"));
    PeerRelayed relayed = bob.expect(PeerRelayed.class);
    assertEquals(ann.id, relayed.from());
    assertEquals("{\"sdp\":\"v=0\"}", relayed.payload());
    cat.expectNothing();
    ann.expectNothing();
    ann.send(new RelayToPeer(ann.id, "ghost", "{}"));
    assertEquals("not_found", ann.expect(CommandRejected.class).code());
    ann.send(new RelayToPeer(ann.id, ann.id, "{}"));
    assertEquals("invalid", ann.expect(CommandRejected.class).code());
    ann.send(new SetFeature(ann.id, "p2p", false));
    ann.drain();
    bob.drain();
    ann.send(new RelayToPeer(ann.id, bob.id, "{}"));
    assertEquals("forbidden", ann.expect(CommandRejected.class).code());
    bob.expectNothing();
  }

  @Test
  void lateJoinersSeeGroupHistoryButNeverPrivateMessages() {
    RoomTestSupport r = new RoomTestSupport(kit, RoomTestSupport.configWith("lchat.room.chat-history = 2"));
    var ann = r.join("Ann");
    var bob = r.join("Bob");
    ann.send(new SendChat(ann.id, "one", null));
    ann.send(new SendChat(ann.id, "secret", bob.id));
    ann.send(new SendChat(ann.id, "two", null));
    ann.send(new SendChat(ann.id, "three", null));
    List<String> history = r.join("Cat").joined.room().chatHistory().stream().map(ChatMessage::text).toList();
    assertEquals(List.of("two", "three"), history);
  }

  @Test
  void badChatMessagesAreRejectedWithAReason() {
    RoomTestSupport r = new RoomTestSupport(kit, RoomTestSupport.configWith("lchat.room.max-chat-length = 10"));
    var ann = r.join("Ann");
    ann.drain();
    ann.send(new SendChat(ann.id, "   ", null));
    assertEquals("invalid", ann.expect(CommandRejected.class).code());
    ann.send(new SendChat(ann.id, "x".repeat(11), null));
    assertEquals("too_large", ann.expect(CommandRejected.class).code());
    ann.send(new SendChat(ann.id, "hi", "ghost"));
    assertEquals("not_found", ann.expect(CommandRejected.class).code());
    ann.send(new SendChat(ann.id, "hi", ann.id));
    assertEquals("invalid", ann.expect(CommandRejected.class).code());
  }

  @Test
  void chatFlagsTurnChatOff() {
    RoomTestSupport r = room();
    var ann = r.join("Ann");
    var bob = r.join("Bob");
    ann.send(new SetFeature(ann.id, "privateChat", false));
    ann.drain();
    ann.send(new SendChat(ann.id, "psst", bob.id));
    assertEquals("forbidden", ann.expect(CommandRejected.class).code());
    ann.send(new SetFeature(ann.id, "chat", false));
    ann.drain();
    ann.send(new SendChat(ann.id, "hello", null));
    assertEquals("forbidden", ann.expect(CommandRejected.class).code());
  }

  @Test
  void ownMuteStateIsShownToEveryone() {
    RoomTestSupport r = room();
    var ann = r.join("Ann");
    var bob = r.join("Bob");
    ann.drain();
    bob.send(new SetOwnMute(bob.id, true, false));
    ParticipantView seen = ann.expect(RosterChanged.class).participants().get(1);
    assertTrue(seen.audioMuted());
    assertFalse(seen.videoMuted());
  }

  @Test
  void aModeratorMuteRequestMutesTheTargetAndTellsIt() {
    RoomTestSupport r = room();
    var ann = r.join("Ann");
    var bob = r.join("Bob");
    bob.drain();
    ann.send(new RequestMute(ann.id, bob.id, MediaKind.AUDIO));
    MuteRequested request = bob.expect(MuteRequested.class);
    assertEquals(MediaKind.AUDIO, request.kind());
    assertEquals(ann.id, request.by());
    assertTrue(bob.expect(RosterChanged.class).participants().get(1).audioMuted());
  }

  @Test
  void aParticipantCannotMuteOthersOutsideControllerMode() {
    RoomTestSupport r = room();
    var ann = r.join("Ann");
    var bob = r.join("Bob");
    bob.drain();
    bob.send(new RequestMute(bob.id, ann.id, MediaKind.VIDEO));
    assertEquals("forbidden", bob.expect(CommandRejected.class).code());
    ann.drain();
    ann.send(new SetControllerMode(ann.id, true));
    bob.send(new RequestMute(bob.id, ann.id, MediaKind.VIDEO));
    assertEquals(MediaKind.VIDEO, ann.await(MuteRequested.class).kind());
  }

  @Test
  void raisedHandsFormAQueueInRaiseOrder() {
    RoomTestSupport r = room();
    var ann = r.join("Ann");
    var bob = r.join("Bob");
    var cat = r.join("Cat");
    ann.drain();
    cat.send(new SetHand(cat.id, true));
    assertEquals(List.of(cat.id), ann.await(HandsChanged.class).queue());
    bob.send(new SetHand(bob.id, true));
    assertEquals(List.of(cat.id, bob.id), ann.await(HandsChanged.class).queue());
    ann.send(new LowerHand(ann.id, cat.id));
    assertEquals(List.of(bob.id), ann.await(HandsChanged.class).queue());
    bob.send(new Leave(bob.id));
    assertEquals(List.of(), ann.await(HandsChanged.class).queue());
  }

  @Test
  void aParticipantCannotLowerSomeoneElsesHand() {
    RoomTestSupport r = room();
    r.join("Ann");
    var bob = r.join("Bob");
    var cat = r.join("Cat");
    cat.send(new SetHand(cat.id, true));
    bob.drain();
    bob.send(new LowerHand(bob.id, cat.id));
    assertEquals("forbidden", bob.expect(CommandRejected.class).code());
  }

  @Test
  void dominantSpeakerIsAnnouncedOnlyWhenItChanges() {
    RoomTestSupport r = room();
    var ann = r.join("Ann");
    var bob = r.join("Bob");
    ann.drain();
    r.room.tell(new SetDominantSpeaker(bob.id));
    assertEquals(bob.id, ann.expect(DominantSpeakerChanged.class).participantId());
    r.room.tell(new SetDominantSpeaker(bob.id));
    r.room.tell(new SetDominantSpeaker("not-here"));
    ann.expectNothing();
    bob.send(new Leave(bob.id));
    assertNull(ann.await(DominantSpeakerChanged.class).participantId());
  }

  @Test
  void sharedVideoIsStartedAndControlledByItsSharerOrAModerator() {
    RoomTestSupport r = room();
    var ann = r.join("Ann");
    var bob = r.join("Bob");
    var cat = r.join("Cat");
    ann.drain();
    bob.send(new ControlSharedVideo(bob.id, SharedVideoAction.START, "https://www.youtube.com/watch?v=abc", 0));
    SharedVideoState started = ann.expect(SharedVideoChanged.class).state();
    assertEquals(bob.id, started.controlledBy());
    assertTrue(started.playing());

    bob.send(new ControlSharedVideo(bob.id, SharedVideoAction.PAUSE, null, 12.5));
    SharedVideoState paused = ann.expect(SharedVideoChanged.class).state();
    assertFalse(paused.playing());
    assertEquals(12.5, paused.positionSeconds());

    cat.drain();
    cat.send(new ControlSharedVideo(cat.id, SharedVideoAction.PLAY, null, 0));
    assertEquals("forbidden", cat.expect(CommandRejected.class).code());

    ann.send(new ControlSharedVideo(ann.id, SharedVideoAction.SEEK, null, 60));
    assertEquals(60.0, ann.expect(SharedVideoChanged.class).state().positionSeconds());
    assertEquals(60.0, r.join("Dan").joined.room().sharedVideo().positionSeconds());
    ann.drain();
    ann.send(new ControlSharedVideo(ann.id, SharedVideoAction.STOP, null, 0));
    assertNull(ann.expect(SharedVideoChanged.class).state().url());
  }

  @Test
  void sharedVideoRejectsBadUrlsAndPositions() {
    RoomTestSupport r = room();
    var ann = r.join("Ann");
    ann.drain();
    for (String bad : new String[] {null, "javascript:alert(1)", "file:///etc/passwd", "https://",
        "https://x.test/" + "a".repeat(2100)}) {
      ann.send(new ControlSharedVideo(ann.id, SharedVideoAction.START, bad, 0));
      assertEquals("invalid", ann.expect(CommandRejected.class).code(), String.valueOf(bad));
    }
    ann.send(new ControlSharedVideo(ann.id, SharedVideoAction.PLAY, null, 0));
    assertEquals("invalid", ann.expect(CommandRejected.class).code());
    // Every browser in the room would load it: only the allowed hosts (YouTube by default).
    for (String elsewhere : new String[] {"https://evil.example/watch?v=abc", "https://youtube.com.evil.example/x",
        "http://169.254.169.254/latest/meta-data/", "https://notyoutube.com/x"}) {
      ann.send(new ControlSharedVideo(ann.id, SharedVideoAction.START, elsewhere, 0));
      assertEquals("forbidden", ann.expect(CommandRejected.class).code(), elsewhere);
    }
    ann.send(new ControlSharedVideo(ann.id, SharedVideoAction.START, "https://youtu.be/x", 0));
    ann.expect(SharedVideoChanged.class);
    for (double bad : new double[] {-1, Double.NaN, Double.POSITIVE_INFINITY}) {
      ann.send(new ControlSharedVideo(ann.id, SharedVideoAction.SEEK, null, bad));
      assertEquals("invalid", ann.expect(CommandRejected.class).code());
    }
  }

  @Test
  void moderatorsTurnFeaturesOffButNotOnWhenTheDeploymentForbidsThem() {
    RoomTestSupport r = room();
    var ann = r.join("Ann");
    var bob = r.join("Bob");
    ann.drain();
    bob.drain();
    ann.send(new SetFeature(ann.id, "screenshare", false));
    assertFalse(bob.expect(SettingsChanged.class).settings().features().get("screenshare"));
    ann.send(new SetFeature(ann.id, "recording", true));
    assertEquals("forbidden", ann.await(CommandRejected.class).code());
    ann.send(new SetFeature(ann.id, "teleport", true));
    assertEquals("invalid", ann.expect(CommandRejected.class).code());
    bob.send(new SetFeature(bob.id, "chat", false));
    assertEquals("forbidden", bob.expect(CommandRejected.class).code());
    ann.send(new SetFeature(ann.id, "screenshare", true));
    assertTrue(bob.expect(SettingsChanged.class).settings().features().get("screenshare"));
  }

  @Test
  void raisingAHandNeedsTheFeature() {
    RoomTestSupport r = room();
    var ann = r.join("Ann");
    ann.send(new SetFeature(ann.id, "raiseHand", false));
    ann.drain();
    ann.send(new SetHand(ann.id, true));
    assertEquals("forbidden", ann.expect(CommandRejected.class).code());
  }
}
