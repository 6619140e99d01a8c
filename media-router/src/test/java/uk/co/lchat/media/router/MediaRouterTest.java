package uk.co.lchat.media.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import uk.co.lchat.media.peer.SimulatedPeer;
import uk.co.lchat.media.sdp.SessionDescription;

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
  void aRecorderSinkGetsThePublishersPacketsAsPlainRtpOnLoopback() throws Exception {
    Endpoint a = router.createEndpoint("a", "room", new EndpointListener() {});
    try (SimulatedPeer pa = connect(a); DatagramSocket recorder = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      recorder.setSoTimeout(10_000);
      Endpoint sink = router.createPlainSink("rec", "room",
          new InetSocketAddress(InetAddress.getLoopbackAddress(), recorder.getLocalPort()));
      Publication audio = router.publish(a, 77, "audio", 111, 48000, -1);
      router.subscribe(audio, sink, 109);
      await(() -> {
        try {
          pa.sendRtp(111, 77, 1, 960L, 60);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        return audio.packets() > 0;
      }, "the publication carries packets");
      byte[] b = new byte[1500];
      DatagramPacket got = new DatagramPacket(b, b.length);
      recorder.receive(got);
      assertEquals(2, (b[0] & 0xFF) >> 6, "an RTP version 2 header, not SRTP garbage");
      assertEquals(109, b[1] & 0x7F, "under the sink's payload type");
      assertEquals(77, ((b[8] & 0xFF) << 24 | (b[9] & 0xFF) << 16 | (b[10] & 0xFF) << 8 | (b[11] & 0xFF)));
      assertEquals(12 + 60, got.getLength(), "the plain packet: header and payload, no SRTP tag");
    }
    assertThrows(IllegalArgumentException.class,
        () -> router.createPlainSink("out", "room", new InetSocketAddress("192.0.2.1", 5000)),
        "plain RTP never leaves the machine");
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
  void theEndpointsIce4jAgentChecksThePathBackAndSelectsWhatThePeerNominated() throws Exception {
    Endpoint a = router.createEndpoint("a", "room", new EndpointListener() {});
    try (SimulatedPeer pa = connect(a)) {
      await(() -> pa.checksAnswered() > 0, "the router's agent checked the path back (RFC 8445 §7.2.5.2)");
      await(() -> a.remoteAddress().equals(a.agent.selected()), "ice4j selected the path media uses");
      // ice4j moves to COMPLETED on its own thread a moment after the selection (a loaded full run once read
      // RUNNING in between).
      await(() -> a.agent.state() == org.ice4j.ice.IceProcessingState.COMPLETED
          || a.agent.state() == org.ice4j.ice.IceProcessingState.TERMINATED, () -> "ICE completed: " + a.agent.state());
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
      assertTrue(pl.checksAnswered() > 1, "the live peer answered consent checks as well as the first check");
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
      await(() -> b.remoteAddress().equals(b.agent.selected()), "the new agent selected the new path");
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
      for (int i = 0; i < Subscription.GOOD_REPORTS_TO_RECOVER - 1; i++) {
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
