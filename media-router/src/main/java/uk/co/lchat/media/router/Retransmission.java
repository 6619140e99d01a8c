package uk.co.lchat.media.router;

import uk.co.lchat.media.rtp.RtcpFeedback;
import uk.co.lchat.media.rtp.RtpPacket;
import uk.co.lchat.media.srtp.PacketBuffer;

/**
 * Answers a receiver's NACK (RFC 4585 §6.2.1) from the stream's packet cache, as RTX (RFC 4588 §4): the receiver's
 * RTX payload type and SSRC, the RTX stream's own sequence number, and the original sequence number in front of the
 * payload. A plain resend under the original SSRC and sequence number would reuse an SRTP index, which the sending
 * context rightly refuses. The same copies, unasked, probe a receiver's bandwidth ({@link BandwidthProbe}). Loop-owned.
 */
final class Retransmission {
  private final byte[] cached = new byte[PacketBuffer.CAPACITY];
  private final RtpPacket view = new RtpPacket();
  private final PacketBuffer out;
  private final RouterCounters counters;

  Retransmission(PacketBuffer out, RouterCounters counters) {
    this.out = out;
    this.counters = counters;
  }

  /**
   * Resends packet {@code sourceSeq} of {@code p} to the subscription's receiver, which knows it as {@code seq};
   * false when it is no longer in the cache (a relay may still get it from upstream).
   */
  boolean resend(Subscription s, Publication p, int sourceSeq, int seq) {
    return send(s, p, sourceSeq, seq, false);
  }

  /**
   * Sends packet {@code sourceSeq} of {@code p} again although the receiver did not ask, to raise its bandwidth
   * estimate ({@link BandwidthProbe}); it discards the copy as a duplicate.
   */
  void probe(Subscription s, Publication p, int sourceSeq, int seq) {
    send(s, p, sourceSeq, seq, true);
  }

  private boolean send(Subscription s, Publication p, int sourceSeq, int seq, boolean probe) {
    PacketSink to = s.subscriber;
    if (!to.ready()) {
      return true;
    }
    int len = p.cache.get(sourceSeq, cached);
    if (len < 0 || !view.wrap(cached, 0, len)) {
      if (!probe) {
        counters.nacksUnanswered++;
      }
      return false;
    }
    int header = view.headerLength();
    int payload = view.payloadLength();
    byte[] b = out.getBuffer();
    System.arraycopy(cached, 0, b, 0, header);
    b[0] &= (byte) ~0x20; // the padding, if any, is not copied
    if (s.rewriter != null) {
      RtcpFeedback.putU32(b, 4, s.rewriter.outTimestamp(view.timestamp()));
    }
    b[header] = (byte) (seq >>> 8);
    b[header + 1] = (byte) seq;
    System.arraycopy(cached, header, b, header + 2, payload);
    b[1] = (byte) ((b[1] & 0x80) | s.rtxPayloadType);
    int rtxSeq = s.rtxSeq++ & 0xFFFF;
    b[2] = (byte) (rtxSeq >>> 8);
    b[3] = (byte) rtxSeq;
    RtcpFeedback.putU32(b, 8, s.rtxSsrc);
    int length = header + 2 + payload;
    int absOut = to.absSendTimeId();
    if (absOut > 0 && p.publisher.absSendTimeIn > 0 && view.wrap(b, 0, length)) { // the copy, now
      // The cache holds the publisher's send time, of its own clock: the receiver's estimator (which counts RTX
      // too) needs ours, as on everything else we send it.
      view.stampAbsSendTime(p.publisher.absSendTimeIn, absOut, RtpPacket.absSendTime(System.nanoTime()));
    }
    out.set(0, length);
    if (to.sendRtp(out)) {
      if (probe) {
        counters.probePackets++;
      } else {
        s.retransmitted++;
        counters.retransmissions++;
      }
    }
    return true;
  }
}
