package uk.co.lchat.media.control;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import uk.co.lchat.media.sdp.Codec;

/**
 * The payload types of one receiving connection: one per distinct codec configuration (RFC 8843 §9.1), Opus always
 * on 111, and one RTX payload type per video payload type that is retransmitted.
 */
final class PayloadTypes {
  private final Map<String, Integer> byConfiguration = new HashMap<>();

  /** The codec a receiver is offered for {@code t}: its publisher's, under this connection's payload type. */
  Codec codecFor(TrackInfo t) {
    String key = t.codec().toLowerCase() + "/" + t.clockRate() + "/" + t.channels() + "/" + t.fmtp();
    Integer pt = byConfiguration.get(key);
    if (pt == null) {
      pt = t.isAudio() && t.codec().equalsIgnoreCase("opus") ? 111 : free();
      byConfiguration.put(key, pt);
    }
    List<String> feedback = t.isAudio() ? List.of() : List.of("nack", "nack pli", "ccm fir");
    return new Codec(pt, t.codec(), t.clockRate(), t.channels(), t.fmtp(), feedback);
  }

  /** The RTX payload type (RFC 4588) that goes with {@code payloadType}. */
  int rtxFor(int payloadType) {
    String key = "rtx/" + payloadType;
    Integer pt = byConfiguration.get(key);
    if (pt == null) {
      pt = free();
      byConfiguration.put(key, pt);
    }
    return pt;
  }

  /** A new connection starts numbering again. */
  void clear() {
    byConfiguration.clear();
  }

  /** The lowest dynamic payload type (RFC 3551 §6: 96-127) not yet used, keeping 111 for Opus. */
  private int free() {
    for (int pt = 96; pt <= 127; pt++) {
      if (pt != 111 && !byConfiguration.containsValue(pt)) {
        return pt;
      }
    }
    return 127; // more than 31 distinct codec configurations: an offer this odd is not worth refusing
  }
}
