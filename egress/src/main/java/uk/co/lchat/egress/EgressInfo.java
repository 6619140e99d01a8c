package uk.co.lchat.egress;

import java.util.List;

/**
 * One egress as the server API shows it. {@code status}: {@code starting}, {@code active}, {@code ended};
 * {@code reason} once ended: {@code stopped}, {@code room_ended}, {@code encoder_failed}, {@code refused}.
 */
public record EgressInfo(String egressId, String roomId, String type, String status, String reason,
                         long startedAtMillis, long endedAtMillis, List<RecordedFile> files) {

  /**
   * One file written: its name under the storage directory, the track it holds, size and duration, and when its
   * media starts and stops (epoch ms: when its recorder began to listen and was asked to stop; 0 when it never
   * listened, or died by itself), so that per-track files can be lined up in post-production.
   */
  public record RecordedFile(String name, String participantId, String displayName, String kind, String codec,
                             long bytes, double durationSeconds, long startedAtMillis, long stoppedAtMillis) {}
}
