package uk.co.lchat.media.router;

import uk.co.lchat.media.rtp.RtcpReports;
import uk.co.lchat.media.srtp.PacketBuffer;

/**
 * The RTCP reports this router originates on its own schedule: once a second a receiver report to each publisher
 * and a sender report to each receiver (RFC 3550 §6.2, §6.4), and every tick transport-wide congestion feedback to
 * each sender that uses the extension. Loop-owned; writes into the loop's send buffer.
 */
final class ReportSender {
  private static final String CNAME = "lchat";
  private final PacketBuffer out;
  private final RouterCounters counters;
  /** What the once-a-second pass of one transport is on, set before each forEach (no capturing lambda per call). */
  private Transport reporting;
  private long nowNanos;
  private long ntp;
  private long mediaSsrc;

  ReportSender(PacketBuffer out, RouterCounters counters) {
    this.out = out;
    this.counters = counters;
  }

  /** Receiver reports for what {@code t} publishes here, sender reports for what it receives. */
  void reports(Transport t, long nowNanos, long ntp) {
    if (!t.ready()) {
      return;
    }
    this.reporting = t;
    this.nowNanos = nowNanos;
    this.ntp = ntp;
    t.incoming.forEach(this::receiverReport);
    t.outgoing.forEach(this::senderReport);
  }

  private void receiverReport(Publication p) {
    if (!p.stats.started()) {
      return;
    }
    byte[] b = out.getBuffer();
    int n = RtcpReports.writeReceiverReport(b, 0, MediaRouter.ROUTER_SSRC, p.stats.report(p.ssrc(), nowNanos));
    n += RtcpReports.writeSdesCname(b, n, MediaRouter.ROUTER_SSRC, CNAME);
    n = reporting.appendToReceiverReport(b, n, p, nowNanos);
    send(n);
  }

  private void senderReport(Subscription s) {
    if (s.packets == 0) {
      return;
    }
    // RFC 3550 §6.4.1: the RTP timestamp that corresponds to the NTP time, from the last packet's.
    long elapsed = (nowNanos - s.lastTimestampNanos) * s.clockRate() / 1_000_000_000L;
    byte[] b = out.getBuffer();
    long ssrc = s.outgoingSsrc() & 0xFFFFFFFFL;
    int n = RtcpReports.writeSenderReport(b, 0, ssrc, ntp, (s.lastTimestamp + elapsed) & 0xFFFFFFFFL, s.packets,
        s.octets);
    n += RtcpReports.writeSdesCname(b, n, ssrc, CNAME);
    s.lastSrCompactNtp = RtcpReports.compactNtp(ntp);
    send(n);
  }

  private void send(int length) {
    out.set(0, length);
    if (reporting.sendRtcp(out)) {
      counters.rtcpSent++;
    }
  }

  /** Transport-cc feedback (draft-holmer-rmcat-transport-wide-cc §3.1) for what {@code t} sent since the last. */
  void transportFeedback(Transport t) {
    TransportCcRecorder twcc = t.transportCc;
    if (twcc == null || !t.ready()) {
      return;
    }
    reporting = t;
    mediaSsrc = 0;
    t.incoming.forEach(this::mediaSsrcOf);
    int n = twcc.feedback(out.getBuffer(), 0, MediaRouter.ROUTER_SSRC, mediaSsrc);
    if (n > 0) {
      send(n);
      counters.transportFeedbackSent++;
    }
  }

  private void mediaSsrcOf(Publication p) {
    mediaSsrc = p.ssrc();
  }
}
