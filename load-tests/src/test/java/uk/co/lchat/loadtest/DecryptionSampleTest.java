package uk.co.lchat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which packets the load tool decrypts: a fixed share, chosen by sequence number, unbroken across a wrap. */
class DecryptionSampleTest {
  @Test
  void everyPacketIsDecryptedWhenAllAreAskedFor() {
    for (int seq = 0; seq < 0x10000; seq++) {
      assertTrue(DecryptionSample.ALL.decrypts(seq));
    }
  }

  @Test
  void oneInSixteenDecryptsTheSequenceNumbersDivisibleBySixteen() {
    DecryptionSample sample = new DecryptionSample(16);
    int decrypted = 0;
    for (int seq = 0; seq < 0x10000; seq++) {
      assertEquals(seq % 16 == 0, sample.decrypts(seq), "seq " + seq);
      decrypted += sample.decrypts(seq) ? 1 : 0;
    }
    assertEquals(0x10000 / 16, decrypted);
  }

  @Test
  void theSampleKeepsItsSpacingAcrossTheSequenceNumberWrap() {
    DecryptionSample sample = new DecryptionSample(32);
    assertTrue(sample.decrypts(0xFFE0));
    for (int seq = 0xFFE1; seq <= 0xFFFF; seq++) {
      assertFalse(sample.decrypts(seq));
    }
    assertTrue(sample.decrypts(0), "32 numbers after 0xFFE0, as anywhere else");
  }

  @Test
  void aShareThatIsNotAPowerOfTwoIsRefused() {
    // 2^16 is not a multiple of 10, so the gap across the wrap would differ from the others.
    assertThrows(IllegalArgumentException.class, () -> new DecryptionSample(10));
    assertThrows(IllegalArgumentException.class, () -> new DecryptionSample(0));
  }
}
