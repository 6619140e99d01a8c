package uk.co.lchat.loadtest;

import java.util.HashMap;
import java.util.Map;

import uk.co.lchat.media.srtp.ReplayWindow;

/**
 * The SRTP receiver's replay check (RFC 3711 §3.3.2) on sequence numbers alone, for packets the load tool counts
 * from their clear header without authenticating them. Decrypting every packet, the tool never counted a duplicate
 * twice nor a packet more than 64 behind the highest (SRTP refuses both); counting from headers must refuse exactly
 * the same packets, or a duplicate would make up for a lost packet in the loss figure: so it is SRTP's own
 * {@link ReplayWindow} (rollover guessed as in §3.3.1, 64 packets behind the highest), one per SSRC. One receiver's
 * reader thread uses it.
 */
final class ClearHeaderReplay {
  private final Map<Long, ReplayWindow> streams = new HashMap<>();

  /** True if the packet is new and is recorded; false for a replay or a packet too old to tell. */
  boolean accept(long ssrc, int seq) {
    ReplayWindow w = streams.computeIfAbsent(ssrc, k -> new ReplayWindow());
    long index = w.rtpIndex(seq);
    if (w.isReplay(index)) {
      return false;
    }
    w.accept(index);
    return true;
  }
}
