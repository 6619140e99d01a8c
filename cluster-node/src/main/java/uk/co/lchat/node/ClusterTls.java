package uk.co.lchat.node;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;

/**
 * TLS on cluster remoting ({@code lchat.cluster.tls}), read once at boot. Relay links' SRTP keys, rooms' state and
 * every other cross-node message travel over remoting, so off loopback it is Artery's {@code tls-tcp} with mutual
 * authentication: a node presents a certificate signed by the cluster's CA and accepts only peers that do too
 * (Pekko's {@code RotatingKeysSSLEngineProvider}, which reads PEM files and reloads them, as Kubernetes Secrets
 * and cert-manager rotate them).
 *
 * @param allowPlaintext lets a node bind remoting off loopback without TLS (a network that is private end to end)
 */
public record ClusterTls(boolean enabled, Path keyFile, Path certFile, Path caFile, Duration reloadInterval,
                         boolean allowPlaintext) {
  /** Pekko's engine that reads PEM key, certificate and CA from files and re-reads them every cache TTL. */
  static final String ENGINE = "org.apache.pekko.remote.artery.tcp.ssl.RotatingKeysSSLEngineProvider";
  private static final String ARTERY = "pekko.remote.artery";

  /**
   * Reads {@code lchat.cluster.tls} from {@code root} and checks it against where remoting binds: without TLS a
   * node refuses (IllegalArgumentException, saying what to set) to bind remoting to anything but loopback, unless
   * {@code allow-plaintext}; with TLS the PEM files must be there and fit each other.
   */
  public static ClusterTls fromConfig(Config root) {
    Config t = root.getConfig("lchat.cluster.tls");
    ClusterTls tls = new ClusterTls(t.getBoolean("enabled"), Path.of(t.getString("key-file")),
        Path.of(t.getString("cert-file")), Path.of(t.getString("ca-file")), t.getDuration("reload-interval"),
        t.getBoolean("allow-plaintext"));
    tls.requireSafeFor(root.getString("lchat.node.host"));
    String bind = root.hasPath(ARTERY + ".bind.hostname") ? root.getString(ARTERY + ".bind.hostname") : "";
    if (!bind.isEmpty()) {
      tls.requireSafeFor(bind);
    }
    if (tls.enabled) {
      new RemotingCredentials(tls.keyFile, tls.certFile, tls.caFile).check();
    }
    return tls;
  }

  /** Refuses plaintext remoting on {@code host} unless it is a loopback address or plaintext is allowed. */
  void requireSafeFor(String host) {
    if (enabled || allowPlaintext || loopback(host)) {
      return;
    }
    throw new IllegalArgumentException("cluster remoting would bind " + host + " without TLS, and relay SRTP keys"
        + " cross it: set lchat.cluster.tls.enabled = on with key-file, cert-file and ca-file"
        + " (docs/security.md, section Cluster remoting TLS), or lchat.cluster.tls.allow-plaintext = on on a network"
        + " you trust end to end");
  }

  /** A name that resolves to a loopback address only; names that do not resolve are not loopback. */
  static boolean loopback(String host) {
    try {
      InetAddress[] all = InetAddress.getAllByName(host);
      for (InetAddress a : all) {
        if (!a.isLoopbackAddress()) {
          return false;
        }
      }
      return all.length > 0;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * These settings as JVM options, for node processes this node starts (the local autoscaler provider): they must
   * speak the same remoting to join.
   */
  List<String> jvmOptions() {
    List<String> options = new ArrayList<>(List.of("-Dlchat.cluster.tls.enabled=" + (enabled ? "on" : "off"),
        "-Dlchat.cluster.tls.allow-plaintext=" + (allowPlaintext ? "on" : "off")));
    if (enabled) {
      options.addAll(List.of("-Dlchat.cluster.tls.key-file=" + keyFile, "-Dlchat.cluster.tls.cert-file=" + certFile,
          "-Dlchat.cluster.tls.ca-file=" + caFile,
          "-Dlchat.cluster.tls.reload-interval=" + reloadInterval.toMillis() + "ms"));
    }
    return options;
  }

  /** The Pekko settings this implies, over {@code config}: the transport and, with TLS, the engine's files. */
  Config applyTo(Config config) {
    if (!enabled) {
      return config.withValue(ARTERY + ".transport", ConfigValueFactory.fromAnyRef("tcp"));
    }
    String engine = ARTERY + ".ssl.rotating-keys-engine.";
    return config
        .withValue(ARTERY + ".transport", ConfigValueFactory.fromAnyRef("tls-tcp"))
        .withValue(ARTERY + ".ssl.ssl-engine-provider", ConfigValueFactory.fromAnyRef(ENGINE))
        .withValue(engine + "key-file", ConfigValueFactory.fromAnyRef(keyFile.toString()))
        .withValue(engine + "cert-file", ConfigValueFactory.fromAnyRef(certFile.toString()))
        .withValue(engine + "ca-cert-file", ConfigValueFactory.fromAnyRef(caFile.toString()))
        .withValue(engine + "ssl-context-cache-ttl",
            ConfigValueFactory.fromAnyRef(reloadInterval.toMillis() + "ms"));
  }
}
