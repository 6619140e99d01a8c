package uk.co.lchat.node.turn;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The STUN and TURN servers a client should use, each TURN entry with credentials made for that client (see
 * {@link TurnCredentials}). Signaling sends them in {@code joined} and {@code resumed}; WHIP and WHEP in
 * {@code Link} headers (RFC 9725 §4.6). An actor-system extension, so every session on the node reads the same
 * settings without each constructor carrying them.
 */
public final class IceServers implements Extension {
  /** One entry of RTCConfiguration.iceServers (W3C WebRTC §4.2.4): username and credential null for STUN. */
  public record IceServer(List<String> urls, String username, String credential) {
    public IceServer {
      urls = List.copyOf(urls);
    }
  }

  private final TurnSettings settings;
  private final TurnCredentials credentials;
  private final Clock clock;

  public IceServers(TurnSettings settings, Clock clock) {
    this.settings = settings;
    this.credentials = new TurnCredentials(settings.secret(), settings.credentialTtl());
    this.clock = clock;
  }

  public static final ExtensionId<IceServers> ID = new ExtensionId<>() {
    @Override
    public IceServers createExtension(ActorSystem<?> system) {
      return new IceServers(TurnSettings.fromConfig(system.settings().config()), Clock.systemUTC());
    }
  };

  public static IceServers get(ActorSystem<?> system) {
    return system.registerExtension(ID); // created on first use, then the same one
  }

  /** The servers for {@code user} (a participant id, named in the TURN username), credentials issued now. */
  public List<IceServer> forUser(String user) {
    List<IceServer> servers = new ArrayList<>();
    if (!settings.stunUrls().isEmpty()) {
      servers.add(new IceServer(settings.stunUrls(), null, null));
    }
    if (!settings.urls().isEmpty()) {
      TurnCredentials.Credential c = credentials.issue(clock.instant(), user);
      servers.add(new IceServer(settings.urls(), c.username(), c.password()));
    }
    return servers;
  }

  /**
   * The servers as WHIP/WHEP {@code Link} header values (RFC 9725 §4.6, RFC 8288 §3): one per URL,
   * {@code <turn:...>; rel="ice-server"; username="..."; credential="..."; credential-type="password"}.
   */
  public static List<String> linkHeaders(List<IceServer> servers) {
    List<String> links = new ArrayList<>();
    for (IceServer server : servers) {
      for (String url : server.urls()) {
        StringBuilder link = new StringBuilder("<").append(url).append(">; rel=\"ice-server\"");
        if (server.username() != null) {
          link.append("; username=").append(quoted(server.username()))
              .append("; credential=").append(quoted(server.credential()))
              .append("; credential-type=\"password\"");
        }
        links.add(link.toString());
      }
    }
    return links;
  }

  /** RFC 9110 §5.6.4 quoted-string. */
  private static String quoted(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
