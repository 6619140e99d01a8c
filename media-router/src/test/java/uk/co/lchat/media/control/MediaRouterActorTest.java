package uk.co.lchat.media.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import uk.co.lchat.media.control.MediaRouterProtocol.*;
import uk.co.lchat.media.router.MediaRouter;
import uk.co.lchat.media.router.RouterSettings;
import uk.co.lchat.media.sdp.SessionDescription;

class MediaRouterActorTest {
  static final ActorTestKit kit = ActorTestKit.create();
  private static final String FINGERPRINT = "sha-256 " + "AB:".repeat(31) + "AB";

  private MediaRouter router;
  private ActorRef<Command> actor;

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  @BeforeEach
  void start() throws Exception {
    router = MediaRouter.start(RouterSettings.loopback(0), null);
    actor = kit.spawn(MediaRouterActor.create(router));
  }

  @AfterEach
  void stop() {
    kit.stop(actor);
    router.close();
  }

  /** A browser-like publish offer: audio, video and optionally a second (screen) video. */
  static String offer(String ufrag, long audioSsrc, long videoSsrc, long screenSsrc) {
    StringBuilder sb = new StringBuilder("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n");
    sb.append("a=group:BUNDLE 0 1").append(screenSsrc > 0 ? " 2" : "").append("\r\n");
    section(sb, ufrag, "audio", "0", 111, "opus/48000/2", audioSsrc);
    section(sb, ufrag, "video", "1", 96, "VP8/90000", videoSsrc);
    if (screenSsrc > 0) {
      section(sb, ufrag, "video", "2", 96, "VP8/90000", screenSsrc);
    }
    return sb.toString();
  }

  private static void section(StringBuilder sb, String ufrag, String kind, String mid, int pt, String rtpmap,
      long ssrc) {
    sb.append("m=").append(kind).append(" 9 UDP/TLS/RTP/SAVPF ").append(pt).append("\r\n")
        .append("c=IN IP4 0.0.0.0\r\na=ice-ufrag:").append(ufrag).append("\r\na=ice-pwd:pwdpwdpwdpwdpwdpwdpwdpwd\r\n")
        .append("a=fingerprint:").append(FINGERPRINT).append("\r\na=setup:actpass\r\na=mid:").append(mid)
        .append("\r\na=sendonly\r\na=rtcp-mux\r\na=rtpmap:").append(pt).append(' ').append(rtpmap).append("\r\n")
        .append("a=rtcp-fb:").append(pt).append(" nack pli\r\n")
        .append("a=ssrc:").append(ssrc).append(" cname:x\r\n");
  }

  private static String ufragOf(String sdp) throws Exception {
    return SessionDescription.parse(sdp).media().get(0).ice().ufrag();
  }

  @Test
  void renegotiationKeepsTheConnectionRestartsIceAndAddsAScreenTrack() throws Exception {
    TestProbe<MediaEvent> client = kit.createTestProbe(MediaEvent.class);
    actor.tell(new Attach("room", "p1", client.getRef()));
    actor.tell(new Publish("p1", offer("aaaa", 11, 22, 0), client.getRef()));
    Published first = client.expectMessageClass(Published.class);
    assertEquals(2, first.tracks().size());
    assertEquals(1, router.endpointCount());

    actor.tell(new Publish("p1", offer("bbbb", 11, 22, 0), client.getRef()));
    Published restarted = client.expectMessageClass(Published.class);
    assertEquals(first.tracks(), restarted.tracks(), "same tracks after an ICE restart");
    assertNotEquals(ufragOf(first.answerSdp()), ufragOf(restarted.answerSdp()), "our credentials change too");
    assertEquals(1, router.endpointCount(), "the same connection, no new endpoint");

    actor.tell(new Publish("p1", offer("bbbb", 11, 22, 33), client.getRef()));
    Published withScreen = client.expectMessageClass(Published.class);
    assertEquals(3, withScreen.tracks().size());
    assertTrue(withScreen.tracks().containsAll(first.tracks()));
    assertEquals(ufragOf(restarted.answerSdp()), ufragOf(withScreen.answerSdp()), "no restart without a new ufrag");
  }

  @Test
  void sheddingAsksWholeSmallRoomsToMoveToTheGivenRouterAndNobodyWhileDraining() {
    TestProbe<Command> other = kit.createTestProbe(Command.class);
    TestProbe<Integer> reply = kit.createTestProbe(Integer.class);
    TestProbe<MediaEvent> pairA = kit.createTestProbe(MediaEvent.class);
    TestProbe<MediaEvent> pairB = kit.createTestProbe(MediaEvent.class);
    TestProbe<MediaEvent> trioA = kit.createTestProbe(MediaEvent.class);
    TestProbe<MediaEvent> trioB = kit.createTestProbe(MediaEvent.class);
    TestProbe<MediaEvent> trioC = kit.createTestProbe(MediaEvent.class);
    actor.tell(new Attach("trio", "t1", trioA.getRef()));
    actor.tell(new Attach("pair", "p1", pairA.getRef()));
    actor.tell(new Attach("trio", "t2", trioB.getRef()));
    actor.tell(new Attach("pair", "p2", pairB.getRef()));
    actor.tell(new Attach("trio", "t3", trioC.getRef()));
    actor.tell(new Publish("t1", offer("aaaa", 11, 22, 0), trioA.getRef()));
    trioA.expectMessageClass(Published.class);

    actor.tell(new Shed(3, other.getRef(), reply.getRef()));
    assertEquals(3, reply.receiveMessage());
    for (TestProbe<MediaEvent> moved : List.of(pairA, pairB, trioB)) {
      MoveMedia m = moved.expectMessageClass(MoveMedia.class);
      assertEquals(actor, m.from());
      assertEquals(other.getRef(), m.to());
    }
    // The trio's publisher and the other receive-only member stay.
    trioA.expectNoMessage(Duration.ofMillis(100));
    trioC.expectNoMessage(Duration.ZERO);

    actor.tell(new Shed(1, actor, reply.getRef()));
    assertEquals(0, reply.receiveMessage(), "never to itself");
    actor.tell(new Drain(false));
    actor.tell(new Shed(2, other.getRef(), reply.getRef()));
    assertEquals(0, reply.receiveMessage(), "a draining router sheds nothing");
    trioC.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void badOffersAndPublishingBeforeAttachingAreRefused() {
    TestProbe<MediaEvent> client = kit.createTestProbe(MediaEvent.class);
    actor.tell(new Publish("nobody", offer("aaaa", 1, 2, 0), client.getRef()));
    assertEquals("not_attached", client.expectMessageClass(MediaFailed.class).code());
    actor.tell(new Attach("room", "p1", client.getRef()));
    actor.tell(new Publish("p1", "v=0\r\nthis is not sdp\r\n", client.getRef()));
    MediaFailed bad = client.expectMessageClass(MediaFailed.class);
    assertEquals("bad_sdp", bad.code());
    assertTrue(bad.message().contains("line 2"), bad.message());
    assertEquals(0, router.endpointCount(), "nothing is left behind by a refused offer");
  }

  @Test
  void sourcesBecomeOneOfferAtATimeWithRtxAndEndedTracksGoInactive() throws Exception {
    TestProbe<MediaEvent> alice = kit.createTestProbe(MediaEvent.class);
    TestProbe<MediaEvent> bob = kit.createTestProbe(MediaEvent.class);
    actor.tell(new Attach("room", "alice", alice.getRef()));
    actor.tell(new Attach("room", "bob", bob.getRef()));
    actor.tell(new Publish("alice", offer("aaaa", 11, 22, 0), alice.getRef()));
    List<TrackInfo> tracks = alice.expectMessageClass(Published.class).tracks();

    actor.tell(new SetSources("bob", tracks));
    SubscribeOffer offer = bob.expectMessageClass(SubscribeOffer.class);
    assertTrue(offer.fresh(), "a participant's first offer starts a receiving connection (after a move, a new one)");
    SessionDescription sd = SessionDescription.parse(offer.sdp());
    assertEquals(2, sd.media().size());
    assertEquals("video", sd.media().get(0).kind());
    assertEquals(List.of(22L), sd.media().get(0).ssrcs());
    assertTrue(offer.sdp().contains("a=ssrc-group:FID 22 "), "video comes with an RTX stream");
    assertTrue(offer.sdp().contains("a=msid:alice "));
    // Audio comes in an audio slot: a stream of its own SSRC, carrying whoever is loudest.
    assertEquals("audio", sd.media().get(1).kind());
    assertNotEquals(List.of(11L), sd.media().get(1).ssrcs());
    assertTrue(offer.sdp().contains("a=msid:" + MediaRouterActor.AUDIO_SLOTS_STREAM + " "));
    assertEquals("actpass", sd.media().get(0).setup());

    // No second offer while the first is unanswered; the change is offered once the answer is in.
    actor.tell(new SetSources("bob", List.of()));
    bob.expectNoMessage(Duration.ofMillis(200));
    String answer = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=fingerprint:" + FINGERPRINT
        + "\r\na=setup:active\r\na=recvonly\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n";
    actor.tell(new SubscribeAnswer("bob", answer));
    SubscribeOffer next = bob.expectMessageClass(SubscribeOffer.class);
    SessionDescription after = SessionDescription.parse(next.sdp());
    assertEquals("inactive", after.media().get(0).direction());
    assertEquals("sendonly", after.media().get(1).direction(), "an audio slot stays, whoever it carries");
    assertEquals(ufragOf(offer.sdp()), ufragOf(next.sdp()), "the same receiving connection");
    assertFalse(next.fresh(), "a re-offer keeps the receiving connection");

    actor.tell(new RestartIce("bob"));
    bob.expectNoMessage(Duration.ofMillis(100)); // still waiting for the answer to `next`
    actor.tell(new SubscribeAnswer("bob", answer));
    SubscribeOffer restarted = bob.expectMessageClass(SubscribeOffer.class);
    assertNotEquals(ufragOf(next.sdp()), ufragOf(restarted.sdp()), "an ICE restart offers new credentials");
  }

  @Test
  void detachRemovesTheParticipantsEndpoints() throws Exception {
    TestProbe<MediaEvent> client = kit.createTestProbe(MediaEvent.class);
    actor.tell(new Attach("room", "p1", client.getRef()));
    actor.tell(new Publish("p1", offer("aaaa", 11, 22, 0), client.getRef()));
    assertInstanceOf(Published.class, client.receiveMessage());
    actor.tell(new Detach("p1"));
    TestProbe<RouterStatus> status = kit.createTestProbe(RouterStatus.class);
    actor.tell(new GetStatus(status.getRef()));
    assertEquals(0, status.receiveMessage().endpoints());
  }

  @Test
  void aSessionThatDiesWithoutDetachingLosesItsMediaAtOnce() throws Exception {
    // A session whose node was killed never says goodbye: the router's death watch is what frees its endpoints.
    ActorRef<MediaEvent> session = kit.spawn(Behaviors.<MediaEvent>ignore());
    actor.tell(new Attach("room", "p1", session));
    actor.tell(new Publish("p1", offer("aaaa", 11, 22, 0), session));
    TestProbe<RouterStatus> status = kit.createTestProbe(RouterStatus.class);
    status.awaitAssert(Duration.ofSeconds(10), () -> {
      actor.tell(new GetStatus(status.getRef()));
      assertEquals(1, status.receiveMessage().endpoints());
      return null;
    });
    kit.stop(session);
    status.awaitAssert(Duration.ofSeconds(10), () -> {
      actor.tell(new GetStatus(status.getRef()));
      RouterStatus now = status.receiveMessage();
      assertEquals(0, now.participants());
      assertEquals(0, now.endpoints());
      return null;
    });
  }

  @Test
  void aResumedParticipantKeepsItsMediaWhenItsOldSessionStopsBeforeTheNewOneAttaches() throws Exception {
    // The room tells the old session it is superseded and the new one that it resumed at once: the old one may be
    // gone (and the router's death watch fire) before the new one's Attach arrives. The old one hands over first.
    ActorRef<MediaEvent> old = kit.spawn(Behaviors.<MediaEvent>ignore());
    actor.tell(new Attach("room", "p1", old));
    actor.tell(new Publish("p1", offer("aaaa", 11, 22, 0), old));
    TestProbe<RouterStatus> status = kit.createTestProbe(RouterStatus.class);
    status.awaitAssert(Duration.ofSeconds(10), () -> {
      actor.tell(new GetStatus(status.getRef()));
      assertEquals(1, status.receiveMessage().endpoints());
      return null;
    });
    actor.tell(new HandOver("p1", old));
    kit.stop(old);
    TestProbe<Object> watcher = kit.createTestProbe();
    watcher.expectTerminated(old, Duration.ofSeconds(10));
    // A session that dies without handing over loses its media within milliseconds (the test above); watch for a
    // second that this one keeps it.
    long until = System.nanoTime() + Duration.ofSeconds(1).toNanos();
    while (System.nanoTime() < until) {
      actor.tell(new GetStatus(status.getRef()));
      RouterStatus now = status.receiveMessage();
      assertEquals(1, now.participants(), "the participant stays for its resumed session");
      assertEquals(1, now.endpoints());
    }
    TestProbe<MediaEvent> resumed = kit.createTestProbe(MediaEvent.class);
    actor.tell(new Attach("room", "p1", resumed.getRef()));
    actor.tell(new GetStatus(status.getRef()));
    assertEquals(1, status.receiveMessage().endpoints(), "the new session has the media");
    // ... and is watched in its turn: its death ends the media.
    resumed.stop();
    status.awaitAssert(Duration.ofSeconds(10), () -> {
      actor.tell(new GetStatus(status.getRef()));
      assertEquals(0, status.receiveMessage().endpoints());
      return null;
    });
  }

  @Test
  void aDetachFromASessionThatWasResumedAwayFromIsIgnored() {
    TestProbe<MediaEvent> old = kit.createTestProbe(MediaEvent.class);
    TestProbe<MediaEvent> resumed = kit.createTestProbe(MediaEvent.class);
    actor.tell(new Attach("room", "p1", old.getRef()));
    actor.tell(new Publish("p1", offer("aaaa", 11, 22, 0), old.getRef()));
    assertInstanceOf(Published.class, old.receiveMessage());
    actor.tell(new Attach("room", "p1", resumed.getRef())); // the same participant over a new connection
    actor.tell(new Detach("p1", old.getRef()));
    TestProbe<RouterStatus> status = kit.createTestProbe(RouterStatus.class);
    actor.tell(new GetStatus(status.getRef()));
    RouterStatus kept = status.receiveMessage();
    assertEquals(1, kept.participants(), "the old session's detach is not the participant's");
    assertEquals(1, kept.endpoints());
    actor.tell(new Detach("p1", resumed.getRef()));
    actor.tell(new GetStatus(status.getRef()));
    assertEquals(0, status.receiveMessage().participants());
  }

  @Test
  void aSectionTheClientSawGoInactiveCarriesTheNextTrack() throws Exception {
    TestProbe<MediaEvent> alice = kit.createTestProbe(MediaEvent.class);
    TestProbe<MediaEvent> carol = kit.createTestProbe(MediaEvent.class);
    TestProbe<MediaEvent> bob = kit.createTestProbe(MediaEvent.class);
    actor.tell(new Attach("room", "alice", alice.getRef()));
    actor.tell(new Attach("room", "carol", carol.getRef()));
    actor.tell(new Attach("room", "bob", bob.getRef()));
    actor.tell(new Publish("alice", offer("aaaa", 11, 22, 0), alice.getRef()));
    TrackInfo aliceVideo = alice.expectMessageClass(Published.class).tracks().stream()
        .filter(t -> !t.isAudio()).findFirst().orElseThrow();
    actor.tell(new Publish("carol", offer("cccc", 33, 44, 0), carol.getRef()));
    TrackInfo carolVideo = carol.expectMessageClass(Published.class).tracks().stream()
        .filter(t -> !t.isAudio()).findFirst().orElseThrow();
    String answer = "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\na=fingerprint:" + FINGERPRINT
        + "\r\na=setup:active\r\na=recvonly\r\na=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\n";

    // Last-N moves Bob from Alice's video to Carol's: the section goes inactive, then carries Carol.
    actor.tell(new SetSources("bob", List.of(aliceVideo)));
    assertEquals(List.of(22L), SessionDescription.parse(bob.expectMessageClass(SubscribeOffer.class).sdp()).media()
        .get(0).ssrcs());
    actor.tell(new SubscribeAnswer("bob", answer));
    actor.tell(new SetSources("bob", List.of()));
    SessionDescription inactive = SessionDescription.parse(bob.expectMessageClass(SubscribeOffer.class).sdp());
    assertEquals("inactive", inactive.media().get(0).direction());
    actor.tell(new SubscribeAnswer("bob", answer));
    actor.tell(new SetSources("bob", List.of(carolVideo)));
    SessionDescription reused = SessionDescription.parse(bob.expectMessageClass(SubscribeOffer.class).sdp());
    assertEquals(1, reused.media().size(), "no new m-section");
    assertEquals("sendonly", reused.media().get(0).direction());
    assertEquals(List.of(44L), reused.media().get(0).ssrcs());
  }

  /** What a WHEP player offers: receive-only Opus and VP8, bundled. */
  private static String watchOffer() {
    StringBuilder sb = new StringBuilder("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n");
    String[][] sections = {{"audio", "0", "111", "opus/48000/2"}, {"video", "1", "96", "VP8/90000"}};
    for (String[] m : sections) {
      sb.append("m=").append(m[0]).append(" 9 UDP/TLS/RTP/SAVPF ").append(m[2]).append("\r\n")
          .append("c=IN IP4 0.0.0.0\r\na=ice-ufrag:wwww\r\na=ice-pwd:pwdpwdpwdpwdpwdpwdpwdpwd\r\n")
          .append("a=fingerprint:").append(FINGERPRINT).append("\r\na=setup:actpass\r\na=mid:").append(m[1])
          .append("\r\na=recvonly\r\na=rtcp-mux\r\na=rtpmap:").append(m[2]).append(' ').append(m[3])
          .append("\r\n");
    }
    return sb.toString();
  }

  @Test
  void aWhepViewerThatNeverConnectsIsClosedAfterAConsentTimeoutAndItsSessionIsTold() throws Exception {
    MediaRouter quick = MediaRouter.start(new RouterSettings("127.0.0.1", 0, List.of("127.0.0.1"),
        Duration.ofSeconds(1), Duration.ofMillis(300)), null);
    ActorRef<Command> quickActor = kit.spawn(MediaRouterActor.create(quick));
    try {
      TestProbe<MediaEvent> gone = kit.createTestProbe(MediaEvent.class);
      quickActor.tell(new WatchSpeaker("room", "v1", watchOffer(), null, gone.getRef()));
      gone.expectMessageClass(Subscribed.class);
      assertTrue(quick.hasEndpoint("v1/watch"));
      MediaFailed failed = gone.expectMessageClass(MediaFailed.class, Duration.ofSeconds(20));
      assertEquals("transport_closed", failed.code());
      assertFalse(quick.hasEndpoint("v1/watch"));

      // A viewer that ends its session first hears nothing more.
      TestProbe<MediaEvent> left = kit.createTestProbe(MediaEvent.class);
      TestProbe<Boolean> unwatched = kit.createTestProbe(Boolean.class);
      quickActor.tell(new WatchSpeaker("room", "v2", watchOffer(), null, left.getRef()));
      left.expectMessageClass(Subscribed.class);
      quickActor.tell(new Unwatch("v2", unwatched.getRef()));
      assertTrue(unwatched.receiveMessage());
      left.expectNoMessage(Duration.ofSeconds(2));
    } finally {
      kit.stop(quickActor);
      quick.close();
    }
  }
}
