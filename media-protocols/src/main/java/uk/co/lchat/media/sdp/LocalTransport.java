package uk.co.lchat.media.sdp;

import java.util.List;

/** What we put in our own SDP about the transport: ICE credentials, DTLS fingerprint, host candidates. */
public record LocalTransport(IceParameters ice, String fingerprint, List<String> candidates) {
  public LocalTransport {
    candidates = List.copyOf(candidates);
  }
}
