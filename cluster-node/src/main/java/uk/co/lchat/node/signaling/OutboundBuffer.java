package uk.co.lchat.node.signaling;

import java.time.Duration;

import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;

import uk.co.lchat.node.signaling.ParticipantSession.Outbound;

/**
 * The stream stage between a session and its WebSocket: it always takes what the session sends and holds it in an
 * {@link OutboundQueue} until the client reads, so a slow reader loses relayed flood messages instead of its
 * connection. When the session closes the socket, what must still arrive (a last error, {@code removed}) is written
 * for at most {@link #CLOSE_GRACE}; a client that does not read even that is cut off.
 */
public final class OutboundBuffer extends GraphStage<FlowShape<Outbound, Outbound>> {
  /** How long a closing socket may take to write its last messages to a client that does not read. */
  static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

  /** The client let more messages that must be delivered pile up than the queue holds. */
  public static final class Overflow extends RuntimeException {
    Overflow(int messages) {
      super("the client read none of " + messages + " queued messages", null, false, false);
    }
  }

  private final Inlet<Outbound> in = Inlet.create("OutboundBuffer.in");
  private final Outlet<Outbound> out = Outlet.create("OutboundBuffer.out");
  private final FlowShape<Outbound, Outbound> shape = FlowShape.of(in, out);
  private final int maxMessages;
  private final long maxDroppableBytes;
  private final SignalingCounters counters;

  public OutboundBuffer(SignalingSettings settings, SignalingCounters counters) {
    this.maxMessages = settings.outboundMessages();
    this.maxDroppableBytes = settings.outboundBytes();
    this.counters = counters;
  }

  @Override
  public FlowShape<Outbound, Outbound> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new TimerGraphStageLogic(shape) {
      private final OutboundQueue queue = new OutboundQueue(maxMessages, maxDroppableBytes);
      private boolean closing;

      {
        setHandler(in, new AbstractInHandler() {
          @Override
          public void onPush() {
            long before = queue.dropped();
            boolean queued = queue.offer(grab(in));
            counters.outboundDropped(queue.dropped() - before);
            if (!queued) {
              failStage(new Overflow(queue.size()));
              return;
            }
            if (isAvailable(out)) {
              push(out, queue.poll());
            }
            pull(in);
          }

          @Override
          public void onUpstreamFinish() {
            long before = queue.dropped();
            queue.dropDroppable();
            counters.outboundDropped(queue.dropped() - before);
            if (queue.isEmpty()) {
              completeStage();
            } else {
              closing = true;
              scheduleOnce("close-grace", CLOSE_GRACE);
            }
          }
        });
        setHandler(out, new AbstractOutHandler() {
          @Override
          public void onPull() {
            Outbound next = queue.poll();
            if (next != null) {
              push(out, next);
            }
            if (closing && queue.isEmpty()) {
              completeStage();
            }
          }
        });
      }

      @Override
      public void preStart() {
        pull(in); // take messages as they come, whatever the client reads
      }

      @Override
      public void onTimer(Object key) {
        completeStage();
      }
    };
  }
}
