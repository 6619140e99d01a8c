package uk.co.lchat.media.router;

import java.util.Arrays;

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
  Subscription[] subscriptions = new Subscription[0];
  long lastKeyframeRequestNanos;
  long packets;
  long bytes;
  /** Smoothed loudness 0..127 (127 loudest), from RFC 6464 levels; read by dominant speaker detection. */
  double loudness;

  Publication(Endpoint publisher, int ssrc, String kind, int payloadType, int audioLevelExtension) {
    this.publisher = publisher;
    this.ssrc = ssrc;
    this.kind = kind;
    this.payloadType = payloadType;
    this.audioLevelExtension = audioLevelExtension;
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

  public long packets() {
    return packets;
  }

  public long bytes() {
    return bytes;
  }

  void add(Subscription s) {
    subscriptions = Arrays.copyOf(subscriptions, subscriptions.length + 1);
    subscriptions[subscriptions.length - 1] = s;
  }

  void remove(Subscription s) {
    Subscription[] next = new Subscription[subscriptions.length];
    int n = 0;
    for (Subscription x : subscriptions) {
      if (x != s) {
        next[n++] = x;
      }
    }
    subscriptions = Arrays.copyOf(next, n);
  }
}
