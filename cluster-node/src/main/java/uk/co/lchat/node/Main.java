package uk.co.lchat.node;

import java.io.File;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * Starts one node. Flags override configuration:
 * {@code --host H --http PORT --remote-port PORT --media-port PORT --seed host:port (repeatable) --config FILE}.
 * With no seeds the node joins itself: a single-node cluster. {@code --lan} turns LAN mode on
 * ({@code lchat.lan.enabled}) with HTTPS on 8443 and a redirect from plain HTTP on 8080, unless the configuration
 * file or {@code --http} name ports.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    Config config;
    try {
      config = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("lchat: " + e.getMessage());
      System.err.println("usage: Main [--lan] [--host H] [--http PORT] [--remote-port PORT] [--media-port PORT]"
          + " [--seed host:port]... [--config FILE]");
      System.exit(2);
      return;
    }
    try {
      LchatNode.start(config);
    } catch (IllegalArgumentException e) {
      // A setting the node refuses (e.g. plaintext remoting off loopback): say which, without a stack trace.
      System.err.println("lchat: " + e.getMessage());
      System.exit(2);
    }
  }

  static Config parse(String[] args) {
    Map<String, Object> overrides = new HashMap<>();
    List<String> seeds = new ArrayList<>();
    Config file = ConfigFactory.empty();
    boolean lan = false;
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (flag.equals("--lan")) {
        lan = true;
        overrides.put("lchat.lan.enabled", true);
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(flag + " needs a value");
      }
      String value = args[++i];
      switch (flag) {
        case "--host" -> overrides.put("lchat.node.host", value);
        case "--http" -> overrides.put("lchat.http.port", port(flag, value));
        case "--remote-port" -> overrides.put("lchat.cluster.remote-port", port(flag, value));
        case "--media-port" -> overrides.put("lchat.media.port", port(flag, value));
        case "--seed" -> {
          LchatNode.toAddress(value);
          seeds.add(value);
        }
        case "--config" -> {
          File f = new File(value);
          if (!f.isFile()) {
            throw new IllegalArgumentException("no such configuration file: " + value);
          }
          file = ConfigFactory.parseFile(f);
        }
        default -> throw new IllegalArgumentException("unknown flag " + flag);
      }
    }
    // A standalone node's JVM ends with its actor system (SIGTERM runs Coordinated Shutdown first).
    overrides.put("pekko.coordinated-shutdown.exit-jvm", "on");
    if (!seeds.isEmpty()) {
      overrides.put("lchat.cluster.seeds", seeds);
    }
    Config flags = ConfigFactory.parseMap(overrides).withFallback(file);
    if (!lan) {
      return flags;
    }
    // LAN mode's ports, beneath the file and the flags: https://address:8443/, and http://address:8080/ leading there.
    Map<String, Object> lanPorts = new HashMap<>(Map.of("lchat.http.port", 8443));
    if (!overrides.containsKey("lchat.http.port")) {
      lanPorts.put("lchat.http.tls.redirect-port", 8080);
    }
    return flags.withFallback(ConfigFactory.parseMap(lanPorts));
  }

  private static int port(String flag, String value) {
    try {
      int port = Integer.parseInt(value);
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return port;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " takes a port number, got " + value);
    }
  }
}
