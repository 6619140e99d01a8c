package uk.co.lchat.media.router;

/** Finds the publication of the packet's SSRC on its transport; the two stages after it handle an unknown one. */
final class StreamLookup extends ReceiveStage {
  StreamLookup() {
    super("stream_lookup");
  }

  @Override
  boolean process(ReceivedPacket in) {
    in.publication = in.transport.incoming.get((int) in.rtp.ssrc());
    return true;
  }
}
