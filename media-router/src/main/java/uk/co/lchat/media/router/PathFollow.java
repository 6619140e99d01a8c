package uk.co.lchat.media.router;

/**
 * Authenticated media from an endpoint's verified path other than the latched one moves the endpoint's media there
 * (a controlling agent may nominate several pairs and use the best, RFC 8445 §8.1.1: Firefox does). It comes after
 * decryption, so only the peer itself can move its path. Never drops.
 */
final class PathFollow extends ReceiveStage {
  private final IceRouting ice;

  PathFollow(IceRouting ice) {
    super("path_follow");
    this.ice = ice;
  }

  @Override
  boolean process(ReceivedPacket in) {
    if (in.unlatched != null) {
      ice.follow(in.unlatched, in.from, in.via);
    }
    return true;
  }
}
