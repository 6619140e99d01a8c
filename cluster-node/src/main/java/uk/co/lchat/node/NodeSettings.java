package uk.co.lchat.node;

import java.time.Duration;
import java.util.List;

import com.typesafe.config.Config;

import uk.co.lchat.media.router.RouterSettings;
import uk.co.lchat.node.tls.HttpsSettings;

/**
 * The node's own settings ({@code lchat.node}, {@code lchat.http}, {@code lchat.cluster}), read once at boot.
 *
 * @param httpBindHost where the HTTP port (and the HTTPS redirect port) listens ({@code lchat.http.bind-host})
 * @param https HTTPS on the HTTP port ({@code lchat.http.tls})
 */
public record NodeSettings(String host, int httpPort, int maxMessageBytes, Duration askTimeout,
                           Duration sessionTimeout, int mediaPort, String discovery, int remotePort,
                           List<String> seeds, ClusterTls tls, RouterSettings media, String httpBindHost,
                           HttpsSettings https) {

  public static NodeSettings fromConfig(Config root) {
    Config l = root.getConfig("lchat");
    return new NodeSettings(l.getString("node.host"), l.getInt("http.port"), l.getInt("http.max-message-bytes"),
        l.getDuration("http.ask-timeout"), l.getDuration("http.session-timeout"), l.getInt("media.port"),
        l.getString("cluster.discovery"), l.getInt("cluster.remote-port"), l.getStringList("cluster.seeds"),
        ClusterTls.fromConfig(root), media(l), l.getString("http.bind-host"), HttpsSettings.fromConfig(root));
  }

  private static RouterSettings media(Config l) {
    List<String> advertised = l.getStringList("media.advertised-addresses");
    return new RouterSettings(l.getString("media.bind-host"), l.getInt("media.port"),
        advertised.isEmpty() ? List.of(l.getString("node.host")) : advertised, l.getDuration("media.consent-timeout"),
        l.getDuration("media.keyframe-interval"), l.getBoolean("media.ice-tcp"));
  }
}
