package uk.co.lchat.media.router;

/** One publication forwarded to one receiving endpoint, with the payload type that receiver negotiated. */
public final class Subscription {
  final Publication publication;
  final Endpoint subscriber;
  final int payloadType;
  long packets;

  Subscription(Publication publication, Endpoint subscriber, int payloadType) {
    this.publication = publication;
    this.subscriber = subscriber;
    this.payloadType = payloadType;
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
