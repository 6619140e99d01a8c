package uk.co.lchat.media.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static uk.co.lchat.media.router.MediaRouterTest.await;

import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import uk.co.lchat.media.srtp.PacketBuffer;
import uk.co.lchat.media.srtp.SrtpSession;
import uk.co.lchat.testpeer.SimulatedPeer;

/** Batched sends on a real loop: what they deliver, in what order, what the bound drops, and what is counted. */
class SocketSenderTest {
  private final RouterCounters counters = new RouterCounters();
  private DatagramChannel peer;
  private ReceiveLoop loop;

  @BeforeEach
  void openPeer() throws Exception {
    peer = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
    peer.setOption(StandardSocketOptions.SO_RCVBUF, 4 * 1024 * 1024);
    peer.configureBlocking(false);
  }

  @AfterEach
  void close() throws Exception {
    if (loop != null) {
      loop.close();
    }
    peer.close();
  }

  private ReceiveLoop loop(boolean batchSends, int udpPendingLimit) throws Exception {
    loop = new ReceiveLoop("127.0.0.1", 0, false, batchSends, udpPendingLimit, counters, new ReceiveLoop.Handler() {
      @Override
      public void packet(InetSocketAddress from, int length, IceTcpConnection via) {}

      @Override
      public void tick(long nowNanos) {}

      @Override
      public boolean idle() {
        return true;
      }

      @Override
      public void connectionClosed(IceTcpConnection c) {}
    });
    loop.start();
    return loop;
  }

  private Relay relayTo(InetSocketAddress remote) {
    return new Relay("r" + remote.getPort(), remote, new SrtpSession(StageFixture.keys()), loop.sender(), counters);
  }

  /** Runs {@code sends} on the loop thread, as one task (so no flush comes between its sends but its own). */
  private int onLoop(IntSupplier sends) throws Exception {
    CompletableFuture<Integer> done = new CompletableFuture<>();
    loop.enqueue(() -> done.complete(sends.getAsInt()));
    return done.get(5, TimeUnit.SECONDS);
  }

  /** Sends {@code count} packets of {@code length} bytes numbered from 0 to {@code to}; returns how many were taken. */
  private int send(Transport to, int count, int length) {
    PacketBuffer packet = new PacketBuffer();
    int taken = 0;
    for (int i = 0; i < count; i++) {
      byte[] b = packet.getBuffer();
      b[0] = (byte) (i >>> 8);
      b[1] = (byte) i;
      packet.setLength(length);
      if (loop.sender().send(packet, to)) {
        taken++;
      }
    }
    return taken;
  }

  /** Receives {@code count} datagrams and checks each is the next one in order. */
  private void receiveInOrder(int count, int length) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(2048);
    for (int i = 0; i < count; i++) {
      b.clear();
      assertTrue(receive(b), "datagram " + i + " of " + count + " arrived");
      assertEquals(length, b.position(), "datagram " + i + " keeps its length");
      assertEquals(i, ((b.get(0) & 0xFF) << 8) | (b.get(1) & 0xFF), "and its place in the order");
    }
  }

  private boolean receive(ByteBuffer b) throws Exception {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (peer.receive(b) != null) {
        return true;
      }
      Thread.sleep(1);
    }
    return false;
  }

  private InetSocketAddress peerAddress() throws Exception {
    return (InetSocketAddress) peer.getLocalAddress();
  }

  @Test
  void batchedSendsReachThePeerInOrderAndAreAllCounted() throws Exception {
    loop(true, SocketSender.UDP_PENDING_LIMIT);
    Relay r = relayTo(peerAddress());
    // More than one flush's worth in one task: flushed every 256 writes and when the task ends.
    assertEquals(600, onLoop(() -> send(r, 600, 200)));
    receiveInOrder(600, 200);
    await(() -> counters.packetsSent() == 600, () -> counters.packetsSent() + " of 600 counted as sent");
    assertEquals(600L * 200, counters.bytesSent());
    assertEquals(0, counters.sendDropped());
  }

  @Test
  void withBatchSendsOffEveryPacketStillArrivesInOrderAndIsCounted() throws Exception {
    loop(false, SocketSender.UDP_PENDING_LIMIT);
    Relay r = relayTo(peerAddress());
    assertEquals(300, onLoop(() -> send(r, 300, 200)));
    receiveInOrder(300, 200);
    await(() -> counters.packetsSent() == 300, () -> counters.packetsSent() + " of 300 counted as sent");
    assertEquals(0, counters.sendDropped());
  }

  @Test
  void packetsOverTheBoundOfUnsentBytesAreDroppedAndCountedAndTheRestArrive() throws Exception {
    loop(true, 16 * 1024);
    Relay r = relayTo(peerAddress());
    // 100 packets of 1000 bytes in one task, fewer than a flush's worth: nothing leaves until the task ends, so the
    // 16 KiB bound is reached after a dozen or so.
    int taken = onLoop(() -> send(r, 100, 1000));
    assertTrue(taken > 0 && taken < 20, taken + " taken under a 16 KiB bound");
    assertEquals(100 - taken, counters.sendDropped(), "every packet over the bound is counted as dropped");
    receiveInOrder(taken, 1000);
    await(() -> counters.packetsSent() == taken, () -> counters.packetsSent() + " of " + taken + " counted sent");
    assertEquals(100, counters.packetsSent() + counters.sendDropped(), "no packet is lost uncounted");
  }

  @Test
  void aPacketTheKernelRefusesCountsAsDroppedAndNotAsSent() throws Exception {
    loop(true, SocketSender.UDP_PENDING_LIMIT);
    Relay good = relayTo(peerAddress());
    Relay refused = relayTo(new InetSocketAddress("127.0.0.1", 0)); // Linux refuses UDP to port 0 (EINVAL)
    assertEquals(3, onLoop(() -> send(good, 1, 100) + send(refused, 1, 100) + send(good, 1, 100)));
    receiveInOrder(1, 100);
    await(() -> counters.packetsSent() + counters.sendDropped() == 3,
        () -> counters.packetsSent() + " sent and " + counters.sendDropped() + " dropped of 3");
    assertEquals(2, counters.packetsSent());
    assertEquals(1, counters.sendDropped());
  }

  @Test
  void theLoopThreadIsNamedAfterTheMediaPort() throws Exception {
    loop(true, SocketSender.UDP_PENDING_LIMIT);
    String name = "media-router-" + loop.port();
    await(() -> Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name)),
        "a thread named " + name);
  }

  @Test
  void aRouterWithBatchSendsOffStillForwardsMediaBetweenPeers() throws Exception {
    RouterSettings s = RouterSettings.loopback(0);
    RouterSettings unbatched = new RouterSettings(s.bindHost(), 0, s.advertisedAddresses(), s.consentTimeout(),
        s.keyframeInterval(), true, s.audioSlots(), false);
    try (MediaRouter router = MediaRouter.start(unbatched, null)) {
      Endpoint a = router.createEndpoint("a", "room", new EndpointListener() {});
      Endpoint b = router.createEndpoint("b", "room", new EndpointListener() {});
      try (SimulatedPeer pa = TestPeers.connect(router, a, false);
           SimulatedPeer pb = TestPeers.connect(router, b, true)) {
        Publication p = router.publish(a, 7, "audio", 111, 48000, -1);
        router.subscribe(p, b, 111);
        for (int i = 0; i < 50; i++) {
          pa.sendRtp(111, 7, i, i * 960L, 80);
        }
        await(() -> pb.rtpReceived() == 50, () -> pb.rtpReceived() + " of 50 packets over ICE-TCP");
      }
    }
  }
}
