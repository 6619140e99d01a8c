package uk.co.lchat.loadtest;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.pekko.cluster.typed.Cluster;

import com.typesafe.config.ConfigFactory;

import uk.co.lchat.autoscaler.LocalProcessProvider;
import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.Main;

/** A cluster of this test's JVM's node and node processes started beside it, all on loopback and free ports. */
final class NodeProcesses {
  private NodeProcesses() {}

  /** This JVM's node, with {@code settings} on free ports: the cluster's seed. */
  static LchatNode firstNode(Map<String, Object> settings) throws Exception {
    Map<String, Object> config = new HashMap<>(settings);
    config.put("lchat.http.port", 0);
    config.put("lchat.media.port", 0);
    config.put("lchat.cluster.remote-port", 0);
    return LchatNode.start(ConfigFactory.parseMap(config));
  }

  /** Node processes with the same {@code settings} that join {@code first}; scale them with {@code scaleTo}. */
  static LocalProcessProvider beside(LchatNode first, Map<String, Object> settings, String logDir) throws IOException {
    List<String> jvm = new ArrayList<>(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    settings.forEach((k, v) -> jvm.add("-D" + k + "=" + v));
    return new LocalProcessProvider(LocalProcessProvider.sameJvmCommand(jvm, Main.class.getName()), "127.0.0.1",
        "127.0.0.1:" + Cluster.get(first.system()).selfMember().address().getPort().get(), 1,
        Path.of("target", logDir));
  }
}
