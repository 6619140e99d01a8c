package uk.co.lchat.media.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

import org.junit.jupiter.api.Test;

class SendQueueTest {
  @Test
  void queuedDatagramsLeaveWholeAndInOrder() throws Exception {
    try (DatagramChannel sender = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
         DatagramChannel receiver = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
      SendQueue q = new SendQueue();
      assertTrue(q.isEmpty());
      for (int i = 1; i <= 5; i++) {
        byte[] packet = new byte[100 * i];
        packet[0] = (byte) i;
        assertTrue(q.offer(packet, 0, packet.length));
      }
      assertFalse(q.isEmpty());
      assertEquals(5, q.drainTo(sender, (InetSocketAddress) receiver.getLocalAddress()));
      assertTrue(q.isEmpty());
      ByteBuffer b = ByteBuffer.allocate(2000);
      for (int i = 1; i <= 5; i++) {
        b.clear();
        receiver.receive(b);
        assertEquals(100 * i, b.position(), "datagram " + i + " keeps its length");
        assertEquals(i, b.get(0), "and its place in the order");
      }
    }
  }

  @Test
  void aFullQueueDropsNewPacketsAndCountsThem() {
    SendQueue q = new SendQueue();
    byte[] packet = new byte[1200];
    int accepted = 0;
    while (q.offer(packet, 0, packet.length)) {
      accepted++;
    }
    assertEquals(SendQueue.CAPACITY / 1202, accepted);
    assertEquals(1, q.dropped);
    q.clear();
    assertTrue(q.isEmpty());
    assertTrue(q.offer(packet, 0, packet.length));
  }
}
