package uk.co.lchat.node.signaling;

import java.util.ArrayDeque;
import java.util.Iterator;

import uk.co.lchat.node.signaling.ParticipantSession.Outbound;

/**
 * What waits to be written to one client that reads more slowly than the node sends, in order.
 *
 * <p>Two kinds of message wait here. {@link Outbound.Droppable} messages are relayed from another member (a
 * {@code peer} payload, a chat line): when the queue is full the oldest of them go first, so whoever floods a member
 * loses their own flood. Every other message ({@link Outbound.Text}: roster, settings, media offers and answers,
 * {@code mediaMoved}, {@code reconnect}, errors) carries state the client cannot do without and is never dropped; a
 * client that lets {@code maxMessages} of those pile up reads nothing at all, and its connection is given up.
 *
 * <p>Droppable messages are bounded by count and by their total size (up to 64 KiB each); the others by count only,
 * since one of them (a large room's roster) may be bigger than the byte bound.
 */
public final class OutboundQueue {
  private final ArrayDeque<Outbound> queue = new ArrayDeque<>();
  private final int maxMessages;
  private final long maxDroppableBytes;
  private long droppableBytes;
  private long dropped;

  public OutboundQueue(int maxMessages, long maxDroppableBytes) {
    this.maxMessages = maxMessages;
    this.maxDroppableBytes = maxDroppableBytes;
  }

  /**
   * Queues {@code m}, dropping droppable messages (the oldest first, or {@code m} itself) to keep within the bounds.
   * Returns false when {@code m} must be delivered and the queue is full of messages that must be delivered too.
   */
  public boolean offer(Outbound m) {
    if (m instanceof Outbound.Droppable d) {
      long size = d.json().length();
      if (size > maxDroppableBytes) {
        dropped++;
        return true;
      }
      while (droppableBytes + size > maxDroppableBytes && dropOldestDroppable()) {
        // make room
      }
    }
    if (queue.size() >= maxMessages && !dropOldestDroppable()) {
      if (m instanceof Outbound.Droppable) {
        dropped++;
        return true;
      }
      return false;
    }
    queue.addLast(m);
    if (m instanceof Outbound.Droppable d) {
      droppableBytes += d.json().length();
    }
    return true;
  }

  /** The next message to write, or null. */
  public Outbound poll() {
    Outbound m = queue.pollFirst();
    if (m instanceof Outbound.Droppable d) {
      droppableBytes -= d.json().length();
    }
    return m;
  }

  public boolean isEmpty() {
    return queue.isEmpty();
  }

  public int size() {
    return queue.size();
  }

  /** Drops every droppable message still waiting (the socket is closing: only what must arrive is written). */
  public void dropDroppable() {
    while (dropOldestDroppable()) {
      // keep going
    }
  }

  /** Droppable messages dropped so far. */
  public long dropped() {
    return dropped;
  }

  private boolean dropOldestDroppable() {
    for (Iterator<Outbound> it = queue.iterator(); it.hasNext(); ) {
      if (it.next() instanceof Outbound.Droppable d) {
        it.remove();
        droppableBytes -= d.json().length();
        dropped++;
        return true;
      }
    }
    return false;
  }
}
