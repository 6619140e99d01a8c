package uk.co.lchat.egress.composite;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How a managed FFmpeg is made to end when asking it nicely (its input's end, a 'q') is not enough: SIGTERM, then
 * SIGKILL, each after {@code timeout} if it is still there.
 */
public final class ProcessEnd {
  private ProcessEnd() {}

  /** Waits {@code timeout} for {@code p} to exit by itself, then terminates it ({@link #terminate}). */
  public static void after(Process p, Duration timeout) {
    p.onExit().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).exceptionally(late -> {
      terminate(p, timeout);
      return null;
    });
  }

  /** SIGTERM now; SIGKILL if {@code p} has not exited {@code timeout} later. */
  public static void terminate(Process p, Duration timeout) {
    p.destroy();
    p.onExit().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).exceptionally(stuck -> {
      p.destroyForcibly();
      return null;
    });
  }
}
