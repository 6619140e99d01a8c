package uk.co.lchat.media.dtls;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;

import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

import uk.co.lchat.media.srtp.SrtpKeys;
import uk.co.lchat.media.srtp.SrtpProfile;

/**
 * One DTLS association on its own virtual thread: the handshake, then a read loop that keeps answering the peer's
 * retransmitted flights and notices close_notify. The SRTP keys complete {@link #keys()}.
 */
public final class DtlsAssociation {
  private static final int RECEIVE_WAIT_MILLIS = 60_000;
  private final PacketQueueTransport transport;
  private final CompletableFuture<SrtpKeys> keys = new CompletableFuture<>();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  /** The server side's certificate check, whose expected fingerprint a later SDP may change; null as the client. */
  private SrtpCapableServer server;

  private DtlsAssociation(PacketQueueTransport transport) {
    this.transport = transport;
  }

  /** Serves a browser (or any DTLS client) whose certificate must hash to {@code peerFingerprint}. */
  public static DtlsAssociation serve(BcTlsCrypto crypto, DtlsIdentity identity, byte[] peerFingerprint,
      PacketQueueTransport transport, String name) {
    DtlsAssociation a = new DtlsAssociation(transport);
    SrtpCapableServer server = new SrtpCapableServer(crypto, identity, peerFingerprint);
    a.server = server;
    Thread.ofVirtual().name("dtls-" + name).start(() -> a.run(() -> {
      DTLSTransport t = new DTLSServerProtocol().accept(server, transport);
      a.keys.complete(server.keys());
      return t;
    }));
    return a;
  }

  /** Connects as the DTLS client to a server whose certificate must hash to {@code peerFingerprint}. */
  public static DtlsAssociation connect(BcTlsCrypto crypto, DtlsIdentity identity, byte[] peerFingerprint,
      PacketQueueTransport transport, String name, SrtpProfile... profiles) {
    DtlsAssociation a = new DtlsAssociation(transport);
    SrtpCapableClient client = new SrtpCapableClient(crypto, identity, peerFingerprint, profiles);
    Thread.ofVirtual().name("dtls-" + name).start(() -> a.run(() -> {
      DTLSTransport t = new DTLSClientProtocol().connect(client, transport);
      a.keys.complete(client.keys());
      return t;
    }));
    return a;
  }

  private interface Handshake {
    DTLSTransport run() throws IOException;
  }

  private void run(Handshake handshake) {
    DTLSTransport t = null;
    try {
      t = handshake.run();
      byte[] buf = new byte[2048];
      while (!transport.isClosed()) {
        // We carry no application data (no data channels); reading keeps retransmissions and alerts handled. The
        // wait is long since closing the transport ends it at once: a thread per connection that woke every second
        // cost a thousand wake-ups a second in a room of 1000 (issue #21).
        t.receive(buf, 0, buf.length, RECEIVE_WAIT_MILLIS);
      }
    } catch (IOException | RuntimeException e) {
      keys.completeExceptionally(e);
    } finally {
      transport.close();
      if (t != null) {
        try {
          t.close();
        } catch (IOException | RuntimeException ignored) {
          // the peer is gone; nothing to tell it
        }
      }
      closed.complete(null);
    }
  }

  /**
   * As the server: the peer's latest SDP names another certificate than the one this association was started for
   * (RFC 8122 §5: the fingerprint is of the certificate the peer will present). A handshake that has not yet
   * checked the client's certificate checks it against this one; one that has is not changed.
   */
  public void expectPeer(byte[] fingerprint) {
    if (server == null) {
      throw new IllegalStateException("only the server side checks a certificate named by the peer's SDP");
    }
    server.expect(fingerprint);
  }

  public CompletableFuture<SrtpKeys> keys() {
    return keys;
  }

  public CompletableFuture<Void> closed() {
    return closed;
  }

  public PacketQueueTransport transport() {
    return transport;
  }

  public void close() {
    transport.close();
  }
}
