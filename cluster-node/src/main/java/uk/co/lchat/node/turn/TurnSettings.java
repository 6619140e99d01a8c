package uk.co.lchat.node.turn;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import com.typesafe.config.Config;

/**
 * The ICE servers the node hands its clients ({@code lchat.turn}), read once at boot: TURN URLs with the secret
 * shared with the TURN server (coturn's {@code use-auth-secret}), how long handed-out credentials work, and STUN
 * URLs. None by default: clients then connect to the media router's own candidates only.
 */
public record TurnSettings(List<String> urls, String secret, Duration credentialTtl, List<String> stunUrls) {
  /** RFC 7065 §3.1 (turn/turns) and RFC 7064 §3.1 (stun/stuns): host (an IPv6 literal in brackets), port, transport. */
  private static final Pattern URL = Pattern.compile(
      "(turns?|stuns?):(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9.-]+)(:\\d{1,5})?(\\?transport=(udp|tcp))?");

  public TurnSettings {
    urls = List.copyOf(urls);
    stunUrls = List.copyOf(stunUrls);
    for (String url : urls) {
      if (!URL.matcher(url).matches() || !url.startsWith("turn")) {
        throw new IllegalArgumentException("lchat.turn.urls: " + url + " is not a TURN URL (RFC 7065), e.g."
            + " turn:turn.example.com:3478?transport=udp or turns:turn.example.com:443?transport=tcp");
      }
    }
    for (String url : stunUrls) {
      if (!URL.matcher(url).matches() || !url.startsWith("stun") || url.contains("?")) {
        throw new IllegalArgumentException("lchat.turn.stun-urls: " + url + " is not a STUN URL (RFC 7064), e.g."
            + " stun:turn.example.com:3478");
      }
    }
    if (!urls.isEmpty() && secret.isEmpty()) {
      throw new IllegalArgumentException("lchat.turn.urls needs lchat.turn.secret: the TURN server's"
          + " static-auth-secret (coturn use-auth-secret), from which each client's credentials are made");
    }
    if (urls.isEmpty() && !secret.isEmpty()) {
      throw new IllegalArgumentException("lchat.turn.secret is set but lchat.turn.urls is empty: name the TURN"
          + " server's URLs");
    }
    if (credentialTtl.compareTo(Duration.ofMinutes(1)) < 0) {
      throw new IllegalArgumentException("lchat.turn.credential-ttl must be at least 1 minute, got " + credentialTtl);
    }
  }

  public static TurnSettings fromConfig(Config root) {
    Config t = root.getConfig("lchat.turn");
    return new TurnSettings(t.getStringList("urls"), t.getString("secret"), t.getDuration("credential-ttl"),
        t.getStringList("stun-urls"));
  }

  public boolean any() {
    return !urls.isEmpty() || !stunUrls.isEmpty();
  }
}
