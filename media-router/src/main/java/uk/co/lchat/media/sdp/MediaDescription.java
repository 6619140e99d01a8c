package uk.co.lchat.media.sdp;

import java.util.List;
import java.util.Map;

/**
 * One m-section of an offer or answer (Unified Plan: one track per section). {@code ssrcs} lists the sender's
 * primary SSRCs in the order they were declared; {@code ssrcMsid} maps each to its "stream track" msid.
 */
public record MediaDescription(String kind, int port, String proto, String mid, String direction,
                               List<Codec> codecs, Map<Integer, String> extensions, List<Long> ssrcs,
                               Map<Long, String> ssrcMsid, Map<Long, Long> rtxSsrcs, List<String> rids,
                               boolean simulcast, boolean rtcpMux, IceParameters ice, String fingerprint,
                               String setup, List<String> candidates) {
  public boolean rejected() {
    return port == 0;
  }

  public boolean sends() {
    return direction.equals("sendrecv") || direction.equals("sendonly");
  }

  public boolean receives() {
    return direction.equals("sendrecv") || direction.equals("recvonly");
  }

  public boolean isRtp() {
    return kind.equals("audio") || kind.equals("video");
  }

  /** The extension id the sender uses for {@code uri}, or -1. */
  public int extensionId(String uri) {
    for (Map.Entry<Integer, String> e : extensions.entrySet()) {
      if (e.getValue().equals(uri)) {
        return e.getKey();
      }
    }
    return -1;
  }
}
