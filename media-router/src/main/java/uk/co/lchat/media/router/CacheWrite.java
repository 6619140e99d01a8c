package uk.co.lchat.media.router;

/** Keeps the decrypted video packet in its stream's cache, to answer NACKs without the publisher. Never drops. */
final class CacheWrite extends ReceiveStage {
  CacheWrite() {
    super("cache_write");
  }

  @Override
  boolean process(ReceivedPacket in) {
    in.publication.remember(in.rtp, in.buffer(), in.length());
    return true;
  }
}
