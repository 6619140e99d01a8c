package uk.co.lchat.node.http;

import java.time.Duration;
import java.util.List;

import com.typesafe.config.Config;

/**
 * How the node's HTTP listener guards its door ({@code lchat.http}), read once at boot: which browser origins may
 * open the signaling WebSocket, how long a connection may take to send a request's head, and how many connections
 * the node and each client address may hold.
 */
public record FrontDoorSettings(List<String> allowedOrigins, Duration headerTimeout, int maxConnections,
                                int maxConnectionsPerAddress) {

  public FrontDoorSettings {
    allowedOrigins = List.copyOf(allowedOrigins);
    if (headerTimeout.isNegative() || headerTimeout.isZero()) {
      throw new IllegalArgumentException("lchat.http.header-timeout must be positive, got " + headerTimeout);
    }
    if (maxConnections < 1 || maxConnectionsPerAddress < 1) {
      throw new IllegalArgumentException("lchat.http.max-connections and max-connections-per-address must be at"
          + " least 1");
    }
  }

  public static FrontDoorSettings fromConfig(Config root) {
    Config h = root.getConfig("lchat.http");
    return new FrontDoorSettings(h.getStringList("allowed-origins"), h.getDuration("header-timeout"),
        h.getInt("max-connections"), h.getInt("max-connections-per-address"));
  }
}
