package uk.co.lchat.media.router;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import uk.co.lchat.media.rtp.VideoCodec;

/** RFC 8852: the first packet of an unknown SSRC names its simulcast layer by rid, and binds it. */
class SimulcastBindTest {
  private static final int RID = 10;
  private final StageFixture f = new StageFixture();
  private final Endpoint publisher = f.endpoint("pub");
  private final SimulcastSource src = new SimulcastSource(publisher, "1", new String[] {"q", "h", "f"}, RID, 96,
      90000, VideoCodec.VP8, 0xABCDL);
  private final Subscription receiver = new Subscription(src, f.endpoint("sub"), 96,
      new StreamRewriter(src.ssrc(), true, 90000), VideoCodec.VP8);
  private final SimulcastBind stage = new SimulcastBind(f.keyframeRequests);

  SimulcastBindTest() {
    publisher.simulcast = new SimulcastSource[] {src};
    src.add(receiver);
  }

  private ReceivedPacket layerPacket(long ssrc, String rid) {
    byte[] plain = StageFixture.rtp(96, ssrc, 1, 3000, StageFixture.vp8(false, 200), new int[] {RID},
        new byte[][] {rid.getBytes(StandardCharsets.US_ASCII)});
    return f.parsed(publisher, plain);
  }

  @Test
  void aNewSsrcNamingALayerBindsItAndItsReceiversAskForItsKeyframe() {
    ReceivedPacket in = layerPacket(0x200, "h");
    assertTrue(stage.run(in));
    Publication layer = in.publication;
    assertNotNull(layer);
    assertSame(layer, src.layers[1]);
    assertSame(layer, publisher.incoming.get(0x200), "later packets are found by SSRC");
    assertEquals(1, layer.layerIndex);
    assertArrayEquals(new Subscription[] {receiver}, layer.subscriptions, "the track's receivers get the layer");
    assertEquals(1, receiver.layers.pending(), "the only layer known: the receiver waits for its keyframe");
    assertEquals(1, f.counters.keyframeRequestsSent(), "a PLI to the publisher for it");
    assertEquals(1, f.sender.to(publisher).size());
  }

  @Test
  void aPacketOfAKnownStreamOrNamingNoLayerOfTheTrackBindsNothing() {
    ReceivedPacket unknownRid = layerPacket(0x300, "x");
    assertTrue(stage.run(unknownRid));
    assertNull(unknownRid.publication);
    ReceivedPacket bound = layerPacket(0x200, "h");
    stage.run(bound);
    ReceivedPacket again = layerPacket(0x201, "h");
    assertTrue(stage.run(again));
    assertNull(again.publication, "layer h is bound already, to another SSRC");
    assertEquals(1, src.knownLayers());
    assertEquals(0, stage.dropped());
  }
}
