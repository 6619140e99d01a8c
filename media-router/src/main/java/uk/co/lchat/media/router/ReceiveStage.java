package uk.co.lchat.media.router;

/**
 * One step of the receive chain ({@link ReceivePipeline}): it looks at or changes the packet, and may drop it. Each
 * counts the packets it saw and the ones it dropped, exported to {@code /metrics} as
 * {@code lchat_router_stage_packets_total} and {@code lchat_router_stage_dropped_packets_total}. Counters are plain
 * fields written by the router's loop only (a scrape may read a value a moment old).
 */
abstract class ReceiveStage {
  private final String name;
  private long packets;
  private long dropped;

  ReceiveStage(String name) {
    this.name = name;
  }

  /** Does this stage's work on the packet; false drops it (the stages after it never see it). */
  abstract boolean process(ReceivedPacket in);

  /** Runs the stage and counts. */
  final boolean run(ReceivedPacket in) {
    packets++;
    if (process(in)) {
      return true;
    }
    dropped++;
    return false;
  }

  /** The stage's name in metrics, e.g. {@code srtp_decrypt}. */
  final String name() {
    return name;
  }

  /** Packets that reached this stage. */
  final long packets() {
    return packets;
  }

  /** Of those, the ones it dropped. */
  final long dropped() {
    return dropped;
  }
}
