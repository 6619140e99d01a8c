package uk.co.lchat.node.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import uk.co.lchat.node.signaling.ParticipantSession.Outbound;

class OutboundQueueTest {

  private static List<String> drain(OutboundQueue q) {
    List<String> out = new ArrayList<>();
    for (Outbound m = q.poll(); m != null; m = q.poll()) {
      out.add(switch (m) {
        case Outbound.Text t -> t.json();
        case Outbound.Droppable d -> d.json();
        case Outbound.Close c -> "close";
      });
    }
    return out;
  }

  @Test
  void whenFullTheOldestRelayedMessageGoesAndRoomStateStaysInOrder() {
    OutboundQueue q = new OutboundQueue(3, 1000);
    assertTrue(q.offer(new Outbound.Droppable("peer1")));
    assertTrue(q.offer(new Outbound.Text("roster")));
    assertTrue(q.offer(new Outbound.Droppable("peer2")));
    assertTrue(q.offer(new Outbound.Droppable("peer3")));
    assertTrue(q.offer(new Outbound.Text("mediaMoved")));
    assertEquals(List.of("roster", "peer3", "mediaMoved"), drain(q));
    assertEquals(2, q.dropped());
  }

  @Test
  void aRelayedMessageFindingTheQueueFullOfStateIsDroppedItself() {
    OutboundQueue q = new OutboundQueue(2, 1000);
    q.offer(new Outbound.Text("roster"));
    q.offer(new Outbound.Text("settings"));
    assertTrue(q.offer(new Outbound.Droppable("peer")));
    assertEquals(1, q.dropped());
    assertEquals(List.of("roster", "settings"), drain(q));
  }

  @Test
  void aClientThatReadsNothingOverflowsOnlyWithMessagesThatMustArrive() {
    OutboundQueue q = new OutboundQueue(2, 1000);
    assertTrue(q.offer(new Outbound.Text("a")));
    assertTrue(q.offer(new Outbound.Text("b")));
    assertFalse(q.offer(new Outbound.Text("c")));
  }

  @Test
  void relayedMessagesAreBoundedByBytesToo() {
    OutboundQueue q = new OutboundQueue(100, 10);
    q.offer(new Outbound.Droppable("aaaa"));
    q.offer(new Outbound.Droppable("bbbb"));
    q.offer(new Outbound.Text("a big roster over the byte bound"));
    q.offer(new Outbound.Droppable("cccc"));
    assertEquals(List.of("bbbb", "a big roster over the byte bound", "cccc"), drain(q));
    assertTrue(q.offer(new Outbound.Droppable("over ten bytes")), "too big alone: dropped, not queued");
    assertNull(q.poll());
  }

  @Test
  void aClosingSocketKeepsOnlyWhatMustArrive() {
    OutboundQueue q = new OutboundQueue(10, 1000);
    q.offer(new Outbound.Droppable("peer"));
    q.offer(new Outbound.Text("removed"));
    q.offer(new Outbound.Droppable("chat"));
    q.dropDroppable();
    assertEquals(List.of("removed"), drain(q));
  }
}
