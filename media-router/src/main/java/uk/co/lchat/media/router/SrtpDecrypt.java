package uk.co.lchat.media.router;

import uk.co.lchat.media.srtp.SrtpResult;

/**
 * Decrypts and authenticates the packet in place with its transport's SRTP keys (RFC 3711 §3.3 for SRTP, §3.4 for
 * SRTCP), once, whatever the number of receivers. Drops what fails authentication or replays an index.
 */
final class SrtpDecrypt extends ReceiveStage {
  private final boolean rtcp;
  private final RouterCounters counters;

  SrtpDecrypt(boolean rtcp, RouterCounters counters) {
    super(rtcp ? "srtcp_decrypt" : "srtp_decrypt");
    this.rtcp = rtcp;
    this.counters = counters;
  }

  @Override
  boolean process(ReceivedPacket in) {
    Transport t = in.transport;
    SrtpResult result = rtcp ? t.srtp.unprotectRtcp(in.packet) : t.srtp.unprotectRtp(in.packet);
    if (result != SrtpResult.OK) {
      t.srtpFailures++;
      counters.srtpFailures++;
      return false;
    }
    return true;
  }
}
