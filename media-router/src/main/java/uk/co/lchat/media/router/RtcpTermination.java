package uk.co.lchat.media.router;

import uk.co.lchat.media.rtp.RtcpReports;
import uk.co.lchat.media.srtp.PacketBuffer;

/**
 * Terminates RTCP from a transport (RFC 3550 §6, RFC 4585): nothing is forwarded as it came. Senders' reports feed
 * our reception statistics; receivers' report blocks give RTT (§6.4.1) and loss, which the simulcast layer choice
 * adapts to; NACKs are answered from the cache ({@link Retransmission}) or, for a packet lost on a relay, asked for
 * upstream; PLI/FIR become our own keyframe request to the publisher; a REMB caps a simulcast receiver's layer.
 * The last stage of the RTCP chain; one reused sink, no lambda per packet.
 */
final class RtcpTermination extends ReceiveStage implements RtcpReports.Sink {
  private final Retransmission retransmission;
  private final KeyframeRequests keyframeRequests;
  private final PacketBuffer out;
  private final RouterCounters counters;
  private Transport from;

  RtcpTermination(Retransmission retransmission, KeyframeRequests keyframeRequests, PacketBuffer out,
      RouterCounters counters) {
    super("rtcp_termination");
    this.retransmission = retransmission;
    this.keyframeRequests = keyframeRequests;
    this.out = out;
    this.counters = counters;
  }

  @Override
  boolean process(ReceivedPacket in) {
    from = in.transport;
    from.packetsReceived++;
    from.bytesReceived += in.wireLength;
    RtcpReports.read(in.buffer(), 0, in.length(), this);
    return true;
  }

  @Override
  public void senderReport(long ssrc, long ntp, long rtpTimestamp, long packets, long octets) {
    Publication p = from.incoming.get((int) ssrc);
    if (p != null) {
      p.stats.senderReport(ntp, System.nanoTime());
    }
  }

  @Override
  public void reportBlock(long reporterSsrc, int fractionLost, int cumulativeLost, long sourceSsrc, long jitter,
      long lsr, long dlsr) {
    Subscription s = from.outgoing.get((int) sourceSsrc);
    if (s == null) {
      return;
    }
    s.reportedLoss = fractionLost / 256.0;
    if (s.layers != null) {
      // A simulcast receiver reporting heavy loss gets the lowest layer until it has reported little loss for a
      // while. Over a relay the far router's reports carry its receivers' worst loss, so the whole far node steps
      // down.
      LayerSelector.LossChange change = s.layers.reportedLoss(s.reportedLoss);
      if (change == LayerSelector.LossChange.LIMITED) {
        counters.lossDowngrades++;
      }
      if (change != LayerSelector.LossChange.NONE) {
        s.chooseLayer(keyframeRequests);
      }
    }
    if (lsr != 0 && lsr == s.lastSrCompactNtp) {
      // RFC 3550 §6.4.1: RTT = arrival - LSR - DLSR, all in 1/65536 s.
      long now = RtcpReports.compactNtp(RtcpReports.ntp(System.currentTimeMillis()));
      long rtt = (now - lsr - dlsr) & 0xFFFFFFFFL;
      if (rtt < 65536L * 10) {
        s.rttMillis = rtt * 1000.0 / 65536;
      }
    }
  }

  @Override
  public void nack(long mediaSsrc, int seq) {
    Subscription s = from.outgoing.get((int) mediaSsrc);
    if (s == null) {
      return;
    }
    // The packet behind the sequence number the receiver saw: the same one, or through the stream rewriter
    // (simulcast layers, relayed simulcast) the current source's.
    Publication p = s.current();
    int sourceSeq = s.rewriter == null ? seq : s.rewriter.sourceSequence(seq);
    if (p == null || p.cache == null || s.rtxPayloadType < 0 || sourceSeq < 0) {
      counters.nacksUnanswered++;
      return;
    }
    if (!retransmission.resend(s, p, sourceSeq, seq)) {
      p.publisher.repairUpstream(p, sourceSeq, System.nanoTime(), out); // lost on a relay: the far router has it
    }
  }

  @Override
  public void remb(long mediaSsrc, long bitrate) {
    Subscription s = from.outgoing.get((int) mediaSsrc);
    if (s != null && s.layers != null) {
      counters.rembsReceived++;
      s.layers.maxBitrate(bitrate);
      if (s.probe != null) {
        s.probe.estimate(bitrate, System.nanoTime());
      }
      s.chooseLayer(keyframeRequests);
    }
  }

  @Override
  public void keyframeRequest(long mediaSsrc) {
    Subscription s = from.outgoing.get((int) mediaSsrc);
    if (s != null) {
      counters.keyframeRequestsRelayed++;
      Publication p = s.current();
      if (p == null) {
        p = s.pending();
      }
      if (p != null) {
        keyframeRequests.request(p, from.keyframeRequestsLimited());
      }
    }
  }
}
