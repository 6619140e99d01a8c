package uk.co.lchat.media.router;

import java.util.Arrays;

import uk.co.lchat.media.rtp.TransportCc;

/**
 * Arrival times of one endpoint's packets by transport-wide sequence number, turned into feedback every tick so the
 * browser's send-side bandwidth estimation can ramp up and back off. Loop-owned; fixed arrays, no allocation.
 */
final class TransportCcRecorder {
  private static final int WINDOW = 1024;
  private final long[] arrivals = new long[WINDOW];
  private final long[] scratch = new long[WINDOW];
  private final int extensionId;
  private boolean started;
  private int nextToReport;
  private int highest;
  private int feedbackCount;

  TransportCcRecorder(int extensionId) {
    this.extensionId = extensionId;
    Arrays.fill(arrivals, -1);
  }

  int extensionId() {
    return extensionId;
  }

  void record(int seq, long arrivalNanos) {
    if (!started) {
      started = true;
      nextToReport = seq;
      highest = seq;
    } else if (((seq - highest) & 0xFFFF) < 0x8000) {
      highest = seq;
    } else if (((nextToReport - seq) & 0xFFFF) < 0x8000 && seq != nextToReport) {
      return; // older than what was already reported
    }
    arrivals[seq & (WINDOW - 1)] = arrivalNanos;
  }

  /** Writes feedback for everything since the last one; returns its length, or 0 when there is nothing new. */
  int feedback(byte[] out, int off, long senderSsrc, long mediaSsrc) {
    if (!started) {
      return 0;
    }
    int diff = (highest - nextToReport) & 0xFFFF;
    if (diff >= 0x8000) {
      return 0; // nothing new since the last feedback
    }
    int count = diff + 1;
    if (count > WINDOW) {
      nextToReport = (highest - WINDOW + 1) & 0xFFFF; // fell far behind: report the newest window only
      count = WINDOW;
    }
    boolean any = false;
    for (int i = 0; i < count; i++) {
      int slot = (nextToReport + i) & (WINDOW - 1);
      scratch[i] = arrivals[slot];
      arrivals[slot] = -1;
      any |= scratch[i] >= 0;
    }
    if (!any) {
      return 0;
    }
    int n = TransportCc.write(out, off, senderSsrc, mediaSsrc, nextToReport, scratch, count, feedbackCount++ & 0xFF);
    nextToReport = (highest + 1) & 0xFFFF;
    return n;
  }
}
