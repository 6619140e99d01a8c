package uk.co.lchat.media.srtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Once a stream is known, protecting and unprotecting allocate nothing (the forwarding path's target, issue 7). The
 * JVM counts the bytes this thread allocates, so this is a count, not a timing. It holds where the OpenSSL provider
 * loads (the JDK's own GCM needs a new parameter object per packet).
 */
class SrtpAllocationTest {
  private static final int PACKETS = 20_000;

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void protectingAndUnprotectingAllocateNothingPerPacket(SrtpProfile profile) {
    assumeTrue(AesProvider.specsReusable(), "jitsi-srtp's OpenSSL library did not load on this machine");
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
    byte[] key = new byte[profile.keyLength];
    byte[] salt = new byte[profile.saltLength];
    SrtpSession sender = new SrtpSession(new SrtpKeys(profile, key, salt, key, salt));
    SrtpSession receiver = new SrtpSession(new SrtpKeys(profile, key, salt, key, salt));
    PacketBuffer p = new PacketBuffer();
    roundTrips(sender, receiver, p, 0, 2_000);
    long before = threads.getCurrentThreadAllocatedBytes();
    roundTrips(sender, receiver, p, 2_000, PACKETS);
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertTrue(allocated < PACKETS, allocated + " bytes allocated for " + PACKETS + " RTP and RTCP round trips");
  }

  private static void roundTrips(SrtpSession sender, SrtpSession receiver, PacketBuffer p, int from, int count) {
    byte[] b = p.getBuffer();
    for (int i = from; i < from + count; i++) {
      b[0] = (byte) 0x80;
      b[1] = 96;
      b[2] = (byte) (i >>> 8);
      b[3] = (byte) i;
      SrtpContext.writeInt(b, 8, 0xCAFE);
      p.set(0, 1200);
      assertEquals(SrtpResult.OK, sender.protectRtp(p));
      assertEquals(SrtpResult.OK, receiver.unprotectRtp(p));
      b[1] = (byte) 201;
      b[2] = 0;
      b[3] = 6;
      SrtpContext.writeInt(b, 4, 0xCAFE);
      p.set(0, 28);
      assertEquals(SrtpResult.OK, sender.protectRtcp(p));
      assertEquals(SrtpResult.OK, receiver.unprotectRtcp(p));
    }
  }
}
