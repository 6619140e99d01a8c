package uk.co.lchat.media.sdp;

import java.util.List;
import java.util.Map;

/**
 * One m-section of an offer or answer (Unified Plan: one track per section). {@code ssrcs} lists the sender's
 * primary SSRCs in the order they were declared; {@code ssrcMsid} maps each to its "stream track" msid.
 */
public record MediaDescription(String kind, int port, String proto, String mid, String direction,
                               List<Codec> codecs, Map<Integer, String> extensions,
                               Map<Integer, String> extensionDirections, List<Long> ssrcs,
                               Map<Long, String> ssrcMsid, Map<Long, Long> rtxSsrcs, List<String> rids,
                               boolean simulcast, boolean rtcpMux, IceParameters ice, String fingerprint,
                               String setup, List<String> candidates, boolean bundleOnly) {
  /**
   * Port 0 rejects a section, except with {@code a=bundle-only}: JSEP (RFC 8829 §5.2.1) offers every bundled
   * section but the first that way under the max-bundle policy, as Firefox does, meaning "use the bundle's transport".
   */
  public boolean rejected() {
    return port == 0 && !bundleOnly;
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

  /**
   * How the answer declares extension {@code id} (RFC 8285 §7): the reverse of an offered sendonly or recvonly
   * ("9/sendonly" from Firefox's rid extension is answered "9/recvonly"), else just the id.
   */
  public String answeredExtension(int id) {
    return switch (extensionDirections.getOrDefault(id, "")) {
      case "sendonly" -> id + "/recvonly";
      case "recvonly" -> id + "/sendonly";
      case "inactive" -> id + "/inactive";
      default -> Integer.toString(id);
    };
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
