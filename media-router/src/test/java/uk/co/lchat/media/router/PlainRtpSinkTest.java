package uk.co.lchat.media.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static uk.co.lchat.media.router.MediaRouterTest.await;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import uk.co.lchat.testpeer.SimulatedPeer;

/** A recorder's sink on a real router: the publisher's packets leave as plain RTP to a loopback port, and stop. */
class PlainRtpSinkTest {
  private MediaRouter router;

  @BeforeEach
  void start() throws Exception {
    router = MediaRouter.start(RouterSettings.loopback(0), (group, e) -> {});
  }

  @AfterEach
  void stop() {
    router.close();
  }

  private static long ssrcOf(byte[] b) {
    return ((long) (b[8] & 0xFF) << 24) | ((b[9] & 0xFF) << 16) | ((b[10] & 0xFF) << 8) | (b[11] & 0xFF);
  }

  @Test
  void aRecorderGetsThePublishersPacketsInTheClearUnderItsPayloadTypeUntilItsSinkCloses() throws Exception {
    Endpoint a = router.createEndpoint("a", "room", new EndpointListener() {});
    try (SimulatedPeer pa = TestPeers.connect(router, a, false);
         DatagramSocket recorder = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      recorder.setSoTimeout(10_000);
      PlainRtpSink sink = new PlainRtpSink(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), recorder.getLocalPort()));
      Publication audio = router.publish(a, 77, "audio", 111, 48000, -1);
      Subscription s = router.subscribe(audio, sink, 109);
      await(() -> {
        try {
          pa.sendRtp(111, 77, (int) sink.packetsSent(), 960L * sink.packetsSent(), 60);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        return sink.packetsSent() > 0;
      }, "the sink sends what the publisher sends");
      byte[] b = new byte[1500];
      DatagramPacket got = new DatagramPacket(b, b.length);
      recorder.receive(got);
      assertEquals(2, (b[0] & 0xFF) >> 6, "an RTP version 2 header");
      assertEquals(109, b[1] & 0x7F, "under the sink's payload type");
      assertEquals(77, ssrcOf(b));
      assertEquals(12 + 60, got.getLength(), "the plain packet: header and payload, no SRTP tag");
      for (int i = 2; i < 40; i++) {
        assertEquals((byte) i, b[12 + i], "the payload in the clear at byte " + i);
      }

      router.unsubscribe(s);
      sink.close();
      assertTrue(sink.isClosed());
      long sent = sink.packetsSent();
      long before = audio.packets();
      for (int i = 0; i < 10; i++) {
        pa.sendRtp(111, 77, 1000 + i, 960L * (1000 + i), 60);
      }
      await(() -> audio.packets() >= before + 10, "the publisher still sends");
      assertEquals(sent, sink.packetsSent(), "nothing more goes to a closed sink");
      recorder.setSoTimeout(300);
      int drained = 0;
      try {
        while (drained < 10_000) {
          recorder.receive(got);
          assertTrue(((got.getData()[2] & 0xFF) << 8 | (got.getData()[3] & 0xFF)) < 1000,
              "a packet sent after the sink closed reached the recorder");
          drained++;
        }
      } catch (SocketTimeoutException quiet) {
        // every packet from before the close has been read
      }
    }
  }

  @Test
  void plainRtpNeverLeavesTheMachine() {
    assertThrows(IllegalArgumentException.class, () -> new PlainRtpSink(new InetSocketAddress("192.0.2.1", 5000)));
    assertThrows(IllegalArgumentException.class,
        () -> new PlainRtpSink(InetSocketAddress.createUnresolved("recorder.example", 5000)));
  }
}
