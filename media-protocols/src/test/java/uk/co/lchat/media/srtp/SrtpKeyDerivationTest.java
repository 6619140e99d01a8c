package uk.co.lchat.media.srtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

/** RFC 3711 Appendix B.3: session keys derived from a master key and salt (key_derivation_rate 0). */
class SrtpKeyDerivationTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void derivesTheRfc3711SessionKeys() throws Exception {
    SrtpKeyDerivation kdf = new SrtpKeyDerivation(HEX.parseHex("e1f97a0d3e018be0d64fa32c06de4139"),
        HEX.parseHex("0ec675ad498afeebb6960b3aabe6"));
    assertArrayEquals(HEX.parseHex("c61e7a93744f39ee10734afe3ff7a087"),
        kdf.derive(SrtpKeyDerivation.RTP_ENCRYPTION, 16));
    assertArrayEquals(HEX.parseHex("30cbbc08863d8c85d49db34a9ae1"), kdf.derive(SrtpKeyDerivation.RTP_SALT, 14));
    byte[] auth = kdf.derive(SrtpKeyDerivation.RTP_AUTHENTICATION, 94);
    assertArrayEquals(HEX.parseHex("cebe321f6ff7716b6fd4ab49af256a156d38baa4"), Arrays.copyOf(auth, 20));
  }
}
