package uk.co.lchat.media.router;

import java.net.InetSocketAddress;

/**
 * Authenticated media from an endpoint's verified path other than the latched one moves the endpoint's media there
 * (a controlling agent may nominate several pairs and use the best, RFC 8445 §8.1.1: Firefox does). It comes after
 * decryption, so only the peer itself can move its path. Never drops.
 */
final class PathFollow extends ReceiveStage {
  /** Moves an endpoint's media to a path ({@link IceRouting#follow}). */
  interface Paths {
    void follow(Endpoint e, InetSocketAddress from, IceTcpConnection via);
  }

  private final Paths paths;

  PathFollow(Paths paths) {
    super("path_follow");
    this.paths = paths;
  }

  @Override
  boolean process(ReceivedPacket in) {
    if (in.unlatched != null) {
      paths.follow(in.unlatched, in.from, in.via);
    }
    return true;
  }
}
