package uk.co.lchat.media.router;

import uk.co.lchat.media.rtp.RtpPacket;
import uk.co.lchat.media.rtp.VideoCodec;
import uk.co.lchat.media.srtp.PacketBuffer;

/**
 * One publication, or one simulcast track, forwarded to one sink (mediasoup's {@code Consumer}): the payload type
 * that receiver negotiated, the SSRC and numbering it sees, for a simulcast track the layer it gets, and what its
 * reports say. {@link #forward} does the per-receiver half of the packet path.
 */
public final class Subscription {
  /** What {@link #forward} did with one packet. */
  enum Forwarding {
    SENT,
    /** A simulcast layer this receiver does not get now. */
    OTHER_LAYER,
    /** The sink has no keys or path yet, or is closed. */
    NOT_READY,
    /** After a switch of source, the stream waits for the new source's keyframe: the publisher should send one. */
    AWAITING_KEYFRAME,
    /** The sink did not take it (encryption failed, or the socket dropped it). */
    NOT_SENT,
    /** The receiver asked for no video of this stream (a height limit of 0). */
    WITHHELD
  }

  /** The plain publication forwarded, or null for a simulcast track ({@link #source}). */
  final Publication publication;
  final PacketSink subscriber;
  final int payloadType;
  /** Null for plain forwarding under the publisher's SSRC. */
  final StreamRewriter rewriter;
  /** Whose keyframes the rewriter waits for after a switch of source; null: it does not wait. */
  final VideoCodec keyframes;
  /** Set when the subscription forwards a simulcast track: one of its layers at a time, as {@link #layers} says. */
  final SimulcastSource source;
  final LayerSelector layers;
  /** Set for a simulcast track sent to an endpoint: raises its estimate when that alone holds it on a small layer. */
  final BandwidthProbe probe;
  /** RTX (RFC 4588) for this receiver: payload type and SSRC, or -1 when it did not negotiate RTX. */
  int rtxPayloadType = -1;
  long rtxSsrc = -1;
  int rtxSeq;
  long packets;
  long octets;
  long lastTimestamp;
  long lastTimestampNanos;
  long lastSrCompactNtp;
  /** Round-trip time from the receiver's report blocks (RFC 3550 §6.4.1), -1 until known. */
  double rttMillis = -1;
  /** The receiver's reported loss fraction (0..1) of this stream. */
  double reportedLoss;
  long retransmitted;
  /** A plain video subscription whose receiver asked for no video of it: nothing goes until it asks again. */
  boolean withheld;
  /** When the receiver last asked for a withheld stream again ({@link System#nanoTime()}). */
  long restartedNanos = System.nanoTime() - 10_000_000_000L;

  /** Forwards a plain publication. */
  Subscription(Publication publication, PacketSink subscriber, int payloadType, StreamRewriter rewriter,
      VideoCodec keyframes) {
    this.publication = publication;
    this.source = null;
    this.layers = null;
    this.probe = null;
    this.subscriber = subscriber;
    this.payloadType = payloadType;
    this.rewriter = rewriter;
    this.keyframes = keyframes;
  }

  /** Forwards one layer at a time of a simulcast track, under the rewriter's SSRC. */
  Subscription(SimulcastSource source, PacketSink subscriber, int payloadType, StreamRewriter rewriter,
      VideoCodec keyframes) {
    this.publication = null;
    this.source = source;
    this.layers = new LayerSelector();
    // A relay's estimate is its receivers' loss, not a link's: copies would not raise it.
    this.probe = subscriber instanceof Endpoint ? new BandwidthProbe() : null;
    this.subscriber = subscriber;
    this.payloadType = payloadType;
    this.rewriter = rewriter;
    this.keyframes = keyframes;
  }

  /**
   * The per-receiver half of the packet path, for one packet of {@code in}'s publication: the layer gate, a copy in
   * {@code out} (viewed by {@code outRtp}) with this receiver's payload type, the rewrite of SSRC, sequence number
   * and timestamp, our send time as abs-send-time under the id the receiver knows, and the hand-over to the sink,
   * which encrypts and sends it.
   */
  Forwarding forward(ReceivedPacket in, PacketBuffer out, RtpPacket outRtp) {
    if (withheld) {
      return Forwarding.WITHHELD;
    }
    if (layers != null && !layers.forwards(in.publication.layerIndex, in.keyframe)) {
      return Forwarding.OTHER_LAYER;
    }
    PacketSink to = subscriber;
    if (!to.ready()) {
      return Forwarding.NOT_READY;
    }
    int length = in.length();
    byte[] b = out.getBuffer();
    System.arraycopy(in.buffer(), 0, b, 0, length);
    b[1] = (byte) ((b[1] & 0x80) | payloadType);
    outRtp.wrap(b, 0, length);
    if (rewriter != null && !rewriter.rewrite(outRtp, keyframes, in.now)) {
      return Forwarding.AWAITING_KEYFRAME;
    }
    int absOut = to.absSendTimeId();
    if (in.absSendTimeAt >= 0 && absOut > 0) {
      if (absOut == in.absSendTimeIn) {
        RtpPacket.putAbsSendTime(b, in.absSendTimeAt, in.absSendTime);
      } else {
        outRtp.stampAbsSendTime(in.absSendTimeIn, absOut, in.absSendTime);
      }
    }
    out.set(0, length);
    if (!to.sendRtp(out)) {
      return Forwarding.NOT_SENT;
    }
    lastTimestamp = outRtp.timestamp();
    lastTimestampNanos = in.now;
    octets += length - outRtp.headerLength();
    packets++;
    return Forwarding.SENT;
  }

  /**
   * Asks the layer selector which layer this receiver should get now; a new one needs its keyframe, which the
   * publisher is asked for at once. No effect on a plain subscription.
   */
  void chooseLayer(KeyframeRequests keyframeRequests) {
    chooseLayer(keyframeRequests, true);
  }

  /**
   * As above; {@code force} false keeps the keyframe request within the publisher's keyframe interval, for
   * switches the receiver asks for itself, which it could otherwise repeat faster than a publisher should send
   * keyframes (the request is repeated within the interval until the keyframe comes, {@link MediaRouter#fanOut}).
   */
  void chooseLayer(KeyframeRequests keyframeRequests, boolean force) {
    if (layers == null) {
      return;
    }
    int before = layers.current();
    int layer = layers.choose(source.ranked, source.bitrates, source.heights, source.anyKnownLayer());
    if (layer != LayerSelector.KEEP) {
      keyframeRequests.request(source.layers[layer], force);
    }
    if (probe != null) {
      int next = layers.heldBackFrom(source.ranked, source.bitrates, source.heights);
      long sending = before >= 0 ? source.bitrates[before] : 0;
      boolean movedUp = layer != LayerSelector.KEEP && before >= 0 && source.bitrates[layer] > sending;
      probe.goal(next, next >= 0 ? source.bitrates[next] : 0, sending, movedUp);
    }
  }

  /**
   * How many RTX copies of the packet just forwarded ({@code bytes} long) go with it, to raise the receiver's
   * estimate ({@link BandwidthProbe}); 0 for a receiver that negotiated no RTX.
   */
  int probeCopies(int bytes, long now) {
    return probe == null || rtxPayloadType < 0 ? 0 : probe.copies(bytes, layers.maxBitrate(), now);
  }

  /** The SSRC the subscriber sees, which its RTCP feedback names. */
  int outgoingSsrc() {
    return rewriter != null ? (int) rewriter.ssrc() : publication.ssrc;
  }

  /** Stops forwarding: detaches from the publication or from every layer of the simulcast source. */
  void detach() {
    if (source != null) {
      source.remove(this);
    } else {
      publication.remove(this);
    }
  }

  /** The publication now forwarded: the plain one, or the current layer. */
  Publication current() {
    if (source == null) {
      return publication;
    }
    int layer = layers.current();
    return layer >= 0 ? source.layers[layer] : null;
  }

  /** The layer the receiver waits to switch to (its keyframe was asked for), or null. */
  Publication pending() {
    int layer = layers == null ? -1 : layers.pending();
    return layer >= 0 ? source.layers[layer] : null;
  }

  /**
   * The tallest picture the receiver wants of this stream, pixels (0: no video; {@link LayerSelector#ANY_HEIGHT}: no
   * limit). A simulcast stream gets the highest layer that fits; a plain one is sent whole, or not at all for 0.
   * Loop only; true when a plain stream starts again, which its receiver can decode only from a keyframe.
   */
  boolean maxHeight(int pixels) {
    if (layers != null) {
      layers.maxHeight(pixels);
      return false;
    }
    boolean resumes = withheld && pixels > 0;
    withheld = pixels <= 0;
    return resumes;
  }

  /** The simulcast layer forwarded now, -1 for none yet or a plain subscription. */
  public int currentLayer() {
    return layers == null ? -1 : layers.current();
  }

  int clockRate() {
    return source != null ? source.clockRate : publication.clockRate;
  }

  public Publication publication() {
    return publication;
  }

  public PacketSink subscriber() {
    return subscriber;
  }

  public double rttMillis() {
    return rttMillis;
  }

  public double reportedLoss() {
    return reportedLoss;
  }

  public long retransmitted() {
    return retransmitted;
  }

  public long packets() {
    return packets;
  }
}
