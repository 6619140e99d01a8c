package uk.co.lchat.media.router;

/** Reads the decrypted RTP header (RFC 3550 §5.1, RFC 8285 extensions) into a view; drops a malformed packet. */
final class RtpParse extends ReceiveStage {
  private final RouterCounters counters;

  RtpParse(RouterCounters counters) {
    super("rtp_parse");
    this.counters = counters;
  }

  @Override
  boolean process(ReceivedPacket in) {
    if (!in.rtp.wrap(in.buffer(), 0, in.length())) {
      counters.dropped++;
      return false;
    }
    return true;
  }
}
