package uk.co.lchat.media.router;

import java.util.ArrayList;
import java.util.List;

/**
 * The receive side of the packet path, assembled here and nowhere else: what happens to an authenticated packet of
 * a known transport, in order, before the router fans it out. Each chain is a fixed array of small stages, run by a
 * plain loop (no allocation, no lambdas, no iterators); a stage that drops a packet ends the chain for it.
 */
final class ReceivePipeline {
  /** SRTP, after RFC 7983 demultiplexing and the transport lookup. */
  private final ReceiveStage[] rtp;
  /** SRTCP. */
  private final ReceiveStage[] rtcp;

  ReceivePipeline(RouterCounters counters, PathFollow.Paths paths, KeyframeRequests keyframeRequests,
      RtcpTermination rtcpTermination) {
    rtp = new ReceiveStage[] {
        new SrtpDecrypt(false, counters),        // decrypt once, in place (RFC 3711 §3.3)
        new PathFollow(paths),                   // authenticated media moves the endpoint's path (RFC 8445 §8.1.1)
        new RtpParse(counters),                  // flyweight view of the header
        new TransportCcRecord(),                 // arrival time by transport-wide sequence number
        new StreamLookup(),                      // publication by SSRC
        new SimulcastBind(keyframeRequests),     // or a new simulcast layer, by rid (RFC 8852)
        new RtxUnwrap(counters),                 // or a relay's retransmission, back to the original (RFC 4588)
        new ReceiveCount(),                      // packet counts, loss and jitter (RFC 3550 §A.3, §A.8)
        new CacheWrite(),                        // video: kept for NACKs
        new AudioLevelRead(),                    // audio: loudness from RFC 6464 levels
    };
    rtcp = new ReceiveStage[] {
        new SrtpDecrypt(true, counters),         // RFC 3711 §3.4
        new PathFollow(paths),
        rtcpTermination,                         // reports, NACK -> RTX or upstream, PLI/FIR, REMB
    };
  }

  /** Runs an SRTP packet through its chain; true when it is ready to be fanned out. */
  boolean rtp(ReceivedPacket in) {
    return run(rtp, in);
  }

  /** Runs an SRTCP packet through its chain, which terminates it. */
  void rtcp(ReceivedPacket in) {
    run(rtcp, in);
  }

  private static boolean run(ReceiveStage[] chain, ReceivedPacket in) {
    for (ReceiveStage stage : chain) {
      if (!stage.run(in)) {
        return false;
      }
    }
    return true;
  }

  /** Every stage's counts now, both chains in order (for metrics, once a second: this allocates). */
  List<StageCount> counts() {
    List<StageCount> all = new ArrayList<>(rtp.length + rtcp.length);
    for (ReceiveStage stage : rtp) {
      all.add(new StageCount("rtp", stage.name(), stage.packets(), stage.dropped()));
    }
    for (ReceiveStage stage : rtcp) {
      all.add(new StageCount("rtcp", stage.name(), stage.packets(), stage.dropped()));
    }
    return all;
  }
}
