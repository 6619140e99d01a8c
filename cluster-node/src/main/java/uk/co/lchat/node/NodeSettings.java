package uk.co.lchat.node;

import java.time.Duration;
import java.util.List;

import com.typesafe.config.Config;

import uk.co.lchat.media.router.RouterSettings;
import uk.co.lchat.node.tls.HttpsSettings;

/**
 * The node's own settings ({@code lchat.node}, {@code lchat.http}, {@code lchat.cluster}), read once at boot, with
 * its media router's ({@code media}: {@link RouterSettings} reads them from {@code lchat.media}).
 *
 * @param httpBindHost where the HTTP port (and the HTTPS redirect port) listens ({@code lchat.http.bind-host})
 * @param https HTTPS on the HTTP port ({@code lchat.http.tls})
 */
public record NodeSettings(String host, int httpPort, int maxMessageBytes, Duration askTimeout,
                           Duration sessionTimeout, String discovery, int remotePort,
                           List<String> seeds, ClusterTls tls, RouterSettings media, String httpBindHost,
                           HttpsSettings https) {

  public static NodeSettings fromConfig(Config root) {
    Config l = root.getConfig("lchat");
    return new NodeSettings(l.getString("node.host"), l.getInt("http.port"), l.getInt("http.max-message-bytes"),
        l.getDuration("http.ask-timeout"), l.getDuration("http.session-timeout"),
        l.getString("cluster.discovery"), l.getInt("cluster.remote-port"), l.getStringList("cluster.seeds"),
        ClusterTls.fromConfig(root), RouterSettings.fromConfig(root, l.getString("node.host")),
        l.getString("http.bind-host"), HttpsSettings.fromConfig(root));
  }
}
