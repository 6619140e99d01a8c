package uk.co.lchat.media.router;

/** One publication forwarded to one receiving endpoint, with the payload type that receiver negotiated. */
public final class Subscription {
  final Publication publication;
  final Endpoint subscriber;
  final int payloadType;
  /** Null for plain forwarding under the publisher's SSRC. */
  final StreamRewriter rewriter;
  final boolean vp8;
  long packets;

  Subscription(Publication publication, Endpoint subscriber, int payloadType, StreamRewriter rewriter, boolean vp8) {
    this.publication = publication;
    this.subscriber = subscriber;
    this.payloadType = payloadType;
    this.rewriter = rewriter;
    this.vp8 = vp8;
  }

  /** The SSRC the subscriber sees, which its RTCP feedback names. */
  int outgoingSsrc() {
    return rewriter != null ? (int) rewriter.ssrc() : publication.ssrc;
  }

  public Publication publication() {
    return publication;
  }

  public Endpoint subscriber() {
    return subscriber;
  }

  public long packets() {
    return packets;
  }
}
