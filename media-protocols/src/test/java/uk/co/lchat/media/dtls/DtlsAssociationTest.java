package uk.co.lchat.media.dtls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.junit.jupiter.api.Test;

import uk.co.lchat.media.sdp.SessionDescription;
import uk.co.lchat.media.srtp.SrtpKeys;
import uk.co.lchat.media.srtp.SrtpProfile;

class DtlsAssociationTest {
  private final BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());

  /** Two transports wired back to back, like two ends of one UDP path. */
  private static PacketQueueTransport[] pair() {
    PacketQueueTransport[] t = new PacketQueueTransport[2];
    t[0] = new PacketQueueTransport((b, o, l) -> t[1].offer(b, o, l));
    t[1] = new PacketQueueTransport((b, o, l) -> t[0].offer(b, o, l));
    return t;
  }

  @Test
  void handshakeExportsMatchingSrtpKeysAndPrefersGcm() throws Exception {
    DtlsIdentity serverId = DtlsIdentity.generate(crypto);
    DtlsIdentity clientId = DtlsIdentity.generate(crypto);
    PacketQueueTransport[] t = pair();
    DtlsAssociation server = DtlsAssociation.serve(crypto, serverId, clientId.fingerprint(), t[0], "s");
    DtlsAssociation client = DtlsAssociation.connect(crypto, clientId, serverId.fingerprint(), t[1], "c",
        SrtpProfile.AES_CM_128_HMAC_SHA1_80, SrtpProfile.AEAD_AES_128_GCM);
    SrtpKeys s = server.keys().get(10, TimeUnit.SECONDS);
    SrtpKeys c = client.keys().get(10, TimeUnit.SECONDS);
    assertEquals(SrtpProfile.AEAD_AES_128_GCM, s.profile());
    assertArrayEquals(s.localKey(), c.remoteKey());
    assertArrayEquals(s.localSalt(), c.remoteSalt());
    assertArrayEquals(s.remoteKey(), c.localKey());
    server.close();
    client.close();
  }

  @Test
  void aesCmIsUsedWhenTheClientOffersOnlyThat() throws Exception {
    DtlsIdentity serverId = DtlsIdentity.generate(crypto);
    DtlsIdentity clientId = DtlsIdentity.generate(crypto);
    PacketQueueTransport[] t = pair();
    DtlsAssociation server = DtlsAssociation.serve(crypto, serverId, clientId.fingerprint(), t[0], "s");
    DtlsAssociation.connect(crypto, clientId, serverId.fingerprint(), t[1], "c", SrtpProfile.AES_CM_128_HMAC_SHA1_80);
    assertEquals(SrtpProfile.AES_CM_128_HMAC_SHA1_80, server.keys().get(10, TimeUnit.SECONDS).profile());
  }

  @Test
  void clientWhoseCertificateDoesNotMatchTheSdpFingerprintIsRefused() {
    DtlsIdentity serverId = DtlsIdentity.generate(crypto);
    DtlsIdentity clientId = DtlsIdentity.generate(crypto);
    DtlsIdentity impostor = DtlsIdentity.generate(crypto);
    PacketQueueTransport[] t = pair();
    DtlsAssociation server = DtlsAssociation.serve(crypto, serverId, clientId.fingerprint(), t[0], "s");
    DtlsAssociation.connect(crypto, impostor, serverId.fingerprint(), t[1], "c", SrtpProfile.AEAD_AES_128_GCM);
    assertThrows(ExecutionException.class, () -> server.keys().get(10, TimeUnit.SECONDS));
    assertTrue(server.closed().isDone() || server.transport().isClosed());
  }

  @Test
  void aLaterSdpNamingTheClientsCertificateBeforeTheHandshakeLetsTheClientIn() throws Exception {
    DtlsIdentity serverId = DtlsIdentity.generate(crypto);
    DtlsIdentity clientId = DtlsIdentity.generate(crypto);
    DtlsIdentity earlierConnection = DtlsIdentity.generate(crypto);
    PacketQueueTransport[] t = pair();
    DtlsAssociation server = DtlsAssociation.serve(crypto, serverId, earlierConnection.fingerprint(), t[0], "s");
    server.expectPeer(clientId.fingerprint());
    DtlsAssociation client = DtlsAssociation.connect(crypto, clientId, serverId.fingerprint(), t[1], "c",
        SrtpProfile.AEAD_AES_128_GCM);
    assertArrayEquals(server.keys().get(10, TimeUnit.SECONDS).remoteKey(),
        client.keys().get(10, TimeUnit.SECONDS).localKey());
    server.close();
    client.close();
  }

  @Test
  void theCertificateOfTheFirstSdpIsRefusedOnceALaterOneNamesAnother() {
    DtlsIdentity serverId = DtlsIdentity.generate(crypto);
    DtlsIdentity first = DtlsIdentity.generate(crypto);
    DtlsIdentity latest = DtlsIdentity.generate(crypto);
    PacketQueueTransport[] t = pair();
    DtlsAssociation server = DtlsAssociation.serve(crypto, serverId, first.fingerprint(), t[0], "s");
    server.expectPeer(latest.fingerprint());
    DtlsAssociation.connect(crypto, first, serverId.fingerprint(), t[1], "c", SrtpProfile.AEAD_AES_128_GCM);
    assertThrows(ExecutionException.class, () -> server.keys().get(10, TimeUnit.SECONDS));
  }

  @Test
  void closingAnEstablishedAssociationEndsItsReaderWithoutWaitingForItsReceiveTimeout() throws Exception {
    DtlsIdentity serverId = DtlsIdentity.generate(crypto);
    DtlsIdentity clientId = DtlsIdentity.generate(crypto);
    PacketQueueTransport[] t = pair();
    DtlsAssociation server = DtlsAssociation.serve(crypto, serverId, clientId.fingerprint(), t[0], "s");
    DtlsAssociation client = DtlsAssociation.connect(crypto, clientId, serverId.fingerprint(), t[1], "c",
        SrtpProfile.AEAD_AES_128_GCM);
    server.keys().get(10, TimeUnit.SECONDS);
    client.keys().get(10, TimeUnit.SECONDS);
    server.close();
    // The reader waits up to a minute for a record; the close must wake it, not the timeout (10 s is generous).
    server.closed().get(10, TimeUnit.SECONDS);
    client.close();
    client.closed().get(10, TimeUnit.SECONDS);
  }

  @Test
  void anAssociationOfTheTableFreeCryptoInteroperatesWithBouncyCastlesDefault() throws Exception {
    DtlsCrypto tableFree = new DtlsCrypto(new SecureRandom());
    DtlsIdentity serverId = DtlsIdentity.generate(tableFree);
    DtlsIdentity clientId = DtlsIdentity.generate(crypto);
    PacketQueueTransport[] t = pair();
    DtlsAssociation server = DtlsAssociation.serve(tableFree, serverId, clientId.fingerprint(), t[0], "s");
    DtlsAssociation client = DtlsAssociation.connect(crypto, clientId, serverId.fingerprint(), t[1], "c",
        SrtpProfile.AEAD_AES_128_GCM);
    // The handshake's Finished messages are the first records under the negotiated AES-GCM: both ends agree only
    // if the two GCM implementations compute the same tags.
    assertArrayEquals(server.keys().get(10, TimeUnit.SECONDS).remoteKey(),
        client.keys().get(10, TimeUnit.SECONDS).localKey());
    server.close();
    client.close();
  }

  @Test
  void aReceiveWithNoTimeoutWaitsForARecord() throws Exception {
    PacketQueueTransport[] t = pair();
    byte[] got = new byte[16];
    java.util.concurrent.CompletableFuture<Integer> read = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return t[1].receive(got, 0, got.length, 0); // BouncyCastle's contract: 0 means no timeout, not "don't wait"
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    t[0].send(new byte[] {1, 2, 3}, 0, 3);
    assertEquals(3, read.get(10, TimeUnit.SECONDS));
    assertArrayEquals(new byte[] {1, 2, 3}, java.util.Arrays.copyOf(got, 3));
  }

  @Test
  void fingerprintAttributeParsesBackToTheSameDigest() throws Exception {
    DtlsIdentity id = DtlsIdentity.generate(crypto);
    assertArrayEquals(id.fingerprint(), SessionDescription.sha256Fingerprint(id.fingerprintAttribute()));
  }
}
