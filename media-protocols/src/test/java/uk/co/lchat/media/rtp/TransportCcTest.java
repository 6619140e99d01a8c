package uk.co.lchat.media.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class TransportCcTest {
  @Test
  void feedbackReadsBackWithLossAndArrivalTimesToTheQuarterMillisecond() {
    long t0 = 5_000_000_000L;
    long[] arrivals = new long[20];
    for (int i = 0; i < arrivals.length; i++) {
      arrivals[i] = t0 + i * 5_000_000L; // every 5 ms
    }
    arrivals[3] = -1; // lost
    arrivals[4] = -1;
    arrivals[10] = t0 - 40_000_000L; // reordered: arrived "before" the previous one: a large/negative delta
    byte[] b = new byte[256];
    int n = TransportCc.write(b, 0, 1, 2, 65530, arrivals, arrivals.length, 7);
    assertEquals(0, n % 4, "RTCP packets are whole words");
    assertEquals(n / 4 - 1, ((b[2] & 0xFF) << 8) | (b[3] & 0xFF));
    List<long[]> got = new ArrayList<>();
    assertTrue(TransportCc.read(b, 0, n, (seq, received, at) -> got.add(new long[] {seq, received ? 1 : 0, at})));
    assertEquals(20, got.size());
    assertEquals(65530, got.get(0)[0]);
    assertEquals(13, got.get(19)[0], "sequence numbers wrap (65530 + 19)");
    assertEquals(0, got.get(3)[1]);
    assertEquals(0, got.get(4)[1]);
    long base = got.get(0)[2] - arrivals[0];
    for (int i = 0; i < arrivals.length; i++) {
      if (arrivals[i] >= 0) {
        assertEquals(1, got.get(i)[1]);
        assertTrue(Math.abs(got.get(i)[2] - arrivals[i] - base) <= 125_000, "seq index " + i);
      }
    }
  }

  @Test
  void malformedFeedbackIsRefusedNotThrown() {
    Random random = new Random(11);
    byte[] b = new byte[120];
    for (int i = 0; i < 10_000; i++) {
      random.nextBytes(b);
      b[0] = (byte) (0x80 | TransportCc.FMT);
      b[1] = (byte) RtcpFeedback.PT_RTPFB;
      TransportCc.read(b, 0, random.nextInt(b.length), (seq, received, at) -> { });
    }
    assertFalse(TransportCc.read(new byte[10], 0, 10, (seq, received, at) -> { }));
  }
}
