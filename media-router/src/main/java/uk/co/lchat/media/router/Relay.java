package uk.co.lchat.media.router;

import java.net.InetSocketAddress;

import uk.co.lchat.media.rtp.RtcpReports;
import uk.co.lchat.media.srtp.PacketBuffer;
import uk.co.lchat.media.srtp.SrtpSession;
import uk.co.lchat.media.srtp.SsrcTable;

/**
 * A link to another node's media router (DESIGN.md "Rooms across nodes"): plain UDP between the two routers' media
 * ports, SRTP-protected with keys the routers agreed over the cluster, so no ICE or DTLS. Streams are published on
 * it and subscribed to it like on an endpoint; what differs is that the router at the other end is ours: a packet
 * lost on the link is asked for again upstream and comes back as RTX, keyframe requests from it are already
 * rate-limited, and it is told how much of each video stream the receivers here can take (REMB). It belongs to no
 * room, so it takes no part in dominant speaker detection.
 */
public final class Relay extends Transport {
  /** The extension id relays use for abs-send-time (both ends of a link are ours). */
  static final int ABS_SEND_TIME_ID = 2;
  /** How long an upstream NACK for one packet holds before that packet may be asked for again. */
  static final long NACK_HOLD_NANOS = 100_000_000L;
  // loop-owned
  /** Retransmissions of the publications they repair, by RTX SSRC. */
  final SsrcTable<Publication> rtxIncoming = new SsrcTable<>();

  Relay(String id, InetSocketAddress remote, SrtpSession srtp, PacketSender sender, RouterCounters counters) {
    super(id, sender, counters);
    this.remote = remote;
    this.srtp = srtp;
    this.absSendTimeIn = ABS_SEND_TIME_ID;
    this.absSendTimeOut = ABS_SEND_TIME_ID;
  }

  /**
   * Asks the router at the other end for a packet that never arrived over the link (generic NACK, RFC 4585 §6.2.1),
   * once per packet however many receivers here miss it; it answers with RTX, which {@link RtxUnwrap} turns back
   * into the original packet for everyone here.
   */
  @Override
  void repairUpstream(Publication p, int seq, long nowNanos, PacketBuffer out) {
    if (!p.nackDue(seq, nowNanos) || !ready()) {
      return;
    }
    int n = RtcpReports.writeNack(out.getBuffer(), 0, MediaRouter.ROUTER_SSRC, p.ssrc(), seq, 0);
    out.set(0, n);
    if (sendRtcp(out)) {
      counters.rtcpSent++;
    }
    counters.nacksSentUpstream++;
  }

  /** The far router already held its receivers' requests to the keyframe interval: pass each one on. */
  @Override
  boolean keyframeRequestsLimited() {
    return true;
  }

  @Override
  Publication repairedBy(int rtxSsrc) {
    return rtxIncoming.get(rtxSsrc);
  }

  /**
   * With each video stream's receiver report, how much of it this node's receivers can take (REMB), from their loss
   * reports; the router at the other end sends the simulcast layer that fits.
   */
  @Override
  int appendToReceiverReport(byte[] out, int at, Publication p, long nowNanos) {
    if (!p.isVideo()) {
      return at;
    }
    long estimate = p.relayEstimate(nowNanos);
    return estimate < 0 ? at : at + RtcpReports.writeRemb(out, at, MediaRouter.ROUTER_SSRC, estimate, p.ssrc());
  }

  @Override
  public String toString() {
    return "Relay[" + id + " " + remote + "]";
  }
}
