package uk.co.lchat.room;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.typesafe.config.Config;

/** The {@code lchat.room} settings, read once at boot. */
public record RoomConfig(int maxParticipants, int maxViewers, int maxNameLength, int maxChatLength, int chatHistory,
                         boolean controllerMode, Map<String, Boolean> features, WebhookSettings webhooks,
                         int rosterBatchAbove, Duration rosterBatchInterval, int lastN,
                         PasscodeGuard.Settings passcodeGuard, List<String> sharedVideoHosts,
                         RoomReplica.Settings replication, RoomProtocol.AuthMode authMode, Duration emptyTimeout,
                         SharedPageSettings sharedPage) {

  public static final int HARD_MAX_PARTICIPANTS = 1000;

  public RoomConfig {
    if (maxParticipants < 1 || maxParticipants > HARD_MAX_PARTICIPANTS) {
      throw new IllegalArgumentException("lchat.room.max-participants must be 1.." + HARD_MAX_PARTICIPANTS);
    }
    if (maxViewers < 0 || maxNameLength < 1 || maxChatLength < 1 || chatHistory < 0) {
      throw new IllegalArgumentException("lchat.room limits must be positive");
    }
    features = Map.copyOf(features);
    sharedVideoHosts = sharedVideoHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
    if (lastN < 0 || lastN > RoomProtocol.MAX_LAST_N) {
      throw new IllegalArgumentException("lchat.room.last-n must be 0.." + RoomProtocol.MAX_LAST_N);
    }
    if (emptyTimeout.isNegative() || emptyTimeout.isZero()) {
      throw new IllegalArgumentException("lchat.room.empty-timeout must be positive");
    }
    if (sharedPage.allowedHosts().isEmpty() && features.containsKey(FeaturePolicy.SHARED_PAGE)) {
      // No host to share from: the feature is off for every room (and no moderator can turn it on).
      Map<String, Boolean> off = new LinkedHashMap<>(features);
      off.put(FeaturePolicy.SHARED_PAGE, false);
      features = Map.copyOf(off);
    }
  }

  /**
   * {@code lchat.room.shared-page}: the hosts whose pages may be shared, and how long the room waits for its node's
   * framing check before showing a page anyway.
   */
  public record SharedPageSettings(PageHosts allowedHosts, Duration checkTimeout) {
    public SharedPageSettings {
      if (checkTimeout.isNegative() || checkTimeout.isZero()) {
        throw new IllegalArgumentException("lchat.room.shared-page.check-timeout must be positive");
      }
    }
  }

  /** {@code lchat.auth.mode}: open, token or token-to-create. */
  static RoomProtocol.AuthMode authMode(String mode) {
    return switch (mode) {
      case "open" -> RoomProtocol.AuthMode.OPEN;
      case "token" -> RoomProtocol.AuthMode.TOKEN;
      case "token-to-create" -> RoomProtocol.AuthMode.TOKEN_TO_CREATE;
      default -> throw new IllegalArgumentException("lchat.auth.mode is open, token or token-to-create, not "
          + mode);
    };
  }

  public record WebhookSettings(List<String> urls, String secret, int maxAttempts, Duration initialBackoff,
                                Duration timeout) {
    public WebhookSettings {
      urls = List.copyOf(urls);
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("lchat.room.webhooks.max-attempts must be >= 1");
      }
    }

    public static WebhookSettings none() {
      return new WebhookSettings(List.of(), "", 1, Duration.ofMillis(500), Duration.ofSeconds(5));
    }
  }

  public static RoomConfig fromConfig(Config root) {
    Config c = root.getConfig("lchat.room");
    Map<String, Boolean> features = new LinkedHashMap<>();
    Config f = c.getConfig("features");
    for (String key : f.root().keySet()) {
      features.put(key, f.getBoolean(key));
    }
    Config w = c.getConfig("webhooks");
    WebhookSettings webhooks = new WebhookSettings(w.getStringList("urls"), w.getString("secret"),
        w.getInt("max-attempts"), w.getDuration("initial-backoff"), w.getDuration("timeout"));
    return new RoomConfig(c.getInt("max-participants"), c.getInt("max-viewers"), c.getInt("max-name-length"),
        c.getInt("max-chat-length"), c.getInt("chat-history"), c.getBoolean("controller-mode"), features, webhooks,
        c.getInt("roster-batch-above"), c.getDuration("roster-batch-interval"), c.getInt("last-n"),
        passcodeGuard(c.getConfig("passcode-guard")), c.getStringList("shared-video.allowed-hosts"),
        new RoomReplica.Settings(c.getBoolean("replication.enabled"), c.getDuration("replication.interval"),
            c.getDuration("replication.timeout")), authMode(root.getString("lchat.auth.mode")),
        c.getDuration("empty-timeout"), new SharedPageSettings(PageHosts.of(c.getStringList(
            "shared-page.allowed-hosts")), c.getDuration("shared-page.check-timeout")));
  }

  public RoomConfig withMaxParticipants(int max) {
    return new RoomConfig(max, maxViewers, maxNameLength, maxChatLength, chatHistory, controllerMode, features,
        webhooks, rosterBatchAbove, rosterBatchInterval, lastN, passcodeGuard, sharedVideoHosts,
        replication, authMode, emptyTimeout, sharedPage);
  }

  private static PasscodeGuard.Settings passcodeGuard(Config g) {
    return new PasscodeGuard.Settings(g.getInt("free-failures"), g.getDuration("first-delay"),
        g.getDuration("lockout"), g.getDuration("forget-after"), g.getInt("room-free-failures"),
        g.getDuration("room-max-delay"), g.getInt("max-addresses"));
  }
}
