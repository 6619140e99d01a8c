package uk.co.lchat.loadtest;

import java.io.IOException;
import java.net.InetAddress;

import uk.co.lchat.testpeer.PeerReaders;
import uk.co.lchat.testpeer.SimulatedPeer;

/**
 * The load tool's WebRTC peers, lchat's and Janus's alike: all their UDP sockets are read by one reader thread per
 * core ({@link PeerReaders}) rather than a virtual thread each, so that a thousand receivers cost the tool, and the
 * nodes sharing its cores, as little as reading their packets can.
 */
final class LoadPeers {
  private static final PeerReaders READERS = new PeerReaders(Runtime.getRuntime().availableProcessors());

  private LoadPeers() {
  }

  /** A peer whose sockets bind {@code local}, read by the shared readers. */
  static SimulatedPeer create(InetAddress local) throws IOException {
    SimulatedPeer peer = new SimulatedPeer(local);
    peer.readOn(READERS);
    return peer;
  }
}
