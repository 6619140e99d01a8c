package uk.co.lchat.media.router;

import java.time.Duration;
import java.util.List;

import com.typesafe.config.Config;

/**
 * How a node's media router listens and what it tells clients: it binds {@code bindHost:port} (UDP) and advertises
 * each of {@code advertisedAddresses} as a host candidate on that port (public or NAT addresses go here). With
 * {@code iceTcp} it also listens on the same TCP port and advertises passive TCP candidates (RFC 6544) for clients
 * whose networks block UDP. {@code audioSlots}: how many loudest-audio streams each receiver gets (0: one stream per
 * audio source). {@code batchSends}: writes are flushed to the sockets in batches (one sendmmsg for many datagrams
 * over epoll) rather than each at once; off is there to measure what batching saves. Read once at boot from
 * {@code lchat.media} (this module's reference.conf has the defaults).
 */
public record RouterSettings(String bindHost, int port, List<String> advertisedAddresses, Duration consentTimeout,
                             Duration keyframeInterval, boolean iceTcp, int audioSlots, boolean batchSends) {
  public static final int DEFAULT_AUDIO_SLOTS = 5;

  public RouterSettings {
    advertisedAddresses = List.copyOf(advertisedAddresses);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("media port out of range: " + port);
    }
    if (audioSlots < 0) {
      throw new IllegalArgumentException("lchat.media.audio-slots: 0 (off) or more, not " + audioSlots);
    }
  }

  public RouterSettings(String bindHost, int port, List<String> advertisedAddresses, Duration consentTimeout,
                        Duration keyframeInterval, boolean iceTcp, int audioSlots) {
    this(bindHost, port, advertisedAddresses, consentTimeout, keyframeInterval, iceTcp, audioSlots, true);
  }

  public RouterSettings(String bindHost, int port, List<String> advertisedAddresses, Duration consentTimeout,
                        Duration keyframeInterval, boolean iceTcp) {
    this(bindHost, port, advertisedAddresses, consentTimeout, keyframeInterval, iceTcp, DEFAULT_AUDIO_SLOTS);
  }

  public RouterSettings(String bindHost, int port, List<String> advertisedAddresses, Duration consentTimeout,
                        Duration keyframeInterval) {
    this(bindHost, port, advertisedAddresses, consentTimeout, keyframeInterval, true);
  }

  /**
   * The {@code lchat.media} settings of {@code root}. {@code nodeHost}: the address the node is reached at, which
   * clients are given when {@code advertised-addresses} is empty.
   */
  public static RouterSettings fromConfig(Config root, String nodeHost) {
    Config m = root.getConfig("lchat.media");
    List<String> advertised = m.getStringList("advertised-addresses");
    return new RouterSettings(m.getString("bind-host"), m.getInt("port"),
        advertised.isEmpty() ? List.of(nodeHost) : advertised, m.getDuration("consent-timeout"),
        m.getDuration("keyframe-interval"), m.getBoolean("ice-tcp"), m.getInt("audio-slots"),
        m.getBoolean("batch-sends"));
  }

  public static RouterSettings loopback(int port) {
    return new RouterSettings("127.0.0.1", port, List.of("127.0.0.1"), Duration.ofSeconds(30),
        Duration.ofMillis(300), true);
  }
}
