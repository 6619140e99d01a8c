package uk.co.lchat.node;

import com.typesafe.config.Config;

/** Main's command-line parsing, for tests in other packages. */
public final class MainFlags {
  private MainFlags() {}

  public static Config parse(String... args) {
    return Main.parse(args);
  }
}
