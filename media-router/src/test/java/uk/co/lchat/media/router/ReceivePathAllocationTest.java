package uk.co.lchat.media.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.sun.management.ThreadMXBean;

import uk.co.lchat.media.rtp.RtpPacket;
import uk.co.lchat.media.srtp.PacketBuffer;
import uk.co.lchat.media.srtp.SrtpSession;

/**
 * The receive chain and the fan-out allocate nothing per packet, as the forwarding path always has (0 B/op): a
 * count of the bytes this thread allocates, not a timing. Holds where jitsi-srtp's OpenSSL library loads (the JDK's
 * own AES-GCM allocates per packet; SrtpAllocationTest says the same of SRTP alone).
 */
class ReceivePathAllocationTest {
  private static final int WARM_UP = 2_000;
  private static final int PACKETS = 10_000;
  private static final int TRANSPORT_CC = 5;
  private static final int ABS_SEND_TIME = 3;

  @Test
  void aVideoPacketThroughTheWholeChainAndOutToThreeReceiversAllocatesNothing() {
    assumeTrue(SrtpSession.aesImplementation().startsWith("OpenSSL"), "jitsi-srtp's OpenSSL library did not load");
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
    RouterCounters counters = new RouterCounters();
    PacketBuffer tx = new PacketBuffer();
    KeyframeRequests keyframeRequests = new KeyframeRequests(Duration.ofMillis(300), tx, counters);
    Retransmission retransmission = new Retransmission(tx, counters);
    ReceivePipeline pipeline = new ReceivePipeline(counters, (e, from, via) -> { }, keyframeRequests,
        new RtcpTermination(retransmission, keyframeRequests, tx, counters));
    StageFixture f = new StageFixture();
    Endpoint publisher = f.endpoint("pub");
    publisher.transportCc = new TransportCcRecorder(TRANSPORT_CC);
    publisher.absSendTimeIn = ABS_SEND_TIME;
    Publication video = new Publication(publisher, 0x99, "video", 96, 90000, -1);
    publisher.incoming.put(video.ssrc, video);
    List<Endpoint> receivers = List.of(f.endpoint("b"), f.endpoint("c"), f.endpoint("d"));
    receivers.get(0).absSendTimeOut = ABS_SEND_TIME;
    receivers.get(1).absSendTimeOut = 2;
    video.add(new Subscription(video, receivers.get(0), 96, null, null));
    video.add(new Subscription(video, receivers.get(1), 100, null, null));
    video.add(new Subscription(video, receivers.get(2), 96, new StreamRewriter(0x5151, true, 90000), null));
    byte[][] wire = new byte[WARM_UP + PACKETS][];
    for (int i = 0; i < wire.length; i++) {
      byte[] plain = StageFixture.rtp(96, 0x99, i & 0xFFFF, i * 3000L, StageFixture.vp8(i % 100 == 0, 1000),
          new int[] {TRANSPORT_CC, ABS_SEND_TIME}, new byte[][] {{(byte) (i >>> 8), (byte) i}, {0, 0, 1}});
      wire[i] = StageFixture.encrypt(f.peer(publisher), plain, false);
    }
    f.sender.keep = false; // sends go nowhere, and allocate nothing doing it
    ReceivedPacket in = new ReceivedPacket(new PacketBuffer());
    RtpPacket txRtp = new RtpPacket();
    InetSocketAddress from = publisher.remote;
    receive(pipeline, in, wire, 0, WARM_UP, publisher, from, tx, txRtp, keyframeRequests, retransmission);
    long before = threads.getCurrentThreadAllocatedBytes();
    receive(pipeline, in, wire, WARM_UP, PACKETS, publisher, from, tx, txRtp, keyframeRequests, retransmission);
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertEquals(WARM_UP + PACKETS, video.packets(), "every packet went through the chain");
    assertEquals(3L * (WARM_UP + PACKETS), f.sender.count, "and out to each receiver");
    assertTrue(allocated < PACKETS, allocated + " bytes allocated for " + PACKETS + " packets to 3 receivers each");
  }

  private static void receive(ReceivePipeline pipeline, ReceivedPacket in, byte[][] wire, int from, int count,
      Endpoint publisher, InetSocketAddress address, PacketBuffer tx, RtpPacket txRtp,
      KeyframeRequests keyframeRequests, Retransmission retransmission) {
    for (int i = from; i < from + count; i++) {
      System.arraycopy(wire[i], 0, in.buffer(), 0, wire[i].length);
      in.reset(address, null, wire[i].length, publisher, null, System.nanoTime());
      if (pipeline.rtp(in)) {
        MediaRouter.fanOut(in, tx, txRtp, keyframeRequests, retransmission);
      }
    }
  }
}
