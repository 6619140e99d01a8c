package uk.co.lchat.loadtest;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The tries to reopen a signaling connection that dropped without the server asking (its node was killed): as the
 * web client does (cluster-node's signaling.js), a doubling delay from 0.5 s up to 10 s, 16 tries, about two
 * minutes in all; the first try goes to the URL that dropped, the next ones to the other nodes the tool was given
 * in turn, since the dropped node may stay down.
 */
final class ReconnectSchedule {
  static final int TRIES = 16;
  private static final long FIRST_DELAY_MILLIS = 500;
  private static final long LONGEST_DELAY_MILLIS = 10_000;
  private final List<URI> order;

  /** {@code dropped}: the URL whose connection dropped; {@code nodes}: every node's signaling URL. */
  ReconnectSchedule(URI dropped, List<URI> nodes) {
    List<URI> order = new ArrayList<>();
    order.add(dropped);
    int at = nodes.indexOf(dropped);
    for (int i = 1; i <= nodes.size(); i++) {
      URI next = nodes.get(((at < 0 ? -1 : at) + i) % nodes.size());
      if (!order.contains(next)) {
        order.add(next);
      }
    }
    this.order = List.copyOf(order);
  }

  /** How long to wait before try {@code n} (1-based). */
  static Duration delayBefore(int n) {
    return Duration.ofMillis(Math.min(LONGEST_DELAY_MILLIS, FIRST_DELAY_MILLIS << Math.min(n - 1, 20)));
  }

  /** Where try {@code n} (1-based) goes. */
  URI target(int n) {
    return order.get((n - 1) % order.size());
  }
}
