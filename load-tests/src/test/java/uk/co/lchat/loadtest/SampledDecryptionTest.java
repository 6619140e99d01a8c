package uk.co.lchat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import uk.co.lchat.media.srtp.PacketBuffer;
import uk.co.lchat.media.srtp.SrtpKeys;
import uk.co.lchat.media.srtp.SrtpProfile;
import uk.co.lchat.media.srtp.SrtpResult;
import uk.co.lchat.media.srtp.SrtpSession;
import uk.co.lchat.testpeer.SimulatedPeer;

/**
 * Counting from clear headers and decrypting a sample gives the loss and order figures that decrypting every packet
 * gives, on one SRTP stream with losses, reordering, duplicates, a packet too late for the replay window and a
 * sequence-number wrap; and only the sampled packets are decrypted, each with its send time intact.
 */
class SampledDecryptionTest {
  private static final long SSRC = 0x1234_5678L;
  private static final long MS = 1_000_000L;
  /** The packet that comes too late to be told from a replay (RFC 3711 §3.3.2), so is refused and lost. */
  private static final int LATE = 65104;

  /** One wire packet: what the server sent, when it arrives at the receiver. */
  private record Wire(byte[] bytes, int seq, long sentNanos, long arrivalNanos) {}

  /** What one receiver made of the stream. */
  private static final class Counted {
    final Measurements m = new Measurements();
    final Reception reception = new Reception(m);
    final Set<Integer> decrypted = new TreeSet<>();
    final List<Long> delays = new ArrayList<>();
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void lossAndOrderAreCountedTheSameWhicheverPacketsAreDecrypted(SrtpProfile profile) {
    SrtpKeys keys = keys(profile);
    List<Wire> wire = stream(new SrtpSession(keys));

    Counted all = receive(wire, new SrtpSession(keys.reversed()), DecryptionSample.ALL);
    Counted sampled = receive(wire, new SrtpSession(keys.reversed()), new DecryptionSample(16));

    assertEquals(all.m.packets.sum(), sampled.m.packets.sum(), "packets counted");
    assertEquals(all.m.expected.sum(), sampled.m.expected.sum(), "packets expected");
    assertEquals(all.m.lost.sum(), sampled.m.lost.sum(), "packets lost");
    // The stream is built below: 2000 numbers sent, 7 never arrive and one arrives too late for the window.
    assertEquals(2000, all.m.expected.sum());
    assertEquals(8, all.m.lost.sum());
    assertEquals(1992, all.m.packets.sum(), "duplicates are refused in both");
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void onlyTheSampledPacketsAreDecryptedAndTheirSendTimesAreRead(SrtpProfile profile) {
    SrtpKeys keys = keys(profile);
    List<Wire> wire = stream(new SrtpSession(keys));

    Counted sampled = receive(wire, new SrtpSession(keys.reversed()), new DecryptionSample(16));

    Set<Integer> arrivedDivisibleBy16 = new TreeSet<>();
    for (Wire w : wire) {
      if (w.seq() % 16 == 0 && w.seq() != LATE) {
        arrivedDivisibleBy16.add(w.seq());
      }
    }
    assertEquals(arrivedDivisibleBy16, sampled.decrypted);
    assertEquals(sampled.decrypted.size(), sampled.delays.size(), "a delay for each decrypted packet only");
    for (long d : sampled.delays) {
      assertEquals(3 * MS, d, "the send time in the decrypted payload: sent 3 ms before it arrived");
    }
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void aSampledPacketThatFailsAuthenticationIsNotCounted(SrtpProfile profile) {
    SrtpKeys keys = keys(profile);
    Wire w = stream(new SrtpSession(keys)).get(0); // sequence number 65000, divisible by 8
    byte[] forged = w.bytes().clone();
    forged[forged.length - 1] ^= 1;
    Counted counted = receive(List.of(new Wire(forged, w.seq(), w.sentNanos(), w.arrivalNanos())),
        new SrtpSession(keys.reversed()), new DecryptionSample(8));

    assertEquals(0, counted.m.packets.sum());
  }

  /**
   * Sequence numbers 65000 .. 65535, 0 .. 1463 (2000 in all, wrapping), one every 20 ms, each arriving 3 ms after it
   * was sent, but: seven are lost (two of them sampled ones), two pairs swap places, three arrive twice, and one
   * ({@link #LATE}, a sampled one) arrives only after 100 newer ones, beyond SRTP's 64-packet replay window.
   */
  private static List<Wire> stream(SrtpSession sender) {
    Set<Integer> lost = Set.of(65010, 65011, 65012, 65024, 0, 5, 1000);
    List<Wire> sent = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      int seq = (65000 + i) & 0xFFFF;
      long at = i * 20 * MS;
      Wire w = new Wire(protect(sender, seq, at), seq, at, at + 3 * MS);
      if (!lost.contains(seq)) {
        sent.add(w);
      }
    }
    List<Wire> arriving = new ArrayList<>(sent);
    swap(arriving, 200, 201);
    swap(arriving, 700, 702);
    for (int at : new int[] {300, 900, 1500}) {
      arriving.add(at + 1, arriving.get(at));
    }
    int late = indexOf(arriving, LATE);
    Wire delayed = arriving.remove(late);
    arriving.add(late + 100, delayed);
    return arriving;
  }

  private static int indexOf(List<Wire> list, int seq) {
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).seq() == seq) {
        return i;
      }
    }
    throw new IllegalArgumentException("no packet " + seq);
  }

  private static void swap(List<Wire> list, int a, int b) {
    Wire t = list.get(a);
    list.set(a, list.get(b));
    list.set(b, t);
  }

  private static Counted receive(List<Wire> wire, SrtpSession receiverSession, DecryptionSample sample) {
    Counted c = new Counted();
    c.reception.offer(List.of(new Reception.OfferedTrack(SSRC, "ann", "ann-audio", false)));
    SampledDecryption decryption = new SampledDecryption(sample, (buf, len, arrival, decrypted) -> {
      int seq = ((buf[2] & 0xFF) << 8) | (buf[3] & 0xFF);
      long sent = 0;
      if (decrypted) {
        c.decrypted.add(seq);
        sent = SimulatedPeer.sendTimeOf(buf, len);
        c.delays.add(arrival - sent);
      }
      c.m.packets.increment();
      c.reception.packet(SSRC, false, seq, sent, arrival);
    });
    for (Wire w : wire) {
      byte[] copy = w.bytes().clone(); // the peer's reader reuses its buffer; so may the receiver
      decryption.srtp(copy, copy.length, w.arrivalNanos(), receiverSession);
    }
    assertTrue(decryption.counted() >= decryption.decrypted());
    return c;
  }

  /** An RTP packet (RFC 3550 §5.1) whose 60-byte payload ends with its send time, SRTP-protected. */
  private static byte[] protect(SrtpSession sender, int seq, long sentNanos) {
    PacketBuffer p = new PacketBuffer();
    byte[] b = p.getBuffer();
    b[0] = (byte) 0x80;
    b[1] = 111;
    b[2] = (byte) (seq >>> 8);
    b[3] = (byte) seq;
    for (int i = 0; i < 4; i++) {
      b[4 + i] = (byte) ((seq * 960L) >>> (24 - 8 * i));
      b[8 + i] = (byte) (SSRC >>> (24 - 8 * i));
    }
    int end = 12 + 60;
    for (int i = 0; i < 8; i++) {
      b[end - 8 + i] = (byte) (sentNanos >>> (56 - 8 * i));
    }
    p.set(0, end);
    assertEquals(SrtpResult.OK, sender.protectRtp(p));
    byte[] out = new byte[p.getLength()];
    System.arraycopy(b, 0, out, 0, out.length);
    return out;
  }

  private static SrtpKeys keys(SrtpProfile profile) {
    SecureRandom r = new SecureRandom();
    byte[][] k = new byte[4][];
    for (int i = 0; i < 4; i++) {
      k[i] = new byte[i % 2 == 0 ? profile.keyLength : profile.saltLength];
      r.nextBytes(k[i]);
    }
    return new SrtpKeys(profile, k[0], k[1], k[2], k[3]);
  }
}
