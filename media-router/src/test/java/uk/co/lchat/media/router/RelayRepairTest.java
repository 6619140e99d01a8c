package uk.co.lchat.media.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import uk.co.lchat.media.srtp.SrtpKeys;
import uk.co.lchat.media.srtp.SrtpProfile;
import uk.co.lchat.testpeer.SimulatedPeer;

/**
 * Loss between two nodes' routers: a video packet lost on the relay is asked for again by the far router (NACK over
 * the relay), comes back as RTX, and reaches the receivers there as the original packet, late.
 */
class RelayRepairTest {
  private MediaRouter origin;
  private MediaRouter far;
  private DatagramSocket towardsFar;
  private DatagramSocket towardsOrigin;
  /** Packets of SSRC 0x99 the link loses, each once, on the way from the origin to the far router. */
  private final Set<Integer> lose = ConcurrentHashMap.newKeySet();

  @BeforeEach
  void start() throws Exception {
    origin = MediaRouter.start(RouterSettings.loopback(0), null);
    far = MediaRouter.start(RouterSettings.loopback(0), null);
    InetAddress loopback = InetAddress.getLoopbackAddress();
    towardsFar = new DatagramSocket(0, loopback);
    towardsOrigin = new DatagramSocket(0, loopback);
    // A lossy link: the origin sends to one socket, which passes on to the far router from the other, and back.
    forward(towardsFar, towardsOrigin, new InetSocketAddress(loopback, far.port()), true);
    forward(towardsOrigin, towardsFar, new InetSocketAddress(loopback, origin.port()), false);
  }

  private void forward(DatagramSocket in, DatagramSocket out, InetSocketAddress to, boolean lossy) {
    Thread.ofPlatform().daemon().start(() -> {
      byte[] b = new byte[2048];
      while (!in.isClosed()) {
        try {
          DatagramPacket p = new DatagramPacket(b, b.length);
          in.receive(p);
          int pt = b[1] & 0xFF;
          boolean rtp = pt < 192 || pt > 223;
          long ssrc = ((b[8] & 0xFFL) << 24) | ((b[9] & 0xFF) << 16) | ((b[10] & 0xFF) << 8) | (b[11] & 0xFF);
          int seq = ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
          if (lossy && rtp && ssrc == 0x99 && lose.remove(seq)) {
            continue; // SRTP leaves the RTP header readable: drop by sequence number
          }
          out.send(new DatagramPacket(b, p.getLength(), to));
        } catch (Exception e) {
          return;
        }
      }
    });
  }

  @AfterEach
  void stop() {
    towardsFar.close();
    towardsOrigin.close();
    origin.close();
    far.close();
  }

  private static SrtpKeys keys() {
    SecureRandom random = new SecureRandom();
    SrtpProfile profile = SrtpProfile.AEAD_AES_128_GCM;
    byte[][] parts = {new byte[profile.keyLength], new byte[profile.saltLength], new byte[profile.keyLength],
        new byte[profile.saltLength]};
    for (byte[] part : parts) {
      random.nextBytes(part);
    }
    return new SrtpKeys(profile, parts[0], parts[1], parts[2], parts[3]);
  }

  /** The relay link both ways through the lossy sockets, a publishing endpoint at the origin, a receiving one far. */
  private final class Link {
    final SrtpKeys keys = keys();
    final Relay relayAtOrigin = origin.createRelay("relay:far",
        (InetSocketAddress) towardsFar.getLocalSocketAddress(), keys);
    final Relay relayAtFar = far.createRelay("relay:origin",
        (InetSocketAddress) towardsOrigin.getLocalSocketAddress(), keys.reversed());
    final Endpoint pub = origin.createEndpoint("pub", "room", new EndpointListener() {});
    final Endpoint sub = far.createEndpoint("sub", "room", new EndpointListener() {});
  }

  @Test
  void aPacketLostOnTheRelayIsAskedForAgainAndArrivesAsTheOriginal() throws Exception {
    Link link = new Link();
    try (SimulatedPeer publisher = TestPeers.connect(origin, link.pub, false);
         SimulatedPeer receiver = TestPeers.connect(far, link.sub, false)) {
      Publication video = origin.publish(link.pub, 0x99, "video", 96, 90000, -1);
      origin.subscribe(video, link.relayAtOrigin, 96, null, false, 127, 0x5555);
      Publication relayed = far.publish(link.relayAtFar, 0x99, "video", 96, 90000, -1);
      far.expectRtx(link.relayAtFar, relayed, 0x5555);
      far.subscribe(relayed, link.sub, 96, null, false, 97, 0x7777);
      lose.add(1005);
      lose.add(1006);
      for (int i = 0; i < 20; i++) {
        publisher.sendRtp(96, 0x99, 1000 + i, i * 3000L, 500);
      }
      MediaRouterTest.await(() -> receiver.rtpReceived() == 18, "18 of 20 packets (2 lost on the relay)");
      receiver.sendNack(0x99, 1005, 0b1); // 1005 and 1006
      MediaRouterTest.await(() -> receiver.rtpReceived() == 20, () -> "the 2 lost packets, got "
          + (receiver.rtpReceived() - 18) + "; upstream NACKs " + far.counters().nacksSentUpstream()
          + ", retransmissions at the origin " + origin.counters().retransmissions() + ", repaired "
          + far.counters().repairedOverRelays());
      assertEquals(20, receiver.rtpReceivedOn(0x99), "repaired packets arrive as the originals, not as RTX");
      assertEquals(2, far.counters().nacksSentUpstream());
      assertEquals(2, far.counters().repairedOverRelays());
      // Asking again for what is now in the far router's cache is answered there, as RTX, without going upstream.
      receiver.sendNack(0x99, 1005, 0);
      MediaRouterTest.await(() -> receiver.rtpReceivedOn(0x7777) == 1, "one RTX from the far router's cache");
      assertEquals(2, far.counters().nacksSentUpstream());
    }
  }

  @Test
  void heavyLossAtAFarReceiverStepsTheRelayedSimulcastDownAtItsOrigin() throws Exception {
    Link link = new Link();
    try (SimulatedPeer publisher = TestPeers.connect(origin, link.pub, false);
         SimulatedPeer receiver = TestPeers.connect(far, link.sub, false)) {
      SimulcastSource src = origin.publishSimulcast(link.pub, "1", java.util.List.of("q", "h", "f"), 10, 96, 90000);
      // The relay carries one layer of the track under its own SSRC, like the Relays class sets it up.
      Subscription overRelay = origin.subscribe(src, link.relayAtOrigin, 96, null, true, 127, 0x5555);
      Publication relayed = far.publish(link.relayAtFar, src.ssrc(), "video", 96, 90000, -1);
      far.subscribe(relayed, link.sub, 96, null, false, 97, 0x7777);
      SimulcastFeed feed = new SimulcastFeed(publisher);
      feed.until(() -> overRelay.currentLayer() == 2 && receiver.rtpReceived() > 20, 8);
      assertEquals(2, overRelay.currentLayer(), "the high layer crosses while nobody complains");
      // The receiver on the far node loses a quarter: the far router's estimate for its receivers falls each second
      // and goes over the relay as REMB; the origin sends the layer that fits, down to the lowest.
      receiver.sendReceiverReport(src.ssrc(), 64, 0, 0);
      feed.until(() -> overRelay.currentLayer() == 0, 10);
      assertEquals(0, overRelay.currentLayer(), "the origin sends the low layer over the relay");
      assertTrue(origin.counters().rembsReceived() > 0);
      assertEquals(0, origin.counters().lossDowngrades(), "the link itself lost nothing");
    }
  }
}
