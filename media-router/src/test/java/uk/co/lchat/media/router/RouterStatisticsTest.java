package uk.co.lchat.media.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static uk.co.lchat.media.router.MediaRouterTest.await;


import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import uk.co.lchat.media.rtp.RtcpReports;
import uk.co.lchat.testpeer.SimulatedPeer;

/** The router's once-a-second statistics from synthetic streams with known loss and known round-trip time. */
class RouterStatisticsTest {
  private MediaRouter router;

  @BeforeEach
  void start() throws Exception {
    router = MediaRouter.start(RouterSettings.loopback(0), null);
  }

  @AfterEach
  void stop() {
    router.close();
  }

  private SimulatedPeer connect(Endpoint e) throws Exception {
    return TestPeers.connect(router, e, false);
  }


  @Test
  void tenPercentMissingSequenceNumbersIsTenPercentDownloadLossAndLimitedSeconds() throws Exception {
    Endpoint a = router.createEndpoint("a", "room", new EndpointListener() {});
    Endpoint b = router.createEndpoint("b", "room", new EndpointListener() {});
    try (SimulatedPeer pa = connect(a); SimulatedPeer pb = connect(b)) {
      Publication audio = router.publish(a, 5, "audio", 111, 48000, -1);
      router.subscribe(audio, b, 111);
      for (int seq = 0; seq < 200; seq++) {
        if (seq % 10 != 5) { // the publisher's network "loses" one packet in ten
          pa.sendRtp(111, 5, seq, seq * 960L, 80);
        }
      }
      await(() -> router.statistics().rtpExpectedTotal() == 200, () -> "200 expected, got " + router.statistics());
      RouterStatistics s = router.statistics();
      assertEquals(20, s.rtpLostTotal());
      assertEquals(1, s.audioPublications());
      assertEquals(1, s.audioSubscriptions());
      assertEquals(0, s.videoPublications());
      assertTrue(s.lossLimitedSeconds() >= 1, "10 % loss is 'limited' (2-10 %): " + s);
      assertEquals(0, s.lossDegradedSeconds());
      assertEquals(1, s.jitterMillis().length, "one incoming stream's jitter");
    }
  }

  @Test
  void receiverReportsGiveRoundTripTimeAndUploadLoss() throws Exception {
    Endpoint a = router.createEndpoint("a", "room", new EndpointListener() {});
    Endpoint b = router.createEndpoint("b", "room", new EndpointListener() {});
    try (SimulatedPeer pa = connect(a); SimulatedPeer pb = connect(b)) {
      Publication audio = router.publish(a, 9, "audio", 111, 48000, -1);
      Subscription s = router.subscribe(audio, b, 111);
      for (int seq = 0; seq < 60; seq++) {
        pa.sendRtp(111, 9, seq, seq * 960L, 80);
        Thread.sleep(20);
      }
      long ssrc = s.outgoingSsrc() & 0xFFFFFFFFL;
      await(() -> pb.lastSenderReport(ssrc) != 0, "a sender report for the stream b receives");
      // Claim to have held the report 100 ms less than we did: the router must see a 100 ms (+ loopback) RTT. That
      // needs the report to be at least 100 ms old when we answer it (else the claim would be a negative DLSR, sent
      // as 0, and the RTT the report's age: a run once measured 67 ms so); SRs come once a second.
      long lsr = pb.lastSenderReport(ssrc);
      long claim = 65536 / 10;
      long claimedAt;
      long held;
      do {
        Thread.sleep(5);
        claimedAt = System.nanoTime();
        held = (RtcpReports.compactNtp(RtcpReports.ntp(System.currentTimeMillis())) - lsr) & 0xFFFFFFFFL;
      } while (held < claim);
      long dlsr = held - claim;
      pb.sendReceiverReport(ssrc, 64, lsr, dlsr);
      await(() -> router.statistics().rttMillis().length == 1 && router.statistics().uploadLoss() > 0,
          () -> "RTT and loss measured: " + router.statistics());
      RouterStatistics st = router.statistics();
      double rtt = st.rttMillis()[0];
      // The router adds whatever passed between our reading of the clock and its reading of the report: at most
      // the time since then (a loaded machine once made that 230 ms), and at least nothing.
      double since = (System.nanoTime() - claimedAt) / 1e6;
      assertTrue(rtt >= 95 && rtt <= 100 + since + 5, "RTT 100 ms plus at most " + since + " ms, got " + rtt);
      assertEquals(0.25, st.uploadLoss(), 0.001, "64/256 reported lost");
      assertEquals(rtt, st.meanRttMillis(), 1e-9);
    }
  }
}
