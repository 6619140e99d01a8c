package uk.co.lchat.media.router;

/**
 * Counts the packet for its transport and its stream, and into the stream's reception statistics (sequence
 * numbers for loss, RFC 3550 §A.3; arrival times for jitter, §A.8). Never drops.
 */
final class ReceiveCount extends ReceiveStage {
  ReceiveCount() {
    super("receive_statistics");
  }

  @Override
  boolean process(ReceivedPacket in) {
    Transport t = in.transport;
    t.packetsReceived++;
    t.bytesReceived += in.wireLength;
    in.publication.received(in.rtp, in.length(), in.now);
    return true;
  }
}
