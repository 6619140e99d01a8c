package uk.co.lchat.media.router;

import java.net.InetSocketAddress;

import uk.co.lchat.media.sdp.SessionDescription;
import uk.co.lchat.testpeer.SimulatedPeer;

/** Connects a headless peer to a router endpoint the way a browser does: fingerprints both ways, ICE, DTLS. */
final class TestPeers {
  private TestPeers() {}

  static SimulatedPeer connect(MediaRouter router, Endpoint e, boolean tcp) throws Exception {
    SimulatedPeer peer = new SimulatedPeer();
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
