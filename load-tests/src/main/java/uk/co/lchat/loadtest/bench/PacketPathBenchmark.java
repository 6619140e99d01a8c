package uk.co.lchat.loadtest.bench;

import java.security.SecureRandom;
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

import uk.co.lchat.media.rtp.RtpPacket;
import uk.co.lchat.media.srtp.PacketBuffer;
import uk.co.lchat.media.srtp.SrtpKeys;
import uk.co.lchat.media.srtp.SrtpProfile;
import uk.co.lchat.media.srtp.SrtpResult;
import uk.co.lchat.media.srtp.SrtpSession;

/**
 * The stages of the per-packet path one at a time: RTP parsing (flyweight view and the audio level extension), the
 * header rewrite done per receiver, SRTP protect, and SRTP unprotect (measured with the protect that makes a fresh
 * packet for it, since replay protection refuses repeats).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class PacketPathBenchmark {
  @Param({"AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80"})
  public SrtpProfile profile;

  private SrtpSession sender;
  private SrtpSession receiver;
  private final PacketBuffer packet = new PacketBuffer();
  private final byte[] plain = new byte[1200];
  private final RtpPacket rtp = new RtpPacket();
  private int length;
  private int seq;

  @Setup(Level.Trial)
  public void setup() {
    SecureRandom random = new SecureRandom();
    byte[] material = new byte[profile.keyingMaterialLength()];
    random.nextBytes(material);
    SrtpKeys keys = SrtpKeys.fromDtlsExport(profile, material, true);
    sender = new SrtpSession(keys);
    receiver = new SrtpSession(keys.reversed());
    // An audio-like packet with a one-byte header extension (RFC 8285) carrying an audio level, then payload.
    plain[0] = (byte) 0x90;
    plain[1] = 111;
    plain[8] = 0x11;
    plain[12] = (byte) 0xBE;
    plain[13] = (byte) 0xDE;
    plain[15] = 1;
    plain[16] = (byte) 0x10; // id 1, length 1
    plain[17] = (byte) 0x80 | 30;
    for (int i = 20; i < 1100; i++) {
      plain[i] = (byte) i;
    }
    length = 1100;
  }

  private void fresh() {
    byte[] b = packet.getBuffer();
    System.arraycopy(plain, 0, b, 0, length);
    int s = seq++ & 0xFFFF;
    b[2] = (byte) (s >>> 8);
    b[3] = (byte) s;
    packet.set(0, length);
  }

  @Benchmark
  public int parseRtpAndAudioLevel() {
    rtp.wrap(plain, 0, length);
    return rtp.sequenceNumber() + (int) rtp.ssrc() + rtp.payloadType() + rtp.audioLevel(1) + rtp.payloadLength();
  }

  @Benchmark
  public long rewriteHeaderForOneReceiver() {
    rtp.wrap(plain, 0, length);
    rtp.setPayloadType(109);
    rtp.setSsrc(0xCAFEBABEL);
    rtp.setSequenceNumber(seq++ & 0xFFFF);
    rtp.setTimestamp(seq * 960L);
    return rtp.timestamp();
  }

  @Benchmark
  public int srtpProtect() {
    fresh();
    if (sender.protectRtp(packet) != SrtpResult.OK) {
      throw new IllegalStateException("protect failed");
    }
    return packet.getLength();
  }

  @Benchmark
  public int srtpProtectThenUnprotect() {
    srtpProtect();
    if (receiver.unprotectRtp(packet) != SrtpResult.OK) {
      throw new IllegalStateException("unprotect failed");
    }
    return packet.getLength();
  }
}
