package uk.co.lchat.media.router;

import java.util.Arrays;

import uk.co.lchat.media.rtp.ReceiveStatistics;
import uk.co.lchat.media.rtp.RtcpFeedback;
import uk.co.lchat.media.rtp.RtpPacket;

/**
 * One incoming stream (one SSRC) of a publishing transport, what the router keeps of it (reception statistics,
 * recent video packets, loudness) and the subscriptions it fans out to. The subscriber array is replaced, never
 * mutated, and only by the receive loop.
 */
public final class Publication {
  /** {@link #unwrapRtx}: the retransmission is of a packet already here. */
  static final int DUPLICATE = -2;
  /** {@link #unwrapRtx}: not a retransmission of this stream that can be unwrapped. */
  static final int MALFORMED = -1;
  final Transport publisher;
  final int ssrc;
  final String kind;
  final int payloadType;
  final int audioLevelExtension;
  final int clockRate;
  final ReceiveStatistics stats;
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

  Publication(Transport publisher, int ssrc, String kind, int payloadType, int clockRate, int audioLevelExtension) {
    this.clockRate = clockRate;
    this.stats = new ReceiveStatistics(clockRate);
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

  public Transport publisher() {
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

  /** Relays: the estimate sent upstream (bits per second); -1 none yet (no limit), {@link #NO_LIMIT} recovered. */
  private long relayEstimate = -1;
  private long bytesAtLastEstimate;
  private long lastEstimateNanos;
  static final long NO_LIMIT = 10_000_000_000L;

  /**
   * Relays, once a second: how much of this stream the receivers here can take, as a loss-based controller does it
   * (RFC 8698-like): when the worst receiver loses over 10 %, the incoming rate times (1 - loss / 2); under 2 %,
   * 8 % more each time, until far above the incoming rate (no limit). -1 while nobody has lost anything.
   */
  long relayEstimate(long nowNanos) {
    long elapsed = nowNanos - lastEstimateNanos;
    long rate = lastEstimateNanos == 0 || elapsed <= 0 ? 0
        : (bytes - bytesAtLastEstimate) * 8 * 1_000_000_000L / elapsed;
    bytesAtLastEstimate = bytes;
    lastEstimateNanos = nowNanos;
    double worst = 0;
    for (Subscription s : subscriptions) {
      worst = Math.max(worst, s.reportedLoss);
    }
    if (rate == 0) {
      return relayEstimate;
    }
    if (worst > LayerSelector.LOSS_TOO_HIGH) {
      long base = relayEstimate < 0 || relayEstimate == NO_LIMIT ? rate : Math.min(relayEstimate, rate);
      relayEstimate = (long) (base * (1 - worst / 2));
    } else if (worst < LayerSelector.LOSS_FINE && relayEstimate >= 0 && relayEstimate != NO_LIMIT) {
      relayEstimate = relayEstimate * 108 / 100;
      if (relayEstimate > 4 * rate + 100_000) {
        relayEstimate = NO_LIMIT;
      }
    }
    return relayEstimate;
  }

  /** Upstream NACKs sent for this publication (relays): sequence number and time, by slot. */
  private int[] nackedSeqs;
  private long[] nackedAt;

  /** True if {@code seq} was not asked for upstream within the last 100 ms; records the ask. */
  boolean nackDue(int seq, long nowNanos) {
    if (nackedSeqs == null) {
      nackedSeqs = new int[64];
      nackedAt = new long[64];
      Arrays.fill(nackedSeqs, -1);
    }
    int i = seq & 63;
    if (nackedSeqs[i] == seq && nowNanos - nackedAt[i] < Relay.NACK_HOLD_NANOS) {
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

  /** One packet of this stream arrived: counts it into the reception statistics (RFC 3550 §A.3, §A.8). */
  void received(RtpPacket rtp, int length, long nowNanos) {
    packets++;
    bytes += length;
    stats.received(rtp.sequenceNumber(), rtp.timestamp(), nowNanos);
  }

  /** Keeps a decrypted video packet to answer NACKs with (RFC 4585 §6.2.1); audio is not kept. */
  void remember(RtpPacket rtp, byte[] buf, int length) {
    if (cache != null) {
      cache.put(rtp.sequenceNumber(), buf, length);
    }
  }

  /** Folds one packet's RFC 6464 level (0 loudest .. 127 silent) into the smoothed loudness. */
  void hear(int level) {
    loudness += DominantSpeaker.SMOOTHING * ((127 - level) - loudness);
  }

  /**
   * Turns an RTX packet (RFC 4588 §4: the original sequence number before the payload) in {@code buf}, viewed by
   * {@code rtp}, back into the original packet of this stream, in place; returns its length, {@link #DUPLICATE}
   * when this stream already has that packet, or {@link #MALFORMED}. On success {@code rtp} views the original.
   */
  int unwrapRtx(RtpPacket rtp, byte[] buf, int len) {
    int header = rtp.headerLength();
    if (rtp.payloadLength() < 2 || cache == null) {
      return MALFORMED;
    }
    int seq = ((buf[header] & 0xFF) << 8) | (buf[header + 1] & 0xFF);
    if (cache.has(seq)) {
      return DUPLICATE;
    }
    System.arraycopy(buf, header + 2, buf, header, len - header - 2);
    len -= 2;
    buf[0] &= (byte) ~0x20; // no padding: the payload ends where the packet does
    buf[1] = (byte) ((buf[1] & 0x80) | payloadType);
    buf[2] = (byte) (seq >>> 8);
    buf[3] = (byte) seq;
    RtcpFeedback.putU32(buf, 8, ssrc());
    return rtp.wrap(buf, 0, len) ? len : MALFORMED;
  }

  void add(Subscription s) {
    subscriptions = SubscriptionArrays.with(subscriptions, s);
  }

  void remove(Subscription s) {
    subscriptions = SubscriptionArrays.without(subscriptions, s);
  }
}
