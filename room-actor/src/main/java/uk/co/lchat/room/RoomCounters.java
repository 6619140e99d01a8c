package uk.co.lchat.room;

import java.util.concurrent.atomic.AtomicLong;

/** What this node's rooms refused, read by the node's statistics ({@code lchat_passcode_refusals_total}). */
public final class RoomCounters {
  private final AtomicLong passcodeWrong = new AtomicLong();
  private final AtomicLong passcodeThrottled = new AtomicLong();

  void passcodeWrong() {
    passcodeWrong.incrementAndGet();
  }

  void passcodeThrottled() {
    passcodeThrottled.incrementAndGet();
  }

  /** Joins whose passcode was checked and wrong. */
  public long passcodesWrong() {
    return passcodeWrong.get();
  }

  /** Joins refused without a check because their address (or the room) must wait after wrong guesses. */
  public long passcodesThrottled() {
    return passcodeThrottled.get();
  }
}
