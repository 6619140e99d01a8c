package uk.co.lchat.loadtest.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

import uk.co.lchat.media.router.MediaRouter;
import uk.co.lchat.media.router.Publication;
import uk.co.lchat.media.router.RouterSettings;
import uk.co.lchat.media.srtp.PacketBuffer;
import uk.co.lchat.media.srtp.SrtpKeys;
import uk.co.lchat.media.srtp.SrtpProfile;
import uk.co.lchat.media.srtp.SrtpResult;
import uk.co.lchat.media.srtp.SrtpSession;

/**
 * The whole packet path of a real {@link MediaRouter} over loopback UDP, where {@link ForwardingBenchmark} measures
 * only the crypto it calls: a publisher sends SRTP video over a relay link (which needs no ICE or DTLS), the router's
 * loop decrypts it, caches it and forwards it to N relay receivers whose packets all arrive at one sink socket. Each
 * operation sends one packet; the benchmark keeps at most {@link #WINDOW} packets per receiver in flight, so it
 * measures the rate the router sustains rather than how fast the kernel drops. Packets lost on loopback (the
 * benchmark waits 200 ms for each) are counted and printed at the end of a trial: a run that lost any is suspect.
 *
 * <p>Throughput here is mostly the kernel's and the scheduler's (N + 1 system calls in the router and as many in the
 * benchmark per packet), and on a shared machine it swings with the load. So the trial also prints the CPU time the
 * router's own thread spent per packet in over the measurement iterations ({@code router thread CPU}), and of it
 * the time in user mode (the router's code and the JDK's, without the kernel's send and delivery work): the figure
 * that says what the router's code costs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class RouterBenchmark {
  private static final int WINDOW = 16;
  private static final SrtpProfile PROFILE = SrtpProfile.AEAD_AES_128_GCM;

  @Param({"1", "10"})
  public int receivers;

  private MediaRouter router;
  private DatagramChannel publisherSocket;
  private DatagramChannel sink;
  private SrtpSession publisher;
  private final PacketBuffer sent = new PacketBuffer();
  private final ByteBuffer sendBuffer = ByteBuffer.wrap(sent.getBuffer());
  private final byte[] payload = new byte[1100];
  private final DatagramPacket received = new DatagramPacket(new byte[PacketBuffer.CAPACITY], PacketBuffer.CAPACITY);
  private int seq;
  private long outstanding;
  private long lost;
  private long forwarded;
  private long sentPackets;
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private long routerThreadId = -1;
  private long cpuAtStart;
  private long userAtStart;
  private long measuredUser;
  private long sentAtStart;
  private long measuredCpu;
  private long measuredPackets;

  @Setup(Level.Trial)
  public void setup() throws IOException {
    SecureRandom random = new SecureRandom();
    random.nextBytes(payload);
    router = MediaRouter.start(RouterSettings.loopback(0), null);
    InetSocketAddress routerAddress = new InetSocketAddress("127.0.0.1", router.port());
    publisherSocket = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
    publisherSocket.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
    publisherSocket.connect(routerAddress);
    sink = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
    sink.setOption(StandardSocketOptions.SO_RCVBUF, 8 << 20);
    sink.socket().setSoTimeout(200);
    InetSocketAddress sinkAddress = (InetSocketAddress) sink.getLocalAddress();

    SrtpKeys upstream = keys(random);
    publisher = new SrtpSession(upstream.reversed());
    var in = router.createRelay("bench:in",
        (InetSocketAddress) publisherSocket.getLocalAddress(), upstream);
    Publication p = router.publish(in, 0x11223344L, "video", 96, 90000, -1);
    for (int i = 0; i < receivers; i++) {
      var out = router.createRelay("bench:out" + i, sinkAddress, keys(random));
      router.subscribe(p, out, 100);
    }
    // The router applies publications and subscriptions on its loop: send until every receiver gets packets.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    int got = 0;
    while (got < receivers * 20) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the router forwarded " + got + " packets in 30 s");
      }
      sendOne();
      got += drain();
    }
    while (drain() > 0) {
      // forget what the warm-up left in flight
    }
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals("media-router-" + router.port())) {
        routerThreadId = t.threadId();
      }
    }
  }

  @Setup(Level.Iteration)
  public void iterationStarts() {
    cpuAtStart = routerThreadId < 0 ? 0 : threads.getThreadCpuTime(routerThreadId);
    userAtStart = routerThreadId < 0 ? 0 : threads.getThreadUserTime(routerThreadId);
    sentAtStart = sentPackets;
  }

  @TearDown(Level.Iteration)
  public void iterationEnds(IterationParams iteration) {
    if (routerThreadId >= 0 && iteration.getType() == IterationType.MEASUREMENT) {
      measuredCpu += threads.getThreadCpuTime(routerThreadId) - cpuAtStart;
      measuredUser += threads.getThreadUserTime(routerThreadId) - userAtStart;
      measuredPackets += sentPackets - sentAtStart;
    }
  }

  private static SrtpKeys keys(SecureRandom random) {
    byte[] material = new byte[PROFILE.keyingMaterialLength()];
    random.nextBytes(material);
    return SrtpKeys.fromDtlsExport(PROFILE, material, true);
  }

  /** Reads what arrived within the socket timeout; returns how many datagrams. */
  private int drain() throws IOException {
    int n = 0;
    try {
      do {
        sink.socket().receive(received);
        n++;
      } while (n < 4 * receivers);
    } catch (SocketTimeoutException e) {
      // nothing more for now
    }
    return n;
  }

  /** A 1100-byte video payload as the publisher sends it: new sequence number and timestamp every time. */
  private void sendOne() throws IOException {
    PublisherPackets.write(sent, seq++, payload);
    if (publisher.protectRtp(sent) != SrtpResult.OK) {
      throw new IllegalStateException("protect failed");
    }
    sendBuffer.clear().limit(sent.getLength());
    publisherSocket.write(sendBuffer);
    sentPackets++;
  }

  @Benchmark
  public long forwardOnePacketToEachReceiver() throws IOException {
    while (outstanding > (long) WINDOW * receivers) {
      try {
        sink.socket().receive(received);
        outstanding--;
        forwarded++;
      } catch (SocketTimeoutException e) {
        lost += outstanding; // counted at most once: nothing is outstanding after this
        outstanding = 0;
      }
    }
    sendOne();
    outstanding += receivers;
    return outstanding;
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    System.out.println("RouterBenchmark: " + forwarded + " packets received at the sink, " + lost
        + " given up for lost; router thread CPU " + (measuredPackets == 0 ? -1 : measuredCpu / measuredPackets)
        + " ns per packet in (user mode " + (measuredPackets == 0 ? -1 : measuredUser / measuredPackets)
        + " ns), " + receivers + " receivers");
    router.close();
    publisherSocket.close();
    sink.close();
  }
}
