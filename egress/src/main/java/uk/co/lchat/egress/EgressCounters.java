package uk.co.lchat.egress;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** What this node's egresses did since it booted, for {@code /metrics}: read at each scrape, never reset. */
public final class EgressCounters {
  private final Map<String, LongAdder> started = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> running = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> ended = new ConcurrentHashMap<>();
  private final LongAdder bytes = new LongAdder();

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

  private static Map<String, Long> snapshot(Map<String, LongAdder> m) {
    Map<String, Long> out = new java.util.TreeMap<>();
    m.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
