package uk.co.lchat.media.router;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import uk.co.lchat.media.rtp.RtcpReports;

/** The first stage: SRTP and SRTCP decrypted in place with the transport's keys, forgeries and replays dropped. */
class SrtpDecryptTest {
  private final StageFixture f = new StageFixture();
  private final Endpoint e = f.endpoint("a");
  private final SrtpDecrypt rtp = new SrtpDecrypt(false, f.counters);

  @Test
  void aPacketThePeerEncryptedIsDecryptedInPlace() {
    byte[] plain = StageFixture.rtp(111, 5, 1, 960, new byte[80]);
    ReceivedPacket in = f.arrivedEncrypted(e, plain, false);
    assertTrue(in.wireLength > plain.length, "the wire packet carries the authentication tag");
    assertTrue(rtp.run(in));
    assertArrayEquals(plain, Arrays.copyOf(in.buffer(), in.length()));
    assertEquals(1, rtp.packets());
    assertEquals(0, rtp.dropped());
  }

  @Test
  void aTamperedPacketIsDroppedAndCountedForItsTransport() {
    ReceivedPacket in = f.arrivedEncrypted(e, StageFixture.rtp(111, 5, 1, 960, new byte[80]), false);
    in.buffer()[20] ^= 1; // RFC 3711 §3.3: authentication covers the payload
    assertFalse(rtp.run(in));
    assertEquals(1, rtp.dropped());
    assertEquals(1, e.srtpFailures);
    assertEquals(1, f.counters.srtpFailures());
  }

  @Test
  void aReplayedPacketIsDropped() {
    byte[] wire = StageFixture.encrypt(f.peer(e), StageFixture.rtp(111, 5, 1, 960, new byte[80]), false);
    assertTrue(rtp.run(f.arrived(e, wire)));
    assertFalse(rtp.run(f.arrived(e, wire)), "RFC 3711 §3.3.2 replay protection");
    assertEquals(1, rtp.dropped());
  }

  @Test
  void theRtcpStageDecryptsSrtcp() {
    byte[] plain = new byte[64];
    int n = RtcpReports.writeNack(plain, 0, 0xCAFE, 0x99, 1005, 0);
    SrtpDecrypt rtcp = new SrtpDecrypt(true, f.counters);
    ReceivedPacket in = f.arrivedEncrypted(e, Arrays.copyOf(plain, n), true);
    assertTrue(rtcp.run(in));
    assertEquals(n, in.length());
    assertEquals("srtcp_decrypt", rtcp.name());
    assertFalse(rtp.run(f.arrivedEncrypted(e, Arrays.copyOf(plain, n), true)), "SRTCP is not SRTP");
  }
}
