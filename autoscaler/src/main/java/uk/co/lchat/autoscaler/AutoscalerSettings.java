package uk.co.lchat.autoscaler;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.typesafe.config.Config;

/**
 * The autoscaler's settings ({@code lchat.autoscaler}), read once at boot; this module's reference.conf has the
 * defaults. The policy and the provider are made only for a node that runs the autoscaler, so a disabled one is
 * never checked further than its keys' types.
 *
 * @param provider {@code kubernetes} (the StatefulSet {@code statefulset}) or {@code local} (processes, see
 *                 {@link Local})
 */
public record AutoscalerSettings(boolean enabled, String provider, String statefulset, Local local, Duration interval,
                                 double targetUtilisation, double band, int minNodes, int maxNodes,
                                 Duration scaleUpCooldown, Duration scaleDownCooldown, double stressPerParticipant) {
  /**
   * {@code lchat.autoscaler.local}: node processes on this machine. {@code command} empty: a JVM like this one with
   * {@code jvmOptions}. {@code fixedNodes}: nodes the provider did not start and never removes.
   */
  public record Local(List<String> command, List<String> jvmOptions, int fixedNodes, Path logDir) {
    public Local {
      command = List.copyOf(command);
      jvmOptions = List.copyOf(jvmOptions);
    }
  }

  /**
   * What the local provider needs of the node that runs it: where its nodes join ({@code seed}, host:port of this
   * node's remoting), on which {@code host}, and how to start one like it ({@code jvmOptions} they must share, such
   * as remoting TLS, and the {@code mainClass}).
   */
  public record NodeTemplate(String host, String seed, List<String> jvmOptions, String mainClass) {}

  public static AutoscalerSettings fromConfig(Config root) {
    Config a = root.getConfig("lchat.autoscaler");
    Config l = a.getConfig("local");
    return new AutoscalerSettings(a.getBoolean("enabled"), a.getString("provider"), a.getString("statefulset"),
        new Local(l.getStringList("command"), l.getStringList("jvm-options"), l.getInt("fixed-nodes"),
            Path.of(l.getString("log-dir"))),
        a.getDuration("interval"), a.getDouble("target-utilisation"), a.getDouble("band"), a.getInt("min-nodes"),
        a.getInt("max-nodes"), a.getDuration("scale-up-cooldown"), a.getDuration("scale-down-cooldown"),
        a.getDouble("stress-per-participant"));
  }

  public ScalingPolicy policy() {
    return new ScalingPolicy(targetUtilisation, band, minNodes, maxNodes, scaleUpCooldown, scaleDownCooldown,
        stressPerParticipant);
  }

  /** The provider the settings name; {@code node} serves the local one. */
  public CapacityProvider capacityProvider(NodeTemplate node) throws IOException {
    return switch (provider) {
      case "kubernetes" -> KubernetesScaleProvider.inCluster(HttpClient.newHttpClient(), statefulset);
      case "local" -> {
        List<String> command = local.command();
        if (command.isEmpty()) {
          List<String> options = new ArrayList<>(local.jvmOptions());
          options.add("-Dlchat.autoscaler.enabled=off"); // the autoscaler runs here, where the processes are known
          options.addAll(node.jvmOptions()); // and they join over the same remoting, TLS or not
          command = LocalProcessProvider.sameJvmCommand(options, node.mainClass());
        }
        yield new LocalProcessProvider(command, node.host(), node.seed(), local.fixedNodes(), local.logDir());
      }
      default -> throw new IllegalArgumentException("lchat.autoscaler.provider: kubernetes or local, not "
          + provider);
    };
  }
}
