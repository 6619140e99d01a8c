package uk.co.lchat.media.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import uk.co.lchat.media.rtp.RtcpReports;

/** The two chains as assembled: order, counting, and a drop ending the chain. */
class ReceivePipelineTest {
  private final StageFixture f = new StageFixture();
  private final ReceivePipeline pipeline = new ReceivePipeline(f.counters, (e, from, via) -> { },
      f.keyframeRequests, new RtcpTermination(new Retransmission(f.tx, f.counters), f.keyframeRequests, f.tx,
      f.counters));
  private final Endpoint e = f.endpoint("a");

  private StageCount count(String chain, String stage) {
    return pipeline.counts().stream().filter(c -> c.chain().equals(chain) && c.stage().equals(stage)).findFirst()
        .orElseThrow();
  }

  @Test
  void theChainsListTheirStagesInOrder() {
    List<String> rtp = pipeline.counts().stream().filter(c -> c.chain().equals("rtp")).map(StageCount::stage)
        .toList();
    assertEquals(List.of("srtp_decrypt", "path_follow", "rtp_parse", "transport_cc_record", "stream_lookup",
        "simulcast_bind", "rtx_unwrap", "receive_statistics", "cache_write", "audio_level_read"), rtp);
    List<String> rtcp = pipeline.counts().stream().filter(c -> c.chain().equals("rtcp")).map(StageCount::stage)
        .toList();
    assertEquals(List.of("srtcp_decrypt", "path_follow", "rtcp_termination"), rtcp);
  }

  @Test
  void aPacketOfAKnownStreamPassesEveryStageAndIsReadyToFanOut() {
    Publication audio = new Publication(e, 5, "audio", 111, 48000, 1);
    e.incoming.put(audio.ssrc, audio);
    ReceivedPacket in = f.arrivedEncrypted(e, StageFixture.rtp(111, 5, 1, 960, new byte[60]), false);
    assertTrue(pipeline.rtp(in));
    assertSame(audio, in.publication);
    for (StageCount c : pipeline.counts()) {
      assertEquals(c.chain().equals("rtp") ? 1 : 0, c.packets(), c.toString());
      assertEquals(0, c.dropped(), c.toString());
    }
    assertEquals(1, audio.packets());
  }

  @Test
  void aStageThatDropsEndsTheChainAndOnlyItCountsTheDrop() {
    ReceivedPacket forged = f.arrivedEncrypted(e, StageFixture.rtp(111, 5, 1, 960, new byte[60]), false);
    forged.buffer()[30] ^= 1;
    assertFalse(pipeline.rtp(forged));
    assertEquals(1, count("rtp", "srtp_decrypt").dropped());
    assertEquals(0, count("rtp", "rtp_parse").packets(), "no later stage saw it");
    ReceivedPacket stranger = f.arrivedEncrypted(e, StageFixture.rtp(111, 0x7777, 1, 960, new byte[60]), false);
    assertFalse(pipeline.rtp(stranger));
    assertEquals(1, count("rtp", "rtx_unwrap").dropped(), "an SSRC nobody publishes");
    assertEquals(0, count("rtp", "receive_statistics").packets());
  }

  @Test
  void rtcpIsDecryptedAndTerminated() {
    Publication video = new Publication(f.endpoint("pub"), 0x99, "video", 96, 90000, -1);
    Subscription s = new Subscription(video, e, 96, null, null);
    s.rtxPayloadType = 97;
    e.added(s);
    byte[] b = new byte[64];
    int n = RtcpReports.writeNack(b, 0, 0xCAFE, 0x99, 1, 0);
    pipeline.rtcp(f.arrivedEncrypted(e, Arrays.copyOf(b, n), true));
    assertEquals(1, count("rtcp", "rtcp_termination").packets());
    assertEquals(1, f.counters.nacksUnanswered(), "a NACK for a packet that is not in the cache");
  }
}
