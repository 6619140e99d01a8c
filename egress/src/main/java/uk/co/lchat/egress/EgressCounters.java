package uk.co.lchat.egress;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

import uk.co.lchat.egress.composite.FrameCounters;

/**
 * What this node's egresses did since it booted, for {@code /metrics}: read at each scrape, never reset. An
 * actor-system extension, so the service that starts egresses and each recording (whose composite encoder counts
 * its frames as it goes) add to the same counters.
 */
public final class EgressCounters implements Extension {
  private static final ExtensionId<EgressCounters> ID = new ExtensionId<>() {
    @Override
    public EgressCounters createExtension(ActorSystem<?> system) {
      return new EgressCounters();
    }
  };

  private final Map<String, LongAdder> started = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> running = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> ended = new ConcurrentHashMap<>();
  private final LongAdder bytes = new LongAdder();
  private final FrameCounters frames = new FrameCounters();

  /** The node's counters: created on first use, then the same ones. */
  public static EgressCounters get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  void started(String type) {
    started.computeIfAbsent(type, t -> new LongAdder()).increment();
    running.computeIfAbsent(type, t -> new LongAdder()).increment();
  }

  /** An egress ended; {@code wasRunning}: it had been counted {@link #started} (active) before. */
  void ended(EgressInfo info, boolean wasRunning) {
    ended.computeIfAbsent(info.type() + "/" + info.reason(), t -> new LongAdder()).increment();
    if (wasRunning) {
      running.get(info.type()).decrement();
    }
    info.files().forEach(f -> bytes.add(f.bytes()));
  }

  /** Egresses started, by type ({@code composite}, {@code track}). */
  public Map<String, Long> started() {
    return snapshot(started);
  }

  /** Egresses running now, by type. */
  public Map<String, Long> running() {
    return snapshot(running);
  }

  /** Egresses ended, by {@code type/reason}. */
  public Map<String, Long> ended() {
    return snapshot(ended);
  }

  /** Bytes of the files of every ended egress. */
  public long bytesWritten() {
    return bytes.sum();
  }

  /** What every composite encoder of this node did with its frames, running ones included. */
  public FrameCounters frames() {
    return frames;
  }

  private static Map<String, Long> snapshot(Map<String, LongAdder> m) {
    Map<String, Long> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
