package uk.co.lchat.media.router;

import java.net.InetSocketAddress;

import uk.co.lchat.media.sdp.SessionDescription;
import uk.co.lchat.testpeer.SimulatedPeer;

/** Connects a headless peer to a router endpoint the way a browser does: fingerprints both ways, ICE, DTLS. */
final class TestPeers {
  private TestPeers() {}

  static SimulatedPeer connect(MediaRouter router, Endpoint e, boolean tcp) throws Exception {
    return connect(router, e, tcp, null);
  }

  /** ... its UDP socket read by {@code readers} (as the load tool's peers are), or by its own thread (null). */
  static SimulatedPeer connect(MediaRouter router, Endpoint e, boolean tcp, uk.co.lchat.testpeer.PeerReaders readers)
      throws Exception {
    SimulatedPeer peer = new SimulatedPeer();
    if (readers != null) {
      peer.readOn(readers);
    }
    router.setRemoteFingerprint(e, SessionDescription.sha256Fingerprint(peer.fingerprintAttribute()));
    router.setRemoteIce(e, peer.ice(), java.util.List.of());
    InetSocketAddress server = new InetSocketAddress("127.0.0.1", router.port());
    byte[] fingerprint = SessionDescription.sha256Fingerprint(router.fingerprint());
    if (tcp) {
      peer.connectTcp(server, e.ice(), fingerprint);
    } else {
      peer.connect(server, e.ice(), fingerprint);
    }
    MediaRouterTest.await(e::connected, "endpoint " + e.id() + " connected");
    return peer;
  }
}
