package uk.co.lchat.node.stats;

import java.time.Duration;

import com.typesafe.config.Config;

/** The {@code lchat.metrics} block of the configuration, read once. */
public record MetricsSettings(int port, String bindHost, Duration sampleInterval, Duration rateWindow,
                              double capacityPacketsPerSecond, double capacityCpu) {
  public static MetricsSettings fromConfig(Config root) {
    Config m = root.getConfig("lchat.metrics");
    return new MetricsSettings(m.getInt("port"), m.getString("bind-host"), m.getDuration("sample-interval"),
        m.getDuration("rate-window"), m.getDouble("capacity.packets-per-second"), m.getDouble("capacity.cpu"));
  }
}
