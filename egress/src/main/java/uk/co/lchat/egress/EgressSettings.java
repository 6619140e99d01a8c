package uk.co.lchat.egress;

import java.nio.file.Path;
import java.time.Duration;

import com.typesafe.config.Config;

/**
 * The egress module's settings ({@code lchat.egress}, this module's reference.conf), read once at boot.
 * {@code minFreeSpace}: bytes the storage keeps free; below them no egress starts and those writing there end.
 */
public record EgressSettings(boolean enabled, Path storage, String ffmpeg, String ffprobe, Duration stopTimeout,
                             Duration startTimeout, Duration retention, long minFreeSpace) {
  public static EgressSettings from(Config root) {
    Config c = root.getConfig("lchat.egress");
    return new EgressSettings(c.getBoolean("enabled"), Path.of(c.getString("storage")), c.getString("ffmpeg"),
        c.getString("ffprobe"), c.getDuration("stop-timeout"), c.getDuration("start-timeout"),
        c.getDuration("retention"), c.getBytes("min-free-space"));
  }
}
