package uk.co.lchat.media.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static uk.co.lchat.media.router.MediaRouterTest.await;

import java.io.DataOutputStream;
import java.net.Socket;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import uk.co.lchat.testpeer.SimulatedPeer;

/** ICE-TCP (RFC 6544) on the media port number: for clients whose networks let no UDP through. */
class IceTcpTest {
  private MediaRouter router;

  @BeforeEach
  void start() throws Exception {
    router = MediaRouter.start(RouterSettings.loopback(0), null);
  }

  @AfterEach
  void stop() {
    router.close();
  }

  private SimulatedPeer connect(Endpoint e, boolean tcp) throws Exception {
    return TestPeers.connect(router, e, tcp);
  }

  @Test
  void answersAdvertiseAPassiveTcpCandidateBelowTheUdpOne() {
    Endpoint a = router.createEndpoint("a", "room", new EndpointListener() {});
    var candidates = router.localTransport(a).candidates();
    assertEquals(2, candidates.size(), candidates.toString());
    assertTrue(candidates.get(0).contains(" udp "));
    assertTrue(candidates.get(1).endsWith("127.0.0.1 " + router.port() + " typ host tcptype passive"));
    long udp = Long.parseLong(candidates.get(0).split(" ")[3]);
    long tcp = Long.parseLong(candidates.get(1).split(" ")[3]);
    assertTrue(tcp < udp, "clients try UDP first");
  }

  @Test
  void mediaFlowsBetweenATcpPeerAndAUdpPeerBothWays() throws Exception {
    Endpoint a = router.createEndpoint("a", "room", new EndpointListener() {});
    Endpoint b = router.createEndpoint("b", "room", new EndpointListener() {});
    try (SimulatedPeer pa = connect(a, true); SimulatedPeer pb = connect(b, false)) {
      assertTrue(a.overTcp());
      assertTrue(!b.overTcp());
      assertEquals(1, router.counters().iceSucceededTcp());
      assertTrue(a.nominated(), "the peer's nomination over TCP was taken");
      assertTrue(a.overTcp());
      Publication fromTcp = router.publish(a, 0x10, "video", 96, 90000, -1);
      router.subscribe(fromTcp, b, 96);
      Publication fromUdp = router.publish(b, 0x20, "audio", 111, 48000, -1);
      router.subscribe(fromUdp, a, 111);
      await(() -> pa.keyframeRequests() >= 1, "a PLI reaches the publisher over TCP");
      for (int i = 0; i < 100; i++) {
        pa.sendRtp(96, 0x10, i, i * 3000L, 1000);
        pb.sendRtp(111, 0x20, i, i * 960L, 80);
        if (i % 10 == 0) {
          Thread.sleep(2);
        }
      }
      await(() -> pb.rtpReceived() == 100 && pa.rtpReceived() == 100,
          () -> "100 packets each way, got " + pb.rtpReceived() + " over UDP and " + pa.rtpReceived() + " over TCP");
      pa.sendReceiverReport(0x20, 0, 0);
      await(() -> router.counters().rtcpSent() > 0, "RTCP flows too");
    }
  }

  @Test
  void garbageAndTruncatedFramesOnTcpNeverStopTheRouter() throws Exception {
    Random random = new Random(42);
    for (int round = 0; round < 20; round++) {
      try (Socket s = new Socket("127.0.0.1", router.port())) {
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        for (int i = 0; i < 20; i++) {
          byte[] junk = new byte[random.nextInt(300)];
          random.nextBytes(junk);
          if (random.nextBoolean() && junk.length > 0) {
            junk[0] = (byte) (random.nextBoolean() ? 0x00 : 0x80); // STUN-ish or RTP-ish first byte
          }
          out.writeShort(random.nextInt(4) == 0 ? 0xFFFF : junk.length); // sometimes a frame that never completes
          out.write(junk);
        }
        out.flush();
      }
    }
    // The router still serves a normal client, on TCP and on UDP.
    Endpoint a = router.createEndpoint("a", "room", new EndpointListener() {});
    Endpoint b = router.createEndpoint("b", "room", new EndpointListener() {});
    try (SimulatedPeer pa = connect(a, true); SimulatedPeer pb = connect(b, false)) {
      Publication p = router.publish(b, 5, "audio", 111, 48000, -1);
      router.subscribe(p, a, 111);
      for (int i = 0; i < 20; i++) {
        pb.sendRtp(111, 5, i, i * 960L, 80);
      }
      await(() -> pa.rtpReceived() == 20, () -> "20 packets over TCP, got " + pa.rtpReceived());
    }
    assertEquals(0, router.counters().internalErrors());
    assertTrue(router.counters().tcpConnectionsAccepted() >= 21);
  }

  @Test
  void closingTheTcpConnectionLeavesTheEndpointWithoutAPath() throws Exception {
    Endpoint a = router.createEndpoint("a", "room", new EndpointListener() {});
    SimulatedPeer pa = connect(a, true);
    pa.close();
    await(() -> a.remoteAddress() == null, "the endpoint forgets the closed connection");
    assertTrue(!a.overTcp());
  }
}
