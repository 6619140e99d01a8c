package uk.co.lchat.media.router;

import java.time.Duration;
import java.util.List;

/**
 * How a node's media router listens and what it tells clients: it binds {@code bindHost:port} (UDP) and advertises
 * each of {@code advertisedAddresses} as a host candidate on that port (public or NAT addresses go here). With
 * {@code iceTcp} it also listens on the same TCP port and advertises passive TCP candidates (RFC 6544) for clients
 * whose networks block UDP.
 */
public record RouterSettings(String bindHost, int port, List<String> advertisedAddresses, Duration consentTimeout,
                             Duration keyframeInterval, boolean iceTcp) {
  public RouterSettings {
    advertisedAddresses = List.copyOf(advertisedAddresses);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("media port out of range: " + port);
    }
  }

  public RouterSettings(String bindHost, int port, List<String> advertisedAddresses, Duration consentTimeout,
                        Duration keyframeInterval) {
    this(bindHost, port, advertisedAddresses, consentTimeout, keyframeInterval, true);
  }

  public static RouterSettings loopback(int port) {
    return new RouterSettings("127.0.0.1", port, List.of("127.0.0.1"), Duration.ofSeconds(30),
        Duration.ofMillis(300), true);
  }
}
