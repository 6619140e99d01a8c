package uk.co.lchat.media.router;

/**
 * One incoming stream (one SSRC) of a publishing endpoint and the subscriptions it fans out to. The subscriber
 * array is replaced, never mutated, and only by the receive loop.
 */
public final class Publication {
  final Endpoint publisher;
  final int ssrc;
  final String kind;
  final int payloadType;
  final int audioLevelExtension;
  final int clockRate;
  final uk.co.lchat.media.rtp.ReceiveStatistics stats;
  /** Video only: answers receivers' NACKs. */
  final PacketCache cache;
  Subscription[] subscriptions = new Subscription[0];
  /** Set for one layer of a simulcast track. */
  SimulcastSource source;
  int layerIndex = -1;
  long lastKeyframeRequestNanos;
  long packets;
  long bytes;
  /** Expected and lost counts at the last statistics measurement. */
  long sampledExpected;
  long sampledLost;
  /** Smoothed loudness 0..127 (127 loudest), from RFC 6464 levels; read by dominant speaker detection. */
  double loudness;

  Publication(Endpoint publisher, int ssrc, String kind, int payloadType, int clockRate, int audioLevelExtension) {
    this.clockRate = clockRate;
    this.stats = new uk.co.lchat.media.rtp.ReceiveStatistics(clockRate);
    this.cache = kind.equals("video") ? new PacketCache() : null;
    this.publisher = publisher;
    this.ssrc = ssrc;
    this.kind = kind;
    this.payloadType = payloadType;
    this.audioLevelExtension = audioLevelExtension;
  }

  public int payloadType() {
    return payloadType;
  }

  public int clockRate() {
    return clockRate;
  }

  public int audioLevelExtension() {
    return audioLevelExtension;
  }

  public Endpoint publisher() {
    return publisher;
  }

  public long ssrc() {
    return ssrc & 0xFFFFFFFFL;
  }

  public String kind() {
    return kind;
  }

  public boolean isVideo() {
    return kind.equals("video");
  }

  /** Packets lost upstream (RFC 3550 A.3), from sequence numbers. */
  public long lost() {
    return stats.lost();
  }

  public double jitterMillis() {
    return stats.jitterMillis();
  }

  /** Smoothed loudness, 0 (silent) .. 127 (loudest), of an audio publication with RFC 6464 levels. */
  public double loudness() {
    return loudness;
  }

  /** Upstream NACKs sent for this publication (relays): sequence number and time, by slot. */
  private int[] nackedSeqs;
  private long[] nackedAt;

  /** True if {@code seq} was not asked for upstream within the last 100 ms; records the ask. */
  boolean nackDue(int seq, long nowNanos) {
    if (nackedSeqs == null) {
      nackedSeqs = new int[64];
      nackedAt = new long[64];
      java.util.Arrays.fill(nackedSeqs, -1);
    }
    int i = seq & 63;
    if (nackedSeqs[i] == seq && nowNanos - nackedAt[i] < 100_000_000L) {
      return false;
    }
    nackedSeqs[i] = seq;
    nackedAt[i] = nowNanos;
    return true;
  }

  public long packets() {
    return packets;
  }

  public long bytes() {
    return bytes;
  }

  void add(Subscription s) {
    subscriptions = SubscriptionArrays.with(subscriptions, s);
  }

  void remove(Subscription s) {
    subscriptions = SubscriptionArrays.without(subscriptions, s);
  }
}
