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
 * The router's per-packet work without the socket: SRTP-decrypt a publisher's packet once, parse it, then for each
 * of N receivers copy it, rewrite the payload type and SRTP-encrypt it (what {@code SrtpDecrypt} does once and
 * {@code Subscription.forward} per subscriber; {@link RouterBenchmark} runs the router itself). Each op first
 * encrypts a fresh packet as the publisher would (replay protection refuses repeats); {@link #publisherEncryptOnly}
 * measures that part alone so it can be subtracted.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class ForwardingBenchmark {
  @Param({"1", "10", "50"})
  public int receivers;

  @Param({"AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80"})
  public SrtpProfile profile;

  private SrtpSession publisher;
  private SrtpSession routerIn;
  private SrtpSession[] routerOut;
  private final PacketBuffer sent = new PacketBuffer();
  private final PacketBuffer rx = new PacketBuffer();
  private final PacketBuffer tx = new PacketBuffer();
  private final RtpPacket rtp = new RtpPacket();
  private final byte[] payload = new byte[1100];
  private int seq;
  private long bytesOut;

  @Setup(Level.Trial)
  public void setup() {
    SecureRandom random = new SecureRandom();
    SrtpKeys upstream = keys(random);
    publisher = new SrtpSession(upstream.reversed());
    routerIn = new SrtpSession(upstream);
    routerOut = new SrtpSession[receivers];
    for (int i = 0; i < receivers; i++) {
      routerOut[i] = new SrtpSession(keys(random));
    }
    random.nextBytes(payload);
  }

  private SrtpKeys keys(SecureRandom random) {
    byte[] material = new byte[profile.keyingMaterialLength()];
    random.nextBytes(material);
    return SrtpKeys.fromDtlsExport(profile, material, true);
  }

  /** A 1100-byte video payload as the publisher sends it: new sequence number and timestamp every time. */
  private void publisherPacket() {
    PublisherPackets.write(sent, seq++, payload);
    if (publisher.protectRtp(sent) != SrtpResult.OK) {
      throw new IllegalStateException("protect failed");
    }
  }

  @Benchmark
  public int publisherEncryptOnly() {
    publisherPacket();
    return sent.getLength();
  }

  @Benchmark
  public long decryptOnceEncryptPerReceiver() {
    publisherPacket();
    rx.copyFrom(sent.getBuffer(), 0, sent.getLength());
    if (routerIn.unprotectRtp(rx) != SrtpResult.OK) {
      throw new IllegalStateException("unprotect failed");
    }
    int plain = rx.getLength();
    if (!rtp.wrap(rx.getBuffer(), 0, plain)) {
      throw new IllegalStateException("parse failed");
    }
    for (SrtpSession out : routerOut) {
      byte[] o = tx.getBuffer();
      System.arraycopy(rx.getBuffer(), 0, o, 0, plain);
      o[1] = (byte) ((o[1] & 0x80) | 100);
      tx.set(0, plain);
      if (out.protectRtp(tx) != SrtpResult.OK) {
        throw new IllegalStateException("protect failed");
      }
      bytesOut += tx.getLength();
    }
    return bytesOut;
  }
}
