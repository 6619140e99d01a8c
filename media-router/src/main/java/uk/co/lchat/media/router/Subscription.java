package uk.co.lchat.media.router;

import uk.co.lchat.media.rtp.VideoCodec;

/** One publication forwarded to one receiving endpoint, with the payload type that receiver negotiated. */
public final class Subscription {
  final Publication publication;
  final Endpoint subscriber;
  final int payloadType;
  /** Null for plain forwarding under the publisher's SSRC. */
  final StreamRewriter rewriter;
  /** Whose keyframes the rewriter waits for after a switch of source; null: it does not wait. */
  final VideoCodec keyframes;
  /** RTX (RFC 4588) for this receiver: payload type and SSRC, or -1 when it did not negotiate RTX. */
  int rtxPayloadType = -1;
  long rtxSsrc = -1;
  int rtxSeq;
  /** Set when the subscription forwards a simulcast track: one of its layers at a time. */
  SimulcastSource source;
  /** The layer forwarded now (-1 none yet) and the one to switch to at its next keyframe. */
  int currentLayer = -1;
  int pendingLayer = -1;
  /** What the receiver should get: {@link #HIGH} or {@link #LOW} quality. */
  int quality = HIGH;
  static final int HIGH = 1;
  static final int LOW = 0;
  long packets;
  long octets;
  long lastTimestamp;
  long lastTimestampNanos;
  long lastSrCompactNtp;
  /** Round-trip time from the receiver's report blocks (RFC 3550 §6.4.1), -1 until known. */
  double rttMillis = -1;
  /** The receiver's reported loss fraction (0..1) of this stream. */
  double reportedLoss;
  /**
   * Simulcast: the most the receiver can take (bits per second, from a REMB; -1 no limit). Over a relay it is the
   * far router's estimate for its receivers; the highest layer that fits is sent.
   */
  long maxBitrate = -1;
  /** Simulcast: the receiver reported too much loss for the high layer; it gets the lowest until it recovers. */
  boolean lossLimited;
  int goodReports;
  static final double LOSS_TOO_HIGH = 0.10;
  static final double LOSS_FINE = 0.02;
  static final int GOOD_REPORTS_TO_RECOVER = 5;
  long retransmitted;

  Subscription(Publication publication, Endpoint subscriber, int payloadType, StreamRewriter rewriter,
      VideoCodec keyframes) {
    this.publication = publication;
    this.subscriber = subscriber;
    this.payloadType = payloadType;
    this.rewriter = rewriter;
    this.keyframes = keyframes;
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
    return currentLayer >= 0 ? source.layers[currentLayer] : null;
  }

  public int currentLayer() {
    return currentLayer;
  }

  int clockRate() {
    return source != null ? source.clockRate : publication.clockRate;
  }

  public Publication publication() {
    return publication;
  }

  public Endpoint subscriber() {
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
