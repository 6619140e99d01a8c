package uk.co.lchat.media.router;

import uk.co.lchat.media.rtp.RtpPacket;
import uk.co.lchat.media.rtp.VideoCodec;

/**
 * One outgoing stream with a fixed SSRC whose source may change (WHEP following the dominant speaker, later
 * last-N slots). Sequence numbers and timestamps continue smoothly across a switch, so the receiver sees one
 * unbroken stream; after a video switch nothing is sent until the new source's keyframe. Loop-owned.
 */
public final class StreamRewriter {
  private final long ssrc;
  private final boolean video;
  private final int clockRate;
  private int sourceSsrc;
  private boolean hasSource;
  private boolean switching;
  private boolean awaitingKeyframe;
  private boolean started;
  private int seqDelta;
  private long tsDelta;
  private int lastSeq;
  private long lastTs;
  private long lastNanos;
  /** The first outgoing sequence number of the current source: earlier ones belong to a source before it. */
  private int epochStart;
  private boolean startOfEpoch;

  public StreamRewriter(long ssrc, boolean video, int clockRate) {
    this.ssrc = ssrc;
    this.video = video;
    this.clockRate = clockRate;
  }

  public long ssrc() {
    return ssrc;
  }

  /**
   * The current source's sequence number behind an outgoing one (to answer a NACK from the source's packet
   * cache), or -1 when the outgoing one is not from the current source.
   */
  int sourceSequence(int outSeq) {
    if (!started || ((outSeq - epochStart) & 0xFFFF) >= 0x8000 || ((lastSeq - outSeq) & 0xFFFF) >= 0x8000) {
      return -1;
    }
    return (outSeq - seqDelta) & 0xFFFF;
  }

  /** The outgoing timestamp of a source timestamp of the current source. */
  long outTimestamp(long ts) {
    return (ts + tsDelta) & 0xFFFFFFFFL;
  }

  /**
   * Rewrites the plain RTP packet in place; false means drop it (waiting for a keyframe after a switch, when
   * {@code keyframes} names the codec whose keyframes to wait for; null: no wait).
   */
  boolean rewrite(RtpPacket rtp, VideoCodec keyframes, long nowNanos) {
    int in = (int) rtp.ssrc();
    if (!hasSource || in != sourceSsrc) {
      hasSource = true;
      sourceSsrc = in;
      switching = true;
      awaitingKeyframe = video && keyframes != null;
    }
    if (awaitingKeyframe) {
      if (!keyframes.isKeyframeStart(rtp.buffer(), rtp.payloadOffset(), rtp.payloadLength())) {
        return false;
      }
      awaitingKeyframe = false;
    }
    int seq = rtp.sequenceNumber();
    long ts = rtp.timestamp();
    if (switching) {
      switching = false;
      startOfEpoch = true;
      if (started) {
        seqDelta = (lastSeq + 1 - seq) & 0xFFFF;
        long elapsed = Math.max(1, (nowNanos - lastNanos) * clockRate / 1_000_000_000L);
        tsDelta = (lastTs + elapsed - ts) & 0xFFFFFFFFL;
      }
    }
    int outSeq = (seq + seqDelta) & 0xFFFF;
    long outTs = (ts + tsDelta) & 0xFFFFFFFFL;
    if (!started || startOfEpoch) {
      epochStart = outSeq;
      startOfEpoch = false;
    }
    rtp.setSequenceNumber(outSeq);
    rtp.setTimestamp(outTs);
    rtp.setSsrc(ssrc);
    if (!started || ((outSeq - lastSeq) & 0xFFFF) < 0x8000) {
      lastSeq = outSeq;
      lastTs = outTs;
      lastNanos = nowNanos;
    }
    started = true;
    return true;
  }
}
