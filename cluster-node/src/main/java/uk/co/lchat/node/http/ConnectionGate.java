package uk.co.lchat.node.http;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the node's open HTTP connections (WebSockets included) by client address and refuses a connection that
 * would give one address more than its share, so that one client cannot hold all of the node's connections.
 *
 * <p>IPv6 clients count by their /64 prefix: one host is usually given a whole /64 (RFC 6177), so counting single
 * IPv6 addresses would let one attacker open as many as it likes. Clients behind one NAT (an office) share one
 * IPv4 address, which is why the default cap is far above one person's few connections.
 */
public final class ConnectionGate {
  private final int perAddress;
  private final ConcurrentHashMap<InetAddress, Integer> open = new ConcurrentHashMap<>();
  private final AtomicLong total = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong headerTimeouts = new AtomicLong();

  public ConnectionGate(int perAddress) {
    this.perAddress = perAddress;
  }

  /** Takes a place for a new connection from {@code client}; false (nothing taken) when its address is full. */
  public boolean admit(InetAddress client) {
    boolean[] admitted = {false};
    open.compute(key(client), (k, n) -> {
      int count = n == null ? 0 : n;
      if (count >= perAddress) {
        return n;
      }
      admitted[0] = true;
      return count + 1;
    });
    if (admitted[0]) {
      total.incrementAndGet();
    } else {
      refused.incrementAndGet();
    }
    return admitted[0];
  }

  /** Gives back the place of a closed connection that {@link #admit} let in. */
  public void release(InetAddress client) {
    open.computeIfPresent(key(client), (k, n) -> n <= 1 ? null : n - 1);
    total.decrementAndGet();
  }

  void headerTimedOut() {
    headerTimeouts.incrementAndGet();
  }

  /** Connections open now. */
  public long openConnections() {
    return total.get();
  }

  /** Connections refused because their address had {@code max-connections-per-address} open. */
  public long refusedConnections() {
    return refused.get();
  }

  /** Connections closed because a request's head did not arrive within {@code header-timeout}. */
  public long headerTimeouts() {
    return headerTimeouts.get();
  }

  private static InetAddress key(InetAddress client) {
    if (!(client instanceof Inet6Address)) {
      return client;
    }
    byte[] prefix = Arrays.copyOf(client.getAddress(), 16);
    Arrays.fill(prefix, 8, 16, (byte) 0);
    try {
      return InetAddress.getByAddress(prefix);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("16 bytes are always an IPv6 address", e);
    }
  }
}
