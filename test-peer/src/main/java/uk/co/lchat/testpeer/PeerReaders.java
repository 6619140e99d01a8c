package uk.co.lchat.testpeer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import uk.co.lchat.media.srtp.PacketBuffer;

/**
 * Reads the UDP sockets of many simulated peers on a few platform threads, each with one selector, instead of a
 * virtual thread per peer. A virtual thread blocked in {@code receive} pays, for nearly every datagram, a read that
 * finds nothing, a re-armed epoll registration, a wake-up of the JDK's poller and a hand-over to a carrier thread;
 * a selector thread whose registrations stay put reads what is ready in one pass, and while it is busy no wake-up
 * is needed at all. Meant for a thousand receiving peers in one load tool; measured there at 8.0 against 8.9 CPU-µs
 * per received packet (docs/benchmarks.md), not yet the tool's default.
 *
 * <p>Each peer is read by one thread ({@link #assign}), so its receive state keeps a single reader as with its own
 * thread.
 */
public final class PeerReaders implements AutoCloseable {
  /** Gets each datagram a peer's socket received; the buffer is the reader's, valid only during the call. */
  interface Datagrams {
    void datagram(byte[] buffer, int length);
  }

  /** At most this many datagrams from one socket per pass, so one busy socket cannot hold up the others. */
  private static final int PER_PASS = 32;

  private final Reader[] readers;
  private final AtomicInteger next = new AtomicInteger();

  /** {@code threads} reader threads (e.g. one per core), started at once. */
  public PeerReaders(int threads) {
    readers = new Reader[threads];
    for (int i = 0; i < threads; i++) {
      readers[i] = new Reader();
      Thread t = new Thread(readers[i], "peer-reader-" + i);
      t.setDaemon(true);
      t.start();
    }
  }

  /** The reader thread of one more peer, round robin. */
  Reader assign() {
    return readers[Math.floorMod(next.getAndIncrement(), readers.length)];
  }

  @Override
  public void close() {
    for (Reader r : readers) {
      r.close();
    }
  }

  static final class Reader implements Runnable {
    private final Selector selector;
    private final ConcurrentLinkedQueue<Runnable> registrations = new ConcurrentLinkedQueue<>();
    private final byte[] buffer = new byte[PacketBuffer.CAPACITY];
    private final ByteBuffer bytes = ByteBuffer.wrap(buffer);
    private volatile boolean closed;

    Reader() {
      try {
        selector = Selector.open();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /**
     * Reads {@code channel} from now on (it becomes non-blocking: send on it with {@code channel.send}); closing the
     * channel ends it.
     */
    void read(DatagramChannel channel, Datagrams to) throws IOException {
      channel.configureBlocking(false);
      registrations.add(() -> {
        try {
          channel.register(selector, SelectionKey.OP_READ, to);
        } catch (IOException e) {
          // closed before it was registered: nothing to read
        }
      });
      selector.wakeup();
    }

    @Override
    public void run() {
      try {
        while (!closed) {
          selector.select();
          for (Runnable r; (r = registrations.poll()) != null; ) {
            r.run();
          }
          for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
            SelectionKey key = it.next();
            it.remove();
            if (key.isValid()) {
              drain(key);
            }
          }
        }
      } catch (IOException | ClosedSelectorException e) {
        // closed
      }
    }

    private void drain(SelectionKey key) {
      DatagramChannel channel = (DatagramChannel) key.channel();
      Datagrams to = (Datagrams) key.attachment();
      for (int i = 0; i < PER_PASS; i++) {
        bytes.clear();
        try {
          if (channel.receive(bytes) == null) {
            return;
          }
        } catch (IOException e) {
          key.cancel();
          return;
        }
        try {
          to.datagram(buffer, bytes.position());
        } catch (RuntimeException e) {
          // one peer's failure must not stop the reading of every other peer on this thread
        }
      }
    }

    void close() {
      closed = true;
      try {
        selector.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }
}
