package uk.co.lchat.media.router;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import uk.co.lchat.media.rtp.VideoCodec;
import uk.co.lchat.media.sdp.SessionDescription;
import uk.co.lchat.testpeer.SimulatedPeer;

/** The router over real UDP on loopback, with headless peers doing ICE, DTLS and SRTP as browsers do. */
class MediaRouterTest {
  private MediaRouter router;
  private final CopyOnWriteArrayList<String> speakers = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    router = MediaRouter.start(RouterSettings.loopback(0), (group, e) -> speakers.add(group + ":" + e.id()));
  }

  @AfterEach
  void stop() {
    router.close();
  }

  private SimulatedPeer connect(Endpoint e) throws Exception {
    return TestPeers.connect(router, e, false);
  }


  @Test
  void publisherStreamReachesEverySubscriberAndSubscribingAsksForAKeyframe() throws Exception {
    Endpoint a = router.createEndpoint("a", "room", new EndpointListener() {});
    Endpoint b = router.createEndpoint("b", "room", new EndpointListener() {});
    Endpoint c = router.createEndpoint("c", "room", new EndpointListener() {});
    try (SimulatedPeer pa = connect(a); SimulatedPeer pb = connect(b); SimulatedPeer pc = connect(c)) {
      Publication video = router.publish(a, 0x1234, "video", 96, 90000, -1);
      router.subscribe(video, b, 100);
      router.subscribe(video, c, 96);
      await(() -> pa.keyframeRequests() >= 1, "PLI to the publisher");
      for (int i = 0; i < 200; i++) {
        pa.sendRtp(96, 0x1234, i, i * 3000L, 800);
        if (i % 20 == 0) {
          Thread.sleep(2); // pace like a real sender, so a test socket's receive buffer is not the bottleneck
        }
      }
      await(() -> pb.rtpReceived() == 200 && pc.rtpReceived() == 200,
          () -> "200 packets at both subscribers, got " + pb.rtpReceived() + " and " + pc.rtpReceived()
              + "; router " + video.packets() + " in, srtp failures " + router.counters().srtpFailures());
      assertEquals(200, video.packets());
    }
  }

  @Test
  void anEndpointAnsweredFirstWithAnotherConnectionsFingerprintTakesTheLatestAndLetsItsPeerIn() throws Exception {
    Endpoint e = router.createEndpoint("moved", "room", new EndpointListener() {});
    // The answer of the participant's old receiving connection arrives first (its media moved here meanwhile).
    try (SimulatedPeer old = new SimulatedPeer()) {
      router.setRemoteFingerprint(e, SessionDescription.sha256Fingerprint(old.fingerprintAttribute()));
    }
    try (SimulatedPeer peer = connect(e)) {
      assertTrue(e.connected());
      assertEquals(0, router.counters().dtlsFailures());
    }
  }

  @Test
  void unsubscribedAndRemovedReceiversGetNothingMore() throws Exception {
    Endpoint a = router.createEndpoint("a", "room", new EndpointListener() {});
    Endpoint b = router.createEndpoint("b", "room", new EndpointListener() {});
    try (SimulatedPeer pa = connect(a); SimulatedPeer pb = connect(b)) {
      Publication audio = router.publish(a, 77, "audio", 111, 48000, -1);
      Subscription s = router.subscribe(audio, b, 111);
      for (int i = 0; i < 10; i++) {
        pa.sendRtp(111, 77, i, i * 960L, 60);
      }
      await(() -> pb.rtpReceived() == 10, "10 packets");
      router.unsubscribe(s);
      Thread.sleep(100);
      for (int i = 10; i < 20; i++) {
        pa.sendRtp(111, 77, i, i * 960L, 60);
      }
      await(() -> audio.packets() == 20, "publisher packets counted");
      assertEquals(10, pb.rtpReceived());
    }
  }

  @Test
  void garbageOnThePortNeverStopsTheReceiveLoop() throws Exception {
    Endpoint a = router.createEndpoint("a", "room", new EndpointListener() {});
    Endpoint b = router.createEndpoint("b", "room", new EndpointListener() {});
    try (SimulatedPeer pa = connect(a); SimulatedPeer pb = connect(b);
         DatagramSocket attacker = new DatagramSocket()) {
      Publication p = router.publish(a, 5, "audio", 111, 48000, 1);
      router.subscribe(p, b, 111);
      Random random = new Random(7);
      InetSocketAddress target = new InetSocketAddress("127.0.0.1", router.port());
      for (int i = 0; i < 5000; i++) {
        byte[] junk = new byte[random.nextInt(1400)];
        random.nextBytes(junk);
        if (junk.length > 0 && i % 4 == 0) {
          junk[0] = (byte) (i % 3 == 0 ? 0x80 : i % 3 == 1 ? 0x16 : 0x00); // look like RTP, DTLS, STUN
        }
        attacker.send(new DatagramPacket(junk, junk.length, target));
      }
      for (int i = 0; i < 50; i++) {
        pa.sendRtp(111, 5, i, i * 960L, 60);
      }
      await(() -> pb.rtpReceived() == 50, "media still flows after 5000 junk datagrams");
      assertEquals(0, router.counters().internalErrors());
    }
  }

  @Test
  void nackedPacketIsRetransmittedFromTheCacheAndReportsFlowBothWays() throws Exception {
    Endpoint a = router.createEndpoint("a", "room", new EndpointListener() {});
    Endpoint b = router.createEndpoint("b", "room", new EndpointListener() {});
    try (SimulatedPeer pa = connect(a); SimulatedPeer pb = connect(b)) {
      Publication video = router.publish(a, 0x99, "video", 96, 90000, -1);
      Subscription s = router.subscribe(video, b, 96, null, false, 97, 0x7777);
      pb.loseOnce(1005, 1006, 1007);
      for (int i = 0; i < 20; i++) {
        pa.sendRtp(96, 0x99, 1000 + i, i * 3000L, 500);
      }
      await(() -> pb.rtpReceived() == 17, "17 of 20 packets (3 lost on the way)");
      pb.sendNack(0x99, 1005, 0b11); // 1005, 1006, 1007
      await(() -> pb.rtpReceived() == 20, () -> "3 retransmissions, got " + (pb.rtpReceived() - 17) + " retransmitted " + s.retransmitted()
          + " unanswered " + router.counters().nacksUnanswered() + " srtp failures "
          + router.counters().srtpFailures() + " rtcp in " + b.packetsReceived());
      assertEquals(3, s.retransmitted());
      assertEquals(3, pb.rtpReceivedOn(0x7777), "retransmissions come as RTX on the RTX SSRC");
      // Within ~1 s the router reports reception to the publisher and sends an SR to the receiver.
      await(() -> pa.receiverReports() > 0 && pb.lastSenderReport(0x99) != 0, "RR to publisher, SR to receiver");
      pb.sendReceiverReport(0x99, pb.lastSenderReport(0x99), 0);
      await(() -> s.rttMillis() >= 0, "RTT from the receiver's report");
      assertTrue(s.rttMillis() < 1000, "loopback RTT is small: " + s.rttMillis());
      assertEquals(0, video.lost());
    }
  }

  @Test
  void theRouterAnswersChecksAsALiteAgentAndSendsMediaToThePathThePeerNominated() throws Exception {
    Endpoint a = router.createEndpoint("a", "room", new EndpointListener() {});
    try (SimulatedPeer pa = connect(a)) {
      // connect() has had its nominating check answered, signed with the endpoint's password (it verifies that).
      assertTrue(a.nominated(), "the peer's USE-CANDIDATE nominated the path");
      assertEquals(pa.localAddress(), a.remoteAddress(), "media goes where the nominated check came from");
      assertEquals(0, pa.checksAnswered(), "a lite agent sends no checks of its own (RFC 8445 §2.5)");
    }
  }

  @Test
  void aCheckFromAPeerThatAlsoClaimsTheControlledRoleGetsARoleConflict() throws Exception {
    Endpoint a = router.createEndpoint("a", "room", new EndpointListener() {});
    try (java.net.DatagramSocket s = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
      s.setSoTimeout(10_000);
      byte[] key = a.ice().pwd().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      byte[] tid = new byte[12];
      new java.security.SecureRandom().nextBytes(tid);
      byte[] req = uk.co.lchat.media.ice.StunMessage.bindingRequest(tid, a.ice().ufrag() + ":peer", 0x6e0001ffL,
          false, 7L, true, key);
      s.send(new java.net.DatagramPacket(req, req.length, new InetSocketAddress("127.0.0.1", router.port())));
      java.net.DatagramPacket answer = new java.net.DatagramPacket(new byte[1500], 1500);
      s.receive(answer);
      uk.co.lchat.media.ice.StunMessage m = uk.co.lchat.media.ice.StunMessage.parse(answer.getData(), 0,
          answer.getLength());
      assertEquals(uk.co.lchat.media.ice.StunMessage.BINDING_ERROR, m.type());
      assertEquals(487, m.errorCode(), "RFC 8445 §7.3.1.1: the lite agent stays controlled");
      assertTrue(m.verifyIntegrity(key), "the error is signed, so the peer can trust it");
      assertEquals(null, a.remoteAddress(), "the check latched nothing");
    }
  }

  /**
   * Firefox against our ice-lite nominates every pair it checks and keeps the one of highest priority (RFC 8445
   * §8.1.1), which need not be the last it nominated: its handshake and media come on the first path here, and
   * the router must take them there and answer there.
   */
  @Test
  void aPeerThatNominatesTwoPathsAndUsesTheFirstHandshakesAndSendsOnTheFirst() throws Exception {
    Endpoint a = router.createEndpoint("a", "room", new EndpointListener() {});
    Endpoint b = router.createEndpoint("b", "room", new EndpointListener() {});
    try (SimulatedPeer pa = new SimulatedPeer(); SimulatedPeer pb = connect(b)) {
      pa.alsoNominateAnotherPort();
      router.setRemoteFingerprint(a, SessionDescription.sha256Fingerprint(pa.fingerprintAttribute()));
      router.setRemoteIce(a, pa.ice(), java.util.List.of());
      pa.connect(new InetSocketAddress("127.0.0.1", router.port()), a.ice(),
          SessionDescription.sha256Fingerprint(router.fingerprint()));
      await(a::connected, "the DTLS handshake on the first path completed");
      Publication video = router.publish(a, 0x4242, "video", 96, 90000, -1);
      router.subscribe(video, b, 96);
      for (int i = 0; i < 50; i++) {
        pa.sendRtp(96, 0x4242, i, i * 3000L, 400);
      }
      await(() -> pb.rtpReceived() == 50, () -> "50 packets from the first path, got " + pb.rtpReceived());
      // What the router sends the publisher (its keyframe request for the new receiver) goes there too.
      await(() -> pa.keyframeRequests() >= 1, "PLI on the path the peer sends on");
      assertTrue(router.counters().pathsFollowed() >= 1, "the router followed the peer back to its first path");
    }
  }

  /**
   * RFC 7675: a peer that goes silent (sends no checks, answers none of its agent's) loses its endpoint after the
   * consent timeout; one that keeps answering and checking keeps it.
   */
  @Test
  void aSilentPeerLosesItsEndpointAfterTheConsentTimeoutAndALiveOneDoesNot() throws Exception {
    router.close();
    router = MediaRouter.start(new RouterSettings("127.0.0.1", 0, java.util.List.of("127.0.0.1"),
        java.time.Duration.ofSeconds(8), java.time.Duration.ofMillis(300), false), (group, e) -> { });
    java.util.concurrent.ConcurrentHashMap<String, String> closed = new java.util.concurrent.ConcurrentHashMap<>();
    EndpointListener listener = new EndpointListener() {
      @Override
      public void closed(Endpoint endpoint, String reason) {
        closed.put(endpoint.id(), reason);
      }
    };
    Endpoint live = router.createEndpoint("live", "room", listener);
    Endpoint silent = router.createEndpoint("silent", "room", listener);
    try (SimulatedPeer pl = connect(live)) {
      SimulatedPeer ps = connect(silent);
      ps.close();
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (!closed.containsKey("silent") && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertEquals("ICE consent expired", closed.get("silent"));
      assertTrue(!closed.containsKey("live") && !live.isClosed(), "the live peer keeps its endpoint");
      assertTrue(pl.consentGranted() >= 1, "the router answered the live peer's consent checks");
    }
  }

  @Test
  void iceRestartMovesThePathWithoutANewDtlsHandshake() throws Exception {
    Endpoint a = router.createEndpoint("a", "room", new EndpointListener() {});
    Endpoint b = router.createEndpoint("b", "room", new EndpointListener() {});
    try (SimulatedPeer pa = connect(a); SimulatedPeer pb = connect(b)) {
      Publication audio = router.publish(a, 31, "audio", 111, 48000, -1);
      router.subscribe(audio, b, 111);
      for (int i = 0; i < 10; i++) {
        pa.sendRtp(111, 31, i, i * 960L, 60);
      }
      await(() -> pb.rtpReceived() == 10, "10 packets before the restart");
      String oldUfrag = b.ice().ufrag();
      java.net.InetSocketAddress oldAddress = b.remoteAddress();
      uk.co.lchat.media.sdp.IceParameters fresh = router.restartIce(b);
      assertTrue(!fresh.ufrag().equals(oldUfrag));
      pb.moveAndRestartIce(fresh);
      await(() -> !oldAddress.equals(b.remoteAddress()), "the receiver's new address is latched");
      await(() -> b.nominated() && b.remoteAddress().equals(pb.localAddress()), "the new path is nominated and used");
      for (int i = 10; i < 20; i++) {
        pa.sendRtp(111, 31, i, i * 960L, 60);
      }
      await(() -> pb.rtpReceived() == 20, () -> "10 more after the restart, got " + pb.rtpReceived());
      assertEquals(1, router.counters().iceRestarts());
    }
  }

  /** A simulcast publisher (layers q, h, f; rid extension 10) and one receiver of the track, both connected. */
  private record SimulcastPair(SimulatedPeer publisher, SimulatedPeer receiver, SimulcastSource src,
                               Subscription subscription) implements AutoCloseable {
    @Override
    public void close() {
      publisher.close();
      receiver.close();
    }
  }

  private SimulcastPair simulcastPair() throws Exception {
    Endpoint a = router.createEndpoint("a", "room", new EndpointListener() {});
    Endpoint b = router.createEndpoint("b", "room", new EndpointListener() {});
    SimulatedPeer pa = connect(a);
    SimulatedPeer pb = connect(b);
    SimulcastSource src = router.publishSimulcast(a, "1", java.util.List.of("q", "h", "f"), 10, 96, 90000);
    return new SimulcastPair(pa, pb, src, router.subscribe(src, b, 96, null, true, -1, -1));
  }

  @Test
  void simulcastLayersAreBoundByRidAndReceiversGetOneLayerSwitchingAtKeyframes() throws Exception {
    try (SimulcastPair pair = simulcastPair()) {
      SimulatedPeer pb = pair.receiver();
      SimulcastSource src = pair.src();
      Subscription s = pair.subscription();
      SimulcastFeed feed = new SimulcastFeed(pair.publisher());
      // Layers are ranked by measured bit rate once a second; a HIGH receiver ends up on "f".
      feed.until(() -> src.knownLayers() == 3 && s.currentLayer() == 2, 8);
      assertEquals(3, src.knownLayers());
      assertEquals(2, s.currentLayer(), "the highest-rate layer for a high-quality receiver");
      router.setQuality(s, false);
      feed.until(() -> s.currentLayer() == 0, 5);
      assertEquals(0, s.currentLayer(), "switched to the lowest layer at its keyframe");
      long before = pb.rtpReceived();
      for (int i = 0; i < 20; i++) {
        feed.frame();
        Thread.sleep(10);
      }
      await(() -> pb.rtpReceived() > before + 10, "packets keep flowing");
      assertTrue(pb.lastRtpLength() < 400, "the low layer's packets, not the high one's: " + pb.lastRtpLength());
      assertEquals(pb.rtpReceived(), pb.rtpReceivedOn(src.ssrc()), "one SSRC whatever the layer");
      assertTrue(pb.rtpReceived() < (long) feed.frames() * 2, "one layer forwarded per frame, not three");
    }
  }

  @Test
  void aSimulcastReceiverGetsTheTallestLayerThatFitsTheHeightItAsksForAndNoVideoAtZero() throws Exception {
    try (SimulcastPair pair = simulcastPair()) {
      SimulatedPeer pb = pair.receiver();
      SimulcastSource src = pair.src();
      Subscription s = pair.subscription();
      SimulcastFeed feed = new SimulcastFeed(pair.publisher());
      feed.until(() -> s.currentLayer() == 2, 8);
      assertArrayEquals(SimulcastFeed.HEIGHTS, src.layerHeights(), "each layer's height, from its keyframes");
      router.setMaxHeight(s, 180);
      feed.until(() -> s.currentLayer() == 0, 5);
      assertEquals(0, s.currentLayer(), "a thumbnail: the 180 px layer");
      router.setMaxHeight(s, 500);
      feed.until(() -> s.currentLayer() == 1, 5);
      assertEquals(1, s.currentLayer(), "up to 500 px: the 360 px layer");
      router.setMaxHeight(s, 0);
      feed.until(() -> s.currentLayer() == -1, 5);
      assertEquals(-1, s.currentLayer(), "no video");
      long stopped = pb.rtpReceived();
      feed.until(() -> false, 1);
      assertEquals(stopped, pb.rtpReceived(), "nothing arrives while the receiver wants no video");
      router.setMaxHeight(s, MediaRouter.ANY_HEIGHT);
      feed.until(() -> s.currentLayer() == 2, 5);
      assertEquals(2, s.currentLayer(), "no limit again: the whole picture");
      await(() -> pb.rtpReceived() > stopped, "and packets come again");
    }
  }

  @Test
  void aReceiverGetsTheTallestLayerBackWhenAPublisherTurnsItsLayersOffAndOnAgain() throws Exception {
    try (SimulcastPair pair = simulcastPair()) {
      SimulatedPeer pb = pair.receiver();
      Subscription s = pair.subscription();
      SimulcastFeed feed = new SimulcastFeed(pair.publisher());
      router.setMaxHeight(s, 720);
      feed.until(() -> s.currentLayer() == 2, 8);
      assertEquals(2, s.currentLayer());
      feed.until(0b001, () -> s.currentLayer() == 0, 5);
      assertEquals(0, s.currentLayer(), "the publisher sends its lowest layer only (its sender chose low)");
      feed.until(0, () -> false, 2); // audio only: no video at all
      long before = pb.rtpReceived();
      feed.until(() -> s.currentLayer() == 2 && pb.rtpReceived() > before + 20, 8);
      assertEquals(2, s.currentLayer(), "every layer again: the tallest that fits");
    }
  }

  @Test
  void aPlainVideoStreamIsWithheldFromAReceiverWantingNoVideoAndRestartsWithAKeyframeRequest() throws Exception {
    Endpoint a = router.createEndpoint("a", "room", new EndpointListener() {});
    Endpoint b = router.createEndpoint("b", "room", new EndpointListener() {});
    try (SimulatedPeer pa = connect(a); SimulatedPeer pb = connect(b)) {
      Publication video = router.publish(a, 77, "video", 96, 90000, -1);
      Subscription s = router.subscribe(video, b, 96);
      int seq = 0;
      for (; seq < 5; seq++) {
        pa.sendRtp(96, 77, seq, seq * 3000L, 100);
      }
      await(() -> pb.rtpReceived() == 5, () -> "5 forwarded, got " + pb.rtpReceived());
      router.setMaxHeight(s, 0);
      await(() -> s.withheld, "the router's loop took the constraint");
      long asked = pa.keyframeRequests();
      for (; seq < 10; seq++) {
        pa.sendRtp(96, 77, seq, seq * 3000L, 100);
      }
      // The loop reads the socket and its commands in no fixed order: the 5 must be in before the next constraint.
      await(() -> video.packets() == 10, () -> "the router read the 5, got " + video.packets());
      router.setMaxHeight(s, 360);
      await(() -> pa.keyframeRequests() > asked, "the publisher is asked for a keyframe for the restart");
      for (; seq < 15; seq++) {
        pa.sendRtp(96, 77, seq, seq * 3000L, 100);
      }
      await(() -> pb.rtpReceived() >= 10, () -> "forwarded again, got " + pb.rtpReceived());
      assertEquals(10, pb.rtpReceived(), "the 5 sent while it wanted no video never went");
    }
  }

  /**
   * Safari prefers H.264 and a browser may offer nothing else: its simulcast layers switch at IDR frames as VP8's
   * do at keyframes (before, no H.264 payload ever counted as a keyframe, so nothing of such a track was forwarded).
   */
  @Test
  void anH264SimulcastTrackReachesItsReceiverAndSwitchesLayersAtIdrFrames() throws Exception {
    Endpoint a = router.createEndpoint("a", "room", new EndpointListener() {});
    Endpoint b = router.createEndpoint("b", "room", new EndpointListener() {});
    try (SimulatedPeer pa = connect(a); SimulatedPeer pb = connect(b)) {
      SimulcastSource src = router.publishSimulcast(a, "1", java.util.List.of("q", "h", "f"), 10, 96, 90000,
          VideoCodec.H264);
      Subscription s = router.subscribe(src, b, 102, null, true, -1, -1);
      SimulcastFeed feed = new SimulcastFeed(pa, VideoCodec.H264);
      feed.until(() -> s.currentLayer() == 2, 8);
      assertEquals(2, s.currentLayer(), "the highest-rate layer, reached at one of its IDR frames");
      router.setQuality(s, false);
      feed.until(() -> s.currentLayer() == 0, 5);
      assertEquals(0, s.currentLayer(), "switched to the lowest layer at its IDR frame");
      await(() -> pb.rtpReceived() > 0 && pb.rtpReceived() == pb.rtpReceivedOn(src.ssrc()),
          () -> "one stream arrives, under the source's SSRC: " + pb.rtpReceived() + " packets, "
              + pb.rtpReceivedOn(src.ssrc()) + " on it");
    }
  }

  @Test
  void aSimulcastReceiverReportingHeavyLossGetsTheLowLayerUntilItRecovers() throws Exception {
    try (SimulcastPair pair = simulcastPair()) {
      SimulatedPeer pb = pair.receiver();
      SimulcastSource src = pair.src();
      Subscription s = pair.subscription();
      SimulcastFeed feed = new SimulcastFeed(pair.publisher());
      feed.until(() -> s.currentLayer() == 2, 8);
      assertEquals(2, s.currentLayer());
      pb.sendReceiverReport(src.ssrc(), 64, 0, 0); // a quarter lost
      feed.until(() -> s.currentLayer() == 0, 5);
      assertEquals(0, s.currentLayer(), "heavy loss: the lowest layer");
      assertEquals(1, router.counters().lossDowngrades());
      for (int i = 0; i < LayerSelector.GOOD_REPORTS_TO_RECOVER - 1; i++) {
        pb.sendReceiverReport(src.ssrc(), 0, 0, 0);
      }
      feed.until(() -> false, 1);
      assertEquals(0, s.currentLayer(), "not back up before enough clean reports");
      pb.sendReceiverReport(src.ssrc(), 0, 0, 0);
      feed.until(() -> s.currentLayer() == 2, 5);
      assertEquals(2, s.currentLayer(), "recovered: the high layer again");
    }
  }

  @Test
  void forwardedPacketsCarryTheRoutersSendTimeUnderTheIdEachReceiverKnows() throws Exception {
    Endpoint a = router.createEndpoint("a", "room", new EndpointListener() {});
    Endpoint b = router.createEndpoint("b", "room", new EndpointListener() {});
    Endpoint c = router.createEndpoint("c", "room", new EndpointListener() {});
    Endpoint d = router.createEndpoint("d", "room", new EndpointListener() {});
    try (SimulatedPeer pa = connect(a); SimulatedPeer pb = connect(b); SimulatedPeer pc = connect(c);
         SimulatedPeer pd = connect(d)) {
      router.enableAbsSendTime(a, 3, -1); // the publisher sends abs-send-time under id 3
      router.enableAbsSendTime(b, -1, 2); // b accepted it under id 2; c did not; d under the publisher's id
      router.enableAbsSendTime(d, -1, 3);
      Publication audio = router.publish(a, 31, "audio", 111, 48000, -1);
      router.subscribe(audio, b, 111);
      router.subscribe(audio, c, 111);
      router.subscribe(audio, d, 111);
      java.util.concurrent.atomic.AtomicReference<byte[]> atB = new java.util.concurrent.atomic.AtomicReference<>();
      java.util.concurrent.atomic.AtomicReference<byte[]> atC = new java.util.concurrent.atomic.AtomicReference<>();
      pb.onRtp((buf, len, arrival) -> atB.set(java.util.Arrays.copyOf(buf, len)));
      pc.onRtp((buf, len, arrival) -> atC.set(java.util.Arrays.copyOf(buf, len)));
      java.util.concurrent.atomic.AtomicReference<byte[]> atD = new java.util.concurrent.atomic.AtomicReference<>();
      pd.onRtp((buf, len, arrival) -> atD.set(java.util.Arrays.copyOf(buf, len)));
      pa.sendRtpWithAbsSendTime(111, 31, 1, 960, 3, 0x000001);
      await(() -> atB.get() != null && atC.get() != null && atD.get() != null, "the packet at every receiver");
      uk.co.lchat.media.rtp.RtpPacket got = new uk.co.lchat.media.rtp.RtpPacket();
      assertTrue(got.wrap(atB.get(), 0, atB.get().length));
      int at = got.findExtension(2);
      assertTrue(at > 0, "renumbered to the receiver's id");
      int stamped = ((atB.get()[at] & 0xFF) << 16) | ((atB.get()[at + 1] & 0xFF) << 8) | (atB.get()[at + 2] & 0xFF);
      int now = uk.co.lchat.media.rtp.RtpPacket.absSendTime(System.nanoTime());
      assertTrue(((now - stamped) & 0xFFFFFF) < (1 << 18), "our send time, within the last second: " + stamped);
      assertTrue(got.wrap(atC.get(), 0, atC.get().length));
      assertEquals(-1, got.findExtension(2));
      at = got.findExtension(3);
      assertEquals(1, atC.get()[at + 2], "untouched for a receiver that did not accept it");
      assertTrue(got.wrap(atD.get(), 0, atD.get().length));
      at = got.findExtension(3);
      int forD = ((atD.get()[at] & 0xFF) << 16) | ((atD.get()[at + 1] & 0xFF) << 8) | (atD.get()[at + 2] & 0xFF);
      assertEquals(stamped, forD, "the same send time under the publisher's own id");
    }
  }

  @Test
  void bindingRequestWithWrongPasswordIsRefusedAndLatchesNothing() throws Exception {
    Endpoint a = router.createEndpoint("a", "room", new EndpointListener() {});
    SimulatedPeer peer = new SimulatedPeer();
    try (peer) {
      org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.TimeoutException.class, () ->
          peer.connect(new InetSocketAddress("127.0.0.1", router.port()),
              new uk.co.lchat.media.sdp.IceParameters(a.ice().ufrag(), "not-the-password-at-all"),
              SessionDescription.sha256Fingerprint(router.fingerprint())));
    }
    assertEquals(null, a.remoteAddress());
    assertTrue(router.counters().stunRejected() > 0);
  }

  @Test
  void loudestPublisherBecomesDominantSpeaker() throws Exception {
    Endpoint a = router.createEndpoint("a", "room", new EndpointListener() {});
    Endpoint b = router.createEndpoint("b", "room", new EndpointListener() {});
    try (SimulatedPeer pa = connect(a); SimulatedPeer pb = connect(b)) {
      router.publish(a, 11, "audio", 111, 48000, 1);
      router.publish(b, 22, "audio", 111, 48000, 1);
      Thread.sleep(50);
      long deadline = System.nanoTime() + 5_000_000_000L;
      int seq = 0;
      while (speakers.isEmpty() && System.nanoTime() < deadline) {
        pa.sendRtpWithAudioLevel(111, 11, seq, seq * 960L, 1, 90); // quiet
        pb.sendRtpWithAudioLevel(111, 22, seq, seq * 960L, 1, 10); // loud
        seq++;
        Thread.sleep(5);
      }
      assertEquals("room:b", speakers.get(0));
    }
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    await(condition, () -> what);
  }

  static void await(BooleanSupplier condition, java.util.function.Supplier<String> what)
      throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what.get());
      }
      Thread.sleep(10);
    }
  }
}
