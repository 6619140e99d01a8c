package uk.co.lchat.media.router;

/**
 * Records the packet's arrival time under its transport-wide sequence number (draft-holmer-rmcat-transport-wide-cc
 * §2), for the feedback the sender's bandwidth estimation needs. Before the stream lookup: the sequence counts every
 * packet of the transport, known stream or not. Never drops.
 */
final class TransportCcRecord extends ReceiveStage {
  TransportCcRecord() {
    super("transport_cc_record");
  }

  @Override
  boolean process(ReceivedPacket in) {
    TransportCcRecorder recorder = in.transport.transportCc;
    if (recorder != null) {
      int at = in.rtp.findExtension(recorder.extensionId());
      if (at >= 0 && in.rtp.extensionDataLength() >= 2) {
        byte[] b = in.buffer();
        recorder.record(((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF), in.now);
      }
    }
    return true;
  }
}
