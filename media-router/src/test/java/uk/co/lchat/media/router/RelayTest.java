package uk.co.lchat.media.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import uk.co.lchat.media.rtp.RtcpFeedback;
import uk.co.lchat.media.rtp.RtcpReports;

/** What a relay to another node's router does that a client's endpoint does not. */
class RelayTest {
  private static final long MS = 1_000_000L;
  private final StageFixture f = new StageFixture();
  private final Relay relay = f.relay("r");
  private final Publication video = new Publication(relay, 0x99, "video", 96, 90000, -1);

  @Test
  void aRelayIsReadyAtOnceAndTakesAbsSendTimeUnderTheRelayId() {
    assertTrue(relay.ready(), "keys and address come with it: no ICE, no DTLS");
    assertEquals(MediaRouter.RELAY_ABS_SEND_TIME_ID, relay.absSendTimeId());
    assertEquals(MediaRouter.RELAY_ABS_SEND_TIME_ID, relay.absSendTimeIn);
  }

  @Test
  void aLostPacketIsAskedForUpstreamOncePerHoldAndAgainAfterIt() {
    long t = 1_000 * MS;
    relay.repairUpstream(video, 1005, t, f.tx);
    relay.repairUpstream(video, 1005, t + 50 * MS, f.tx);
    assertEquals(1, f.sender.to(relay).size(), "within 100 ms: one NACK");
    relay.repairUpstream(video, 1005, t + 150 * MS, f.tx);
    relay.repairUpstream(video, 1006, t + 150 * MS, f.tx);
    assertEquals(3, f.sender.to(relay).size());
    assertEquals(3, f.counters.nacksSentUpstream());
    byte[] nack = f.decrypt(f.sender.to(relay).get(2), true);
    assertEquals(RtcpFeedback.PT_RTPFB, nack[1] & 0xFF);
    assertEquals(RtcpReports.FMT_NACK, nack[0] & 0x1F);
  }

  @Test
  void anEndpointCannotRepairUpstream() {
    Endpoint e = f.endpoint("browser");
    Publication fromBrowser = new Publication(e, 0x42, "video", 96, 90000, -1);
    e.repairUpstream(fromBrowser, 1005, 1_000 * MS, f.tx);
    assertTrue(f.sender.sent.isEmpty(), "a browser is not asked: its packets are answered from our cache");
    assertFalse(e.keyframeRequestsLimited());
    assertTrue(relay.keyframeRequestsLimited(), "the far router already held them to the keyframe interval");
  }

  @Test
  void itsRtxStreamsRepairThePublicationsTheyWereNamedFor() {
    relay.rtxIncoming.put(0x5555, video);
    assertSame(video, relay.repairedBy(0x5555));
    assertNull(relay.repairedBy(0x6666));
    assertNull(f.endpoint("browser").repairedBy(0x5555));
  }

  @Test
  void aVideoReceiverReportCarriesARembOnceItsReceiversLoseSomething() {
    Subscription far = new Subscription(video, f.endpoint("far-receiver"), 96, null, null);
    video.add(far);
    byte[] out = new byte[1500];
    long t = 1_000 * MS;
    assertEquals(40, relay.appendToReceiverReport(out, 40, video, t), "nothing measured yet: no REMB");
    video.bytes += 100_000;
    far.reportedLoss = 0.25;
    int end = relay.appendToReceiverReport(out, 40, video, t + 1_000 * MS);
    assertTrue(end > 40, "a REMB follows the report");
    assertEquals(RtcpFeedback.PT_PSFB, out[41] & 0xFF);
    assertEquals(RtcpReports.FMT_REMB, out[40] & 0x1F);
    Publication audio = new Publication(relay, 0x11, "audio", 111, 48000, -1);
    assertEquals(40, relay.appendToReceiverReport(out, 40, audio, t), "audio never gets one");
    assertEquals(40, f.endpoint("browser").appendToReceiverReport(out, 40, video, t), "nor a client's stream");
  }
}
