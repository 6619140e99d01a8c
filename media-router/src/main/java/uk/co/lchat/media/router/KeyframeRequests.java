package uk.co.lchat.media.router;

import java.time.Duration;

import uk.co.lchat.media.rtp.RtcpFeedback;
import uk.co.lchat.media.srtp.PacketBuffer;

/**
 * Asks publishers for keyframes with a PLI (RFC 4585 §6.3.1): for a receiver that joins or connects, a simulcast
 * layer switch, a stream that resumes after a switch of source, or a receiver's own request. Unforced requests for a
 * stream go out at most once per keyframe interval, so a crowd of receivers cannot make a publisher send nothing but
 * keyframes. Loop-owned.
 */
final class KeyframeRequests {
  private final long intervalNanos;
  private final PacketBuffer out;
  private final RouterCounters counters;

  KeyframeRequests(Duration interval, PacketBuffer out, RouterCounters counters) {
    this.intervalNanos = interval.toNanos();
    this.out = out;
    this.counters = counters;
  }

  /** Asks {@code p}'s publisher for a keyframe; {@code force} ignores the interval. Audio needs none. */
  void request(Publication p, boolean force) {
    long now = System.nanoTime();
    if (!p.isVideo() || (!force && now - p.lastKeyframeRequestNanos < intervalNanos)) {
      return;
    }
    Transport publisher = p.publisher;
    if (!publisher.ready()) {
      return;
    }
    p.lastKeyframeRequestNanos = now;
    out.set(0, RtcpFeedback.writePli(out.getBuffer(), 0, MediaRouter.ROUTER_SSRC, p.ssrc()));
    if (publisher.sendRtcp(out)) {
      counters.keyframeRequestsSent++;
    }
  }
}
