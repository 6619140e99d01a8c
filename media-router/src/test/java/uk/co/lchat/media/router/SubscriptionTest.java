package uk.co.lchat.media.router;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import uk.co.lchat.media.rtp.RtpPacket;
import uk.co.lchat.media.rtp.VideoCodec;
import uk.co.lchat.media.srtp.PacketBuffer;

/** The per-receiver half of the packet path: layer gate, rewrite, abs-send-time, and the hand-over to the sink. */
class SubscriptionTest {
  private final StageFixture f = new StageFixture();
  private final Endpoint publisher = f.endpoint("pub");
  private final Endpoint receiver = f.endpoint("sub");
  private final RtpPacket txRtp = new RtpPacket();

  /** A packet of {@code p} through the receive chain as far as the fan-out. */
  private ReceivedPacket received(Publication p, byte[] plain) {
    ReceivedPacket in = f.parsed(p.publisher, plain);
    in.publication = p;
    in.prepareFanOut();
    return in;
  }

  /** A plain-RTP sink, as a recorder would be: it gets the rewritten packet unencrypted. */
  private static final class PlainSink implements PacketSink {
    final List<byte[]> packets = new ArrayList<>();

    @Override
    public boolean ready() {
      return true;
    }

    @Override
    public boolean isClosed() {
      return false;
    }

    @Override
    public boolean sendRtp(PacketBuffer packet) {
      packets.add(Arrays.copyOf(packet.getBuffer(), packet.getLength()));
      return true;
    }
  }

  @Test
  void aPacketIsSentEncryptedForTheReceiverUnderItsPayloadType() {
    Publication audio = new Publication(publisher, 31, "audio", 111, 48000, -1);
    Subscription s = new Subscription(audio, receiver, 109, null, null);
    byte[] plain = StageFixture.rtp(111, 31, 7, 960, new byte[60]);
    assertEquals(Subscription.Forwarding.SENT, s.forward(received(audio, plain), f.tx, txRtp));
    byte[] got = f.decrypt(f.sender.to(receiver).get(0), false);
    assertNotNull(got, "encrypted with the receiver's keys");
    assertEquals(109, got[1] & 0x7F);
    assertEquals(7, StageFixture.u16(got, 2));
    assertArrayEquals(Arrays.copyOfRange(plain, 12, plain.length), Arrays.copyOfRange(got, 12, got.length));
    assertEquals(1, s.packets());
    assertEquals(60, s.octets);
    assertEquals(1, receiver.packetsSent());
  }

  @Test
  void aPlainRtpSinkGetsTheRewrittenPacketUnencrypted() {
    Publication audio = new Publication(publisher, 31, "audio", 111, 48000, -1);
    PlainSink recorder = new PlainSink();
    Subscription s = new Subscription(audio, recorder, 111, new StreamRewriter(0x5151, false, 48000), null);
    assertEquals(Subscription.Forwarding.SENT,
        s.forward(received(audio, StageFixture.rtp(111, 31, 7, 960, new byte[60])), f.tx, txRtp));
    assertEquals(1, recorder.packets.size());
    assertEquals(0x5151, StageFixture.u32(recorder.packets.get(0), 8), "under the rewriter's SSRC, in the clear");
    assertTrue(f.sender.sent.isEmpty(), "nothing went to a socket");
  }

  @Test
  void aReceiverWithoutKeysOrPathOrClosedGetsNothing() {
    Publication audio = new Publication(publisher, 31, "audio", 111, 48000, -1);
    Subscription s = new Subscription(audio, receiver, 111, null, null);
    receiver.closed = true;
    assertEquals(Subscription.Forwarding.NOT_READY,
        s.forward(received(audio, StageFixture.rtp(111, 31, 7, 960, new byte[60])), f.tx, txRtp));
    assertTrue(f.sender.sent.isEmpty());
  }

  @Test
  void ourSendTimeIsStampedUnderTheIdTheReceiverKnows() {
    publisher.absSendTimeIn = 3;
    receiver.absSendTimeOut = 3;
    Endpoint renumbered = f.endpoint("renumbered");
    renumbered.absSendTimeOut = 2;
    Endpoint without = f.endpoint("without");
    Publication audio = new Publication(publisher, 31, "audio", 111, 48000, -1);
    byte[] plain = StageFixture.rtp(111, 31, 7, 960, new byte[60], new int[] {3}, new byte[][] {{0, 0, 1}});
    ReceivedPacket in = received(audio, plain);
    for (Endpoint to : List.of(receiver, renumbered, without)) {
      Subscription s = new Subscription(audio, to, 111, null, null);
      assertEquals(Subscription.Forwarding.SENT, s.forward(in, f.tx, txRtp));
    }
    RtpPacket view = new RtpPacket();
    byte[] same = f.decrypt(f.sender.to(receiver).get(0), false);
    view.wrap(same, 0, same.length);
    int at = view.findExtension(3);
    int stamped = ((same[at] & 0xFF) << 16) | ((same[at + 1] & 0xFF) << 8) | (same[at + 2] & 0xFF);
    assertEquals(in.absSendTime, stamped, "our send time, not the publisher's 1");
    byte[] other = f.decrypt(f.sender.to(renumbered).get(0), false);
    view.wrap(other, 0, other.length);
    assertTrue(view.findExtension(2) > 0, "renumbered to the receiver's id");
    byte[] untouched = f.decrypt(f.sender.to(without).get(0), false);
    view.wrap(untouched, 0, untouched.length);
    assertEquals(1, untouched[view.findExtension(3) + 2], "left as it came for a receiver that did not accept it");
  }

  /** One VP8 packet of a simulcast layer (layer i has SSRC 0x100 * (i + 1)) through {@code s}. */
  private Subscription.Forwarding layerPacket(Subscription s, Publication layer, int seq, boolean keyframe) {
    byte[] plain = StageFixture.rtp(96, layer.ssrc(), seq, seq * 3000L, StageFixture.vp8(keyframe, 100));
    return s.forward(received(layer, plain), f.tx, txRtp);
  }

  @Test
  void aSimulcastReceiverGetsOneLayerAndSwitchesAtTheTargetLayersKeyframe() {
    SimulcastSource src = twoLayers();
    Publication[] layers = src.layers;
    Subscription s = new Subscription(src, receiver, 96, new StreamRewriter(src.ssrc(), true, 90000), VideoCodec.VP8);
    src.add(s);
    assertEquals(Subscription.Forwarding.SENT, layerPacket(s, layers[0], 1, true));
    assertEquals(Subscription.Forwarding.OTHER_LAYER, layerPacket(s, layers[1], 1, true),
        "the high layer's keyframe switches nothing unasked");
    s.chooseLayer(f.keyframeRequests); // nothing ranked yet: stays
    src.ranked = new int[] {0, 1};
    src.bitrates[0] = 150_000;
    src.bitrates[1] = 500_000;
    s.chooseLayer(f.keyframeRequests);
    assertEquals(1, f.counters.keyframeRequestsSent(), "the high layer's keyframe is asked for");
    assertEquals(Subscription.Forwarding.SENT, layerPacket(s, layers[0], 2, false), "the low layer until then");
    assertEquals(Subscription.Forwarding.SENT, layerPacket(s, layers[1], 2, true));
    assertEquals(1, s.currentLayer());
    List<StageFixture.Sent> sent = f.sender.to(receiver);
    byte[] first = f.decrypt(sent.get(0), false);
    byte[] last = f.decrypt(sent.get(sent.size() - 1), false);
    assertEquals(src.ssrc(), StageFixture.u32(last, 8), "one SSRC whatever the layer");
    assertEquals(2, StageFixture.u16(last, 2) - StageFixture.u16(first, 2),
        "sequence numbers run on across the switch");
  }

  @Test
  void aSimulcastReceiverWhoseKeyframeRequestWentUnansweredAsksAgainUntilTheKeyframeComes() {
    SimulcastSource src = twoLayers();
    Publication[] layers = src.layers;
    src.ranked = new int[] {0, 1};
    Subscription s = new Subscription(src, receiver, 96, new StreamRewriter(src.ssrc(), true, 90000), VideoCodec.VP8);
    src.add(s);
    // No interval between requests, so that every packet that passes the waiting receiver by shows whether it asks.
    KeyframeRequests requests = new KeyframeRequests(java.time.Duration.ZERO, f.tx, f.counters);
    s.chooseLayer(requests);
    assertEquals(1, f.counters.keyframeRequestsSent(), "the high layer's keyframe is asked for once chosen");
    fanOut(layers[1], 1, false);
    fanOut(layers[0], 1, false);
    assertEquals(3, f.counters.keyframeRequestsSent(), "each packet that finds it still waiting asks again");
    assertEquals(0, f.sender.to(receiver).size(), "and nothing is forwarded before a keyframe");
    fanOut(layers[1], 2, true);
    fanOut(layers[1], 3, false);
    fanOut(layers[0], 2, false);
    assertEquals(3, f.counters.keyframeRequestsSent(), "once the keyframe came nobody asks");
    assertEquals(2, f.sender.to(receiver).size());
  }

  @Test
  void aSimulcastReceiverHeldOnTheSmallLayerByItsEstimateGetsRtxCopiesOfWhatItIsSent() {
    SimulcastSource src = twoLayers();
    Publication[] layers = src.layers;
    src.ranked = new int[] {0, 1};
    src.bitrates[0] = 150_000;
    src.bitrates[1] = 300_000;
    Subscription s = new Subscription(src, receiver, 96, new StreamRewriter(src.ssrc(), true, 90000), VideoCodec.VP8);
    s.rtxPayloadType = 97;
    s.rtxSsrc = 0x7777;
    src.add(s);
    KeyframeRequests requests = new KeyframeRequests(java.time.Duration.ZERO, f.tx, f.counters);
    s.layers.maxBitrate(235_000); // 1.5 times the small layer's rate and 10 kbit/s: all its estimator allows
    fanOut(layers[0], 1, true);
    s.chooseLayer(requests);
    assertEquals(0, s.currentLayer(), "the estimate keeps it on q");
    for (int seq = 2; seq <= 11; seq++) {
      fanOut(layers[0], seq, false);
    }
    List<StageFixture.Sent> sent = f.sender.to(receiver);
    // 300 kbit/s and 20% over the 150 sent: 1.4 copies a packet, 14 for the 10 packets after the probe started
    // (13 when the sum of fractions rounds below).
    long copies = f.counters.probePackets();
    assertTrue(copies == 13 || copies == 14, copies + " copies");
    assertEquals(11 + copies, sent.size(), "the packets and the probe's copies");
    int forwardedSeq = -1;
    for (StageFixture.Sent p : sent) {
      byte[] plain = f.decrypt(p, false);
      RtpPacket rtp = new RtpPacket();
      assertTrue(rtp.wrap(plain, 0, plain.length));
      if ((plain[1] & 0x7F) == 96) {
        forwardedSeq = rtp.sequenceNumber();
      } else {
        assertEquals(97, plain[1] & 0x7F, "a copy is RTX");
        assertEquals(0x7777, StageFixture.u32(plain, 8));
        assertEquals(forwardedSeq, StageFixture.u16(plain, rtp.headerLength()),
            "of the packet just sent, by the sequence number the receiver knows it by");
      }
    }
    assertEquals(0, f.counters.retransmissions(), "copies are not answers to NACKs");

    s.layers.maxBitrate(400_000); // the estimate grew: h fits
    s.chooseLayer(requests);
    int before = f.sender.to(receiver).size();
    fanOut(layers[0], 12, false);
    assertEquals(before + 1, f.sender.to(receiver).size(), "nothing holds it back any more: no copies");
  }

  /** A VP8 simulcast track of {@link #publisher} with layers q and h, both bound, neither ranked yet. */
  private SimulcastSource twoLayers() {
    SimulcastSource src = new SimulcastSource(publisher, "1", new String[] {"q", "h"}, 10, 96, 90000,
        VideoCodec.VP8, 0xABCDL);
    for (int i = 0; i < 2; i++) {
      byte[] first = StageFixture.rtp(96, 0x100 * (i + 1), 0, 0, StageFixture.vp8(false, 10), new int[] {10},
          new byte[][] {src.rids[i].getBytes(StandardCharsets.US_ASCII)});
      src.bind(f.parsed(publisher, first).rtp);
    }
    return src;
  }

  private void fanOut(Publication layer, int seq, boolean keyframe) {
    byte[] plain = StageFixture.rtp(96, layer.ssrc(), seq, seq * 3000L, StageFixture.vp8(keyframe, 100));
    ReceivedPacket in = f.parsed(layer.publisher, plain);
    in.publication = layer;
    layer.remember(in.rtp, plain, plain.length);
    MediaRouter.fanOut(in, f.tx, txRtp,
        new KeyframeRequests(java.time.Duration.ZERO, f.tx, f.counters), new Retransmission(f.tx, f.counters));
  }

  @Test
  void aSwitchOfSourceWaitsForTheNewSourcesKeyframe() {
    Publication video = new Publication(publisher, 0x42, "video", 96, 90000, -1);
    Subscription s = new Subscription(video, receiver, 96, new StreamRewriter(0x5151, true, 90000), VideoCodec.VP8);
    assertEquals(Subscription.Forwarding.AWAITING_KEYFRAME, layerPacket(s, video, 1, false));
    assertEquals(Subscription.Forwarding.SENT, layerPacket(s, video, 2, true));
  }
}
