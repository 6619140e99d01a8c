package uk.co.lchat.media.router;

/** What an endpoint's owner hears from the data plane. Called on router threads; implementations only enqueue. */
public interface EndpointListener {
  /** ICE and DTLS are done and SRTP keys are in place. */
  default void connected(Endpoint endpoint) {}

  /** Consent expired, DTLS failed or the endpoint was removed; {@code reason} says which. */
  default void closed(Endpoint endpoint, String reason) {}
}
