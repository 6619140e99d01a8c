package uk.co.lchat.loadtest;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import uk.co.lchat.media.srtp.PacketBuffer;
import uk.co.lchat.media.srtp.SrtpKeys;
import uk.co.lchat.media.srtp.SrtpProfile;
import uk.co.lchat.media.srtp.SrtpResult;
import uk.co.lchat.media.srtp.SrtpSession;
import uk.co.lchat.testpeer.SimulatedPeer;

/**
 * The load tool's own work for each packet it receives, without the socket: {@link SampledDecryption} (header
 * replay check, and SRTP unprotect for the sampled ones) and {@link Reception} (sequence numbers, delay, jitter),
 * for a 1150-byte video packet, decrypting all ({@code decryptOneIn} 1) or one in 16. Replay protection refuses
 * repeats, so each operation first protects a fresh packet as the server would; {@code protectOnly} is that part
 * alone, to subtract.
 *
 * <p>On a shared, loaded machine JMH's wall-clock throughput mostly measures the other tenants; {@link #main} measures
 * the same two operations in this thread's own CPU time ({@code ThreadMXBean}), best of five rounds of 500,000
 * packets each: {@code java -cp ... uk.co.lchat.loadtest.ReceiveBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class ReceiveBenchmark {
  private static final long SSRC = 0x2345_6789L;

  @Param({"AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80"})
  public SrtpProfile profile;

  @Param({"1", "16"})
  public int decryptOneIn;

  private SrtpSession sender;
  private SrtpSession receiverSession;
  private SampledDecryption decryption;
  private final PacketBuffer packet = new PacketBuffer();
  private final Measurements measurements = new Measurements();
  private int seq;

  @Setup(Level.Trial)
  public void setup() {
    byte[] material = new byte[profile.keyingMaterialLength()];
    new SecureRandom().nextBytes(material);
    SrtpKeys keys = SrtpKeys.fromDtlsExport(profile, material, true);
    sender = new SrtpSession(keys);
    receiverSession = new SrtpSession(keys.reversed());
    Reception reception = new Reception(measurements);
    reception.offer(List.of(new Reception.OfferedTrack(SSRC, "ann", "ann-video", true)));
    decryption = new SampledDecryption(new DecryptionSample(decryptOneIn), (buf, len, arrival, decrypted) -> {
      measurements.packets.increment();
      measurements.bytes.add(len);
      int s = ((buf[2] & 0xFF) << 8) | (buf[3] & 0xFF);
      reception.packet(SSRC, true, s, decrypted ? SimulatedPeer.sendTimeOf(buf, len) : 0, arrival);
    });
  }

  /** A fresh 1150-byte VP8-sized packet with its send time, protected as the server sends it; its length. */
  private int protectNext() {
    byte[] b = packet.getBuffer();
    b[0] = (byte) 0x80;
    b[1] = 96;
    b[2] = (byte) (seq >>> 8);
    b[3] = (byte) seq;
    for (int i = 0; i < 4; i++) {
      b[4 + i] = (byte) ((seq * 3000L) >>> (24 - 8 * i));
      b[8 + i] = (byte) (SSRC >>> (24 - 8 * i));
    }
    seq = (seq + 1) & 0xFFFF;
    int end = 12 + 1150;
    long now = System.nanoTime();
    for (int i = 0; i < 8; i++) {
      b[end - 8 + i] = (byte) (now >>> (56 - 8 * i));
    }
    packet.set(0, end);
    return sender.protectRtp(packet) == SrtpResult.OK ? packet.getLength() : 0;
  }

  @Benchmark
  public int protectOnly() {
    return protectNext();
  }

  @Benchmark
  public long protectAndReceive() {
    int length = protectNext();
    decryption.srtp(packet.getBuffer(), length, System.nanoTime(), receiverSession);
    return decryption.counted();
  }

  /** CPU-ns per packet of protectOnly and protectAndReceive, by this thread's CPU time, for each profile and share. */
  public static void main(String[] args) {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    System.out.println("profile                  decryptOneIn  protect ns  protect+receive ns  receive ns");
    for (SrtpProfile profile : SrtpProfile.values()) {
      for (int oneIn : new int[] {1, 16}) {
        ReceiveBenchmark b = new ReceiveBenchmark();
        b.profile = profile;
        b.decryptOneIn = oneIn;
        b.setup();
        long protect = Long.MAX_VALUE;
        long both = Long.MAX_VALUE;
        int n = 500_000;
        for (int round = 0; round < 6; round++) {
          long t0 = cpu.getCurrentThreadCpuTime();
          for (int i = 0; i < n; i++) {
            b.protectOnly();
          }
          long t1 = cpu.getCurrentThreadCpuTime();
          for (int i = 0; i < n; i++) {
            b.protectAndReceive();
          }
          long t2 = cpu.getCurrentThreadCpuTime();
          if (round > 0) { // the first round warms up the JIT
            protect = Math.min(protect, (t1 - t0) / n);
            both = Math.min(both, (t2 - t1) / n);
          }
        }
        System.out.printf("%-24s %12d %11d %19d %11d%n", profile, oneIn, protect, both, both - protect);
      }
    }
  }
}
