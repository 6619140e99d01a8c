package uk.co.lchat.media.ice;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** STUN codec against the RFC 5769 test vectors, plus our own builders and hostile input. */
class StunMessageTest {
  private static final byte[] PASSWORD = "VOkJxbRl1RmTxUk/WvJxBt".getBytes(StandardCharsets.UTF_8);

  // RFC 5769 §2.1 Sample Request.
  private static final byte[] REQUEST = hex("""
      00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
      80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74
      00 24 00 04 6e 00 01 ff 80 29 00 08 93 2f f9 b1 51 26 3b 36
      00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20
      00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
      80 28 00 04 e5 7a 3b cf""");

  // RFC 5769 §2.2 Sample IPv4 Response.
  private static final byte[] IPV4_RESPONSE = hex("""
      01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
      80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
      00 20 00 08 00 01 a1 47 e1 12 a6 43
      00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7
      80 28 00 04 c0 7d 4c 96""");

  // RFC 5769 §2.3 Sample IPv6 Response.
  private static final byte[] IPV6_RESPONSE = hex("""
      01 01 00 48 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
      80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
      00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9
      00 08 00 14 a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75 bf e3 ed 41
      80 28 00 04 c8 fb 0b 4c""");

  @Test
  void rfc5769SampleRequestVerifiesWithItsPassword() {
    StunMessage m = StunMessage.parse(REQUEST, 0, REQUEST.length);
    assertNotNull(m);
    assertEquals(StunMessage.BINDING_REQUEST, m.type());
    assertEquals("evtj:h6vY", m.username());
    assertEquals(0x6e0001ffL, m.priority());
    assertTrue(m.iceControlled());
    assertTrue(m.verifyFingerprint());
    assertTrue(m.verifyIntegrity(PASSWORD));
    assertFalse(m.verifyIntegrity("wrong".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void rfc5769ResponsesCarryTheirMappedAddresses() throws Exception {
    StunMessage v4 = StunMessage.parse(IPV4_RESPONSE, 0, IPV4_RESPONSE.length);
    assertNotNull(v4);
    assertTrue(v4.verifyIntegrity(PASSWORD));
    assertTrue(v4.verifyFingerprint());
    assertEquals(new InetSocketAddress("192.0.2.1", 32853), v4.xorMappedAddress());
    StunMessage v6 = StunMessage.parse(IPV6_RESPONSE, 0, IPV6_RESPONSE.length);
    assertNotNull(v6);
    assertTrue(v6.verifyIntegrity(PASSWORD));
    assertTrue(v6.verifyFingerprint());
    assertEquals(new InetSocketAddress("2001:db8:1234:5678:11:2233:4455:6677", 32853), v6.xorMappedAddress());
  }

  @Test
  void ourSuccessResponseMatchesTheRfcEncodingOfTheSameAddress() {
    byte[] tid = HexFormat.of().parseHex("b7e7a701bc34d686fa87dfae");
    byte[] ours = StunMessage.bindingSuccess(tid, new InetSocketAddress("192.0.2.1", 32853), PASSWORD);
    StunMessage m = StunMessage.parse(ours, 0, ours.length);
    assertNotNull(m);
    assertEquals(StunMessage.BINDING_SUCCESS, m.type());
    assertArrayEquals(tid, m.transactionId());
    assertEquals(new InetSocketAddress("192.0.2.1", 32853), m.xorMappedAddress());
    assertTrue(m.verifyIntegrity(PASSWORD));
    assertTrue(m.hasFingerprint());
    assertTrue(m.verifyFingerprint());
    // The XOR-MAPPED-ADDRESS attribute is byte-identical to the one in RFC 5769 §2.2.
    assertArrayEquals(java.util.Arrays.copyOfRange(IPV4_RESPONSE, 36, 48), java.util.Arrays.copyOfRange(ours, 20, 32));
  }

  @Test
  void builtRequestRoundTripsUseCandidateAndRole() {
    byte[] tid = new byte[12];
    new Random(1).nextBytes(tid);
    byte[] req = StunMessage.bindingRequest(tid, "srv:cli", 12345L, true, 99L, true, PASSWORD);
    StunMessage m = StunMessage.parse(req, 0, req.length);
    assertNotNull(m);
    assertEquals("srv:cli", m.username());
    assertEquals(12345L, m.priority());
    assertTrue(m.iceControlling());
    assertTrue(m.useCandidate());
    assertTrue(m.verifyIntegrity(PASSWORD));
  }

  @Test
  void flippedBitFailsIntegrityOrFingerprint() {
    byte[] copy = REQUEST.clone();
    copy[30] ^= 1; // inside SOFTWARE
    StunMessage m = StunMessage.parse(copy, 0, copy.length);
    assertNotNull(m);
    assertFalse(m.verifyIntegrity(PASSWORD));
    assertFalse(m.verifyFingerprint());
  }

  @Test
  void truncatedAndRandomInputIsRejectedWithoutThrowing() {
    for (int len = 0; len < REQUEST.length; len++) {
      assertNull(StunMessage.parse(REQUEST, 0, len), "prefix of length " + len);
    }
    Random random = new Random(42);
    byte[] buf = new byte[600];
    for (int i = 0; i < 20_000; i++) {
      random.nextBytes(buf);
      int len = random.nextInt(buf.length);
      if (random.nextBoolean() && len >= 20) {
        // Make the header plausible so the attribute walker gets exercised.
        buf[0] = 0;
        buf[2] = (byte) ((len - 20) >>> 8);
        buf[3] = (byte) (len - 20);
        buf[4] = 0x21;
        buf[5] = 0x12;
        buf[6] = (byte) 0xa4;
        buf[7] = 0x42;
      }
      StunMessage m = StunMessage.parse(buf, 0, len);
      if (m != null) {
        m.verifyIntegrity(PASSWORD);
        m.verifyFingerprint();
      }
    }
  }

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replaceAll("\\s+", ""));
  }
}
