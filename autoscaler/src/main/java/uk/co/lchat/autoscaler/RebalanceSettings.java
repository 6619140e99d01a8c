package uk.co.lchat.autoscaler;

import java.time.Duration;

import com.typesafe.config.Config;

/**
 * The rebalancer's settings ({@code lchat.rebalance}), read once at boot; this module's reference.conf has the
 * defaults. The policy is made only for a node that runs the rebalancer.
 */
public record RebalanceSettings(boolean enabled, Duration interval, double overloaded, double idle, double maxShare,
                                Duration cooldown) {
  public static RebalanceSettings fromConfig(Config root) {
    Config r = root.getConfig("lchat.rebalance");
    return new RebalanceSettings(r.getBoolean("enabled"), r.getDuration("interval"), r.getDouble("overloaded"),
        r.getDouble("idle"), r.getDouble("max-share"), r.getDuration("cooldown"));
  }

  public RebalancePolicy policy() {
    return new RebalancePolicy(overloaded, idle, maxShare, cooldown);
  }
}
