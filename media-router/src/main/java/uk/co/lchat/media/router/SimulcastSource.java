package uk.co.lchat.media.router;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import uk.co.lchat.media.rtp.RtpPacket;
import uk.co.lchat.media.rtp.VideoCodec;

/**
 * One simulcast video track (RFC 8853): the same picture at several qualities, each layer its own SSRC that the
 * publisher names with the rid header extension (RFC 8852) on its first packets. Receivers see one stream under
 * {@link #ssrc()}: each subscription forwards one layer at a time, switching only at keyframes (VP8, VP9 or H.264),
 * as its {@link LayerSelector} decides. Loop-owned except for the immutable fields.
 */
public final class SimulcastSource {
  final Transport publisher;
  final String mid;
  final String[] rids;
  final byte[][] ridBytes;
  final int ridExtension;
  final int payloadType;
  final int clockRate;
  /** Which payloads start keyframes, where receivers may switch layers. */
  final VideoCodec codec;
  final long ssrc;
  final Publication[] layers;
  Subscription[] subscriptions = new Subscription[0];
  /** Layer indices from lowest to highest measured bit rate; recomputed every second. */
  int[] ranked;
  private final long[] bytesAtLastRank;
  /** Each layer's bit rate over the last ranking interval (bits per second); 0 for a silent layer. */
  final long[] bitrates;
  /** Each layer's picture height as its last keyframe gave it (pixels); 0 until known. */
  final int[] heights;
  private long lastRankNanos;

  SimulcastSource(Transport publisher, String mid, String[] rids, int ridExtension, int payloadType, int clockRate,
      VideoCodec codec, long ssrc) {
    this.publisher = publisher;
    this.mid = mid;
    this.rids = rids.clone();
    this.ridBytes = new byte[rids.length][];
    for (int i = 0; i < rids.length; i++) {
      ridBytes[i] = rids[i].getBytes(StandardCharsets.US_ASCII);
    }
    this.ridExtension = ridExtension;
    this.payloadType = payloadType;
    this.clockRate = clockRate;
    this.codec = codec;
    this.ssrc = ssrc;
    this.layers = new Publication[rids.length];
    this.ranked = new int[0];
    this.bytesAtLastRank = new long[rids.length];
    this.bitrates = new long[rids.length];
    this.heights = new int[rids.length];
  }

  /** Each layer's picture height from its last keyframe, pixels (0: not known yet); a copy. */
  public int[] layerHeights() {
    return heights.clone();
  }

  /** The SSRC receivers see for this track, whatever layer they get. */
  public int payloadType() {
    return payloadType;
  }

  public int clockRate() {
    return clockRate;
  }

  public long ssrc() {
    return ssrc;
  }

  public Transport publisher() {
    return publisher;
  }

  /** Layers whose SSRC is known so far. */
  public int knownLayers() {
    int n = 0;
    for (Publication p : layers) {
      n += p == null ? 0 : 1;
    }
    return n;
  }

  /** The first layer whose SSRC is known, or -1: what a receiver gets before any layer was measured. */
  int anyKnownLayer() {
    for (int i = 0; i < layers.length; i++) {
      if (layers[i] != null) {
        return i;
      }
    }
    return -1;
  }

  /**
   * RFC 8852: a packet of an SSRC not seen before that names one of this track's layers with the rid extension
   * binds that layer to its SSRC. Returns the layer's new publication, already fanning out to the track's
   * subscriptions, or null when the packet names no unbound layer of this track.
   */
  Publication bind(RtpPacket rtp) {
    int at = rtp.findExtension(ridExtension);
    if (at < 0) {
      return null;
    }
    int layer = layerOf(rtp.buffer(), at, rtp.extensionDataLength());
    if (layer < 0 || layers[layer] != null) {
      return null;
    }
    Publication p = new Publication(publisher, (int) rtp.ssrc(), "video", payloadType, clockRate, -1);
    p.source = this;
    p.layerIndex = layer;
    layers[layer] = p;
    publisher.incoming.put(p.ssrc, p);
    for (Subscription s : subscriptions) {
      p.add(s);
    }
    return p;
  }

  /** The layer whose rid equals the extension's bytes, or -1. */
  int layerOf(byte[] buf, int at, int len) {
    for (int i = 0; i < ridBytes.length; i++) {
      byte[] r = ridBytes[i];
      if (r.length == len && Arrays.equals(r, 0, len, buf, at, at + len)) {
        return i;
      }
    }
    return -1;
  }

  /** Orders layers that sent anything in the last interval by the bytes they sent (RFC 8853 leaves order open). */
  void rank() {
    int[] order = new int[layers.length];
    long[] sent = new long[layers.length];
    long now = System.nanoTime();
    long elapsed = lastRankNanos == 0 ? 0 : now - lastRankNanos;
    lastRankNanos = now;
    int n = 0;
    for (int i = 0; i < layers.length; i++) {
      if (layers[i] != null) {
        sent[i] = layers[i].bytes - bytesAtLastRank[i];
        bytesAtLastRank[i] = layers[i].bytes;
        bitrates[i] = elapsed > 0 ? sent[i] * 8 * 1_000_000_000L / elapsed : 0;
        if (sent[i] > 0) {
          order[n++] = i;
        }
      }
    }
    int[] active = Arrays.copyOf(order, n);
    for (int i = 1; i < active.length; i++) { // insertion sort: at most a handful of layers
      int x = active[i];
      int j = i - 1;
      while (j >= 0 && sent[active[j]] > sent[x]) {
        active[j + 1] = active[j];
        j--;
      }
      active[j + 1] = x;
    }
    ranked = active;
  }

  void add(Subscription s) {
    subscriptions = SubscriptionArrays.with(subscriptions, s);
    for (Publication layer : layers) {
      if (layer != null) {
        layer.add(s);
      }
    }
  }

  void remove(Subscription s) {
    subscriptions = SubscriptionArrays.without(subscriptions, s);
    for (Publication layer : layers) {
      if (layer != null) {
        layer.remove(s);
      }
    }
  }
}
