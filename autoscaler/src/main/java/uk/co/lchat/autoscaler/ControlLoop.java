package uk.co.lchat.autoscaler;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The loop the cluster singletons run (the autoscaler, the rebalancer): every {@code interval} one round of reading
 * the cluster and acting on it, never two at once (a slow API server or a slow move delays the next round instead of
 * overlapping it). A round runs off the actor and keeps its own state; rounds follow each other, each starting
 * after the actor saw the last one end.
 */
public final class ControlLoop {
  private ControlLoop() {}

  public sealed interface Command {}

  private record Tick() implements Command {}

  private record RoundOver() implements Command {}

  /** @param round starts one round; its stage completes (normally or not) when the round is over */
  static Behavior<Command> create(Supplier<CompletionStage<?>> round, Duration interval) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(new Tick(), interval);
      boolean[] running = {false};
      return Behaviors.receive(Command.class)
          .onMessage(Tick.class, t -> {
            if (!running[0]) {
              running[0] = true;
              ctx.pipeToSelf(round.get(), (ok, error) -> new RoundOver());
            }
            return Behaviors.same();
          })
          .onMessage(RoundOver.class, m -> {
            running[0] = false;
            return Behaviors.same();
          })
          .build();
    }));
  }
}
