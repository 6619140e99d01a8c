package uk.co.lchat.media.router;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import uk.co.lchat.media.rtp.RtcpFeedback;
import uk.co.lchat.media.rtp.RtcpReports;
import uk.co.lchat.media.rtp.VideoCodec;

/**
 * RTCP from a receiver ends here: NACKs are answered from the cache as RTX or asked for upstream over a relay,
 * keyframe requests become our own PLI to the publisher, loss reports move simulcast receivers down.
 */
class RtcpTerminationTest {
  private final StageFixture f = new StageFixture();
  private final RtcpTermination stage = new RtcpTermination(new Retransmission(f.tx, f.counters),
      f.keyframeRequests, f.tx, f.counters);
  private final Endpoint publisher = f.endpoint("pub");
  private final Endpoint receiver = f.endpoint("sub");
  private final byte[] payload = StageFixture.vp8(false, 400);

  /** A video stream of {@code from} that {@link #receiver} gets with RTX (payload type 97 on SSRC 0x7777). */
  private Subscription videoTo(Transport from) {
    Publication video = new Publication(from, 0x99, "video", 96, 90000, -1);
    from.incoming.put(video.ssrc, video);
    Subscription s = new Subscription(video, receiver, 96, null, null);
    s.rtxPayloadType = 97;
    s.rtxSsrc = 0x7777;
    video.add(s);
    receiver.added(s);
    return s;
  }

  private void fromReceiver(byte[] rtcp, int length) {
    assertTrue(stage.run(f.arrived(receiver, Arrays.copyOf(rtcp, length))));
  }

  private void nack(int seq) {
    byte[] b = new byte[64];
    fromReceiver(b, RtcpReports.writeNack(b, 0, 0xCAFE, 0x99, seq, 0));
  }

  @Test
  void aNackedPacketInTheCacheIsResentAsRtx() {
    Subscription s = videoTo(publisher);
    byte[] original = StageFixture.rtp(96, 0x99, 1005, 90_000, payload);
    s.publication.cache.put(1005, original, original.length);
    nack(1005);
    assertEquals(1, s.retransmitted());
    assertEquals(1, f.counters.retransmissions());
    byte[] rtx = f.decrypt(f.sender.to(receiver).get(0), false);
    assertNotNull(rtx, "encrypted for the receiver");
    assertEquals(97, rtx[1] & 0x7F, "RTX payload type");
    assertEquals(0x7777, StageFixture.u32(rtx, 8), "RTX SSRC");
    assertEquals(1005, StageFixture.u16(rtx, 12), "RFC 4588 §4: the original sequence number first");
    assertArrayEquals(payload, Arrays.copyOfRange(rtx, 14, rtx.length));
    assertTrue(f.sender.to(publisher).isEmpty(), "the publisher is never asked: NACKs terminate here");
  }

  @Test
  void aNackForAPacketNoLongerCachedIsUnansweredWhenTheStreamComesFromAClient() {
    videoTo(publisher);
    nack(1005);
    assertEquals(1, f.counters.nacksUnanswered());
    assertEquals(0, f.counters.nacksSentUpstream());
    assertTrue(f.sender.sent.isEmpty());
  }

  @Test
  void aPacketLostOnARelayIsAskedForUpstreamOnceHoweverManyReceiversMissIt() {
    Relay relay = f.relay("r");
    videoTo(relay);
    nack(1005);
    nack(1005); // a second receiver, or the same one again, within the hold
    assertEquals(1, f.counters.nacksSentUpstream());
    byte[] upstream = f.decrypt(f.sender.to(relay).get(0), true);
    assertNotNull(upstream);
    assertEquals(RtcpFeedback.PT_RTPFB, upstream[1] & 0xFF, "a generic NACK (RFC 4585 §6.2.1)");
    assertEquals(0x99, StageFixture.u32(upstream, 8));
    assertEquals(1005, StageFixture.u16(upstream, 12));
  }

  @Test
  void aReceiversKeyframeRequestBecomesOurPliToThePublisher() {
    videoTo(publisher);
    byte[] b = new byte[64];
    fromReceiver(b, RtcpFeedback.writePli(b, 0, 0xCAFE, 0x99));
    assertEquals(1, f.counters.keyframeRequestsRelayed());
    assertEquals(1, f.counters.keyframeRequestsSent());
    byte[] pli = f.decrypt(f.sender.to(publisher).get(0), true);
    assertEquals(RtcpFeedback.PT_PSFB, pli[1] & 0xFF);
    assertEquals(MediaRouter.ROUTER_SSRC, StageFixture.u32(pli, 4), "from the router, not the receiver");
  }

  @Test
  void heavyReportedLossMovesASimulcastReceiverToTheLowestLayer() {
    SimulcastSource src = new SimulcastSource(publisher, "1", new String[] {"q", "h", "f"}, 10, 96, 90000,
        VideoCodec.VP8, 0xABCDL);
    Subscription s = new Subscription(src, receiver, 96, new StreamRewriter(src.ssrc(), true, 90000), null);
    src.add(s);
    receiver.added(s);
    byte[] b = new byte[64];
    fromReceiver(b, RtcpReports.writeReceiverReport(b, 0, 0xCAFE,
        new RtcpReports.Block(src.ssrc(), 64, 10, 1000, 0, 0, 0)));
    assertEquals(0.25, s.reportedLoss());
    assertTrue(s.layers.lossLimited());
    assertEquals(1, f.counters.lossDowngrades());
  }

  @Test
  void aRembCapsASimulcastReceiver() {
    SimulcastSource src = new SimulcastSource(publisher, "1", new String[] {"q", "h", "f"}, 10, 96, 90000,
        VideoCodec.VP8, 0xABCDL);
    Subscription s = new Subscription(src, receiver, 96, new StreamRewriter(src.ssrc(), true, 90000), null);
    src.add(s);
    receiver.added(s);
    byte[] b = new byte[64];
    fromReceiver(b, RtcpReports.writeRemb(b, 0, 0xCAFE, 600_000, src.ssrc()));
    assertEquals(1, f.counters.rembsReceived());
    assertEquals(1, s.layers.target(new int[] {0, 1, 2}, new long[] {150_000, 500_000, 2_500_000}, new int[3], 0));
  }

  @Test
  void itCountsTheCompoundPacketForItsTransportAndDropsNothing() {
    videoTo(publisher);
    nack(1);
    assertEquals(1, receiver.packetsReceived());
    assertEquals(1, stage.packets());
    assertEquals(0, stage.dropped());
  }
}
