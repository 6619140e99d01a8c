package uk.co.lchat.media.router;

/**
 * A packet of no known stream may be a retransmission over a relay (RFC 4588 RTX on the SSRC the far router named):
 * it becomes the original packet, late, for everyone here. Drops duplicates of packets already here and packets of
 * an SSRC nobody publishes.
 */
final class RtxUnwrap extends ReceiveStage {
  private final RouterCounters counters;

  RtxUnwrap(RouterCounters counters) {
    super("rtx_unwrap");
    this.counters = counters;
  }

  @Override
  boolean process(ReceivedPacket in) {
    if (in.publication != null) {
      return true;
    }
    Publication repaired = in.transport.repairedBy((int) in.rtp.ssrc());
    int length = repaired == null ? Publication.MALFORMED : repaired.unwrapRtx(in.rtp, in.buffer(), in.length());
    if (length < 0) {
      if (length == Publication.DUPLICATE) {
        counters.duplicateRetransmissions++;
      }
      counters.unknownSsrc++;
      return false;
    }
    in.packet.setLength(length);
    in.publication = repaired;
    counters.repairedOverRelays++;
    return true;
  }
}
