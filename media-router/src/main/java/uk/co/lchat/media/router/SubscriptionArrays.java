package uk.co.lchat.media.router;

import java.util.Arrays;

/**
 * Copy-on-write arrays of subscriptions: the receive loop iterates them without locks or iterators, and the rare
 * changes build a new array.
 */
final class SubscriptionArrays {
  private SubscriptionArrays() {}

  static Subscription[] with(Subscription[] all, Subscription s) {
    Subscription[] next = Arrays.copyOf(all, all.length + 1);
    next[all.length] = s;
    return next;
  }

  static Subscription[] without(Subscription[] all, Subscription s) {
    Subscription[] next = new Subscription[all.length];
    int n = 0;
    for (Subscription x : all) {
      if (x != s) {
        next[n++] = x;
      }
    }
    return Arrays.copyOf(next, n);
  }
}
