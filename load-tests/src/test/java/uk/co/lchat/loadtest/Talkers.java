package uk.co.lchat.loadtest;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Simulated participants talking to each other while the tests move them between nodes. */
final class Talkers {
  /** A stream counts as flowing when a packet arrived within this window. */
  private static final long FLOWING_NANOS = 500_000_000L;

  private Talkers() {}

  /**
   * One thread sends every talker's audio every 20 ms and, with {@code video}, a video frame every 60 ms, while
   * {@code running} holds, and once a second has each count what it should have received and did not (the load
   * tool's report tick). A talker between two routers sends nothing for a moment.
   */
  static Thread send(List<SimParticipant> talkers, boolean video, BooleanSupplier running) {
    return Thread.ofPlatform().daemon().start(() -> {
      long next = System.nanoTime();
      long tick = 0;
      while (running.getAsBoolean()) {
        for (SimParticipant p : talkers) {
          try {
            p.sendAudio(true);
            if (video && tick % 3 == 0) {
              p.sendVideoFrame();
            }
          } catch (Exception e) {
            // closed, or moving to another router
          }
        }
        tick++;
        if (tick % 50 == 0) {
          SimParticipant.countMissing(talkers);
        }
        next += 20_000_000L;
        LockSupport.parkNanos(next - System.nanoTime());
      }
    });
  }

  /** Everyone receives every other participant's stream. */
  static boolean hearEachOther(List<SimParticipant> ps) {
    return ps.stream().allMatch(p -> p.streamsFlowing(FLOWING_NANOS) >= ps.size() - 1);
  }

  /** Waits until everyone hears every other participant; fails with the streams each one gets. */
  static void awaitHearingEachOther(List<SimParticipant> ps, String when, int seconds) throws InterruptedException {
    try {
      await(when, seconds, () -> hearEachOther(ps));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; streams flowing per participant "
          + ps.stream().map(p -> p.streamsFlowing(FLOWING_NANOS)).toList() + ", want " + (ps.size() - 1));
    }
  }

  static void await(String what, int seconds, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + seconds + " s: " + what);
      }
      Thread.sleep(100);
    }
  }
}
