package uk.co.lchat.node.placement;

import java.time.Duration;

import com.typesafe.config.Config;

/**
 * The {@code lchat.media.placement} block, read once at boot: which router a joiner gets ({@code strategy}), a
 * router's capacity in media endpoints and the share of it at which room-locality looks elsewhere, and how often
 * the node asks every router for its load.
 */
public record PlacementSettings(Placement.Strategy strategy, int capacityEndpoints, double nearFull,
                                Duration interval) {
  public static PlacementSettings fromConfig(Config root) {
    Config p = root.getConfig("lchat.media.placement");
    return new PlacementSettings(Placement.strategy(p.getString("strategy")), p.getInt("capacity-endpoints"),
        p.getDouble("near-full"), p.getDuration("interval"));
  }
}
