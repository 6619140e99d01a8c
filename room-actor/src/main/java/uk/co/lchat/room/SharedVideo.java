package uk.co.lchat.room;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

import uk.co.lchat.room.RoomProtocol.Role;
import uk.co.lchat.room.RoomProtocol.SharedVideoAction;
import uk.co.lchat.room.RoomProtocol.SharedVideoState;

/**
 * The video everyone in the room watches together: what plays, from where, and who controls it. Anyone may start
 * one from an allowed host ({@code lchat.room.shared-video.allowed-hosts} or a subdomain: nobody can make every
 * browser fetch an arbitrary address) while nothing is shared; the person who shared it and moderators play, pause,
 * seek, replace and stop it. Owned by the room actor; a plain object with no actor state.
 */
final class SharedVideo {
  private static final int MAX_URL_LENGTH = 2048;

  /** What a control request comes to: the state everyone is told, or a refusal for whoever asked. */
  sealed interface Outcome {
    record Changed(SharedVideoState state) implements Outcome {}

    record Refused(String code, String message) implements Outcome {}
  }

  private final List<String> allowedHosts;
  private SharedVideoState state = new SharedVideoState(null, false, 0, 0, null);

  /** {@code allowedHosts} in lower case. */
  SharedVideo(List<String> allowedHosts) {
    this.allowedHosts = List.copyOf(allowedHosts);
  }

  SharedVideoState state() {
    return state;
  }

  /** Takes over a previous incarnation's shared video. */
  void restore(SharedVideoState s) {
    state = s;
  }

  /** {@code by} asks for {@code action} ({@code url} for START, {@code positionSeconds} for the others). */
  Outcome control(Participant by, SharedVideoAction action, String url, double positionSeconds, long now) {
    if (action == null) {
      return new Outcome.Refused("invalid", "Say what to do with the shared video.");
    }
    boolean controls = by.role == Role.MODERATOR || by.id.equals(state.controlledBy());
    if (action == SharedVideoAction.START) {
      if (!isWebUrl(url)) {
        return new Outcome.Refused("invalid", "A shared video needs an http or https URL.");
      }
      if (!isAllowed(url)) {
        return new Outcome.Refused("forbidden", "Videos can be shared from " + String.join(", ", allowedHosts)
            + " only.");
      }
      if (state.url() != null && !controls) {
        return new Outcome.Refused("forbidden", "Someone else is sharing a video.");
      }
      return changed(new SharedVideoState(url, true, 0, now, by.id));
    }
    if (state.url() == null) {
      return new Outcome.Refused("invalid", "No video is being shared.");
    }
    if (!controls) {
      return new Outcome.Refused("forbidden", "Only the person who shared the video or a moderator controls it.");
    }
    if (action != SharedVideoAction.STOP && !(Double.isFinite(positionSeconds) && positionSeconds >= 0)) {
      return new Outcome.Refused("invalid", "A position is a number of seconds, zero or more.");
    }
    String controller = state.controlledBy();
    return changed(switch (action) {
      case PLAY -> new SharedVideoState(state.url(), true, positionSeconds, now, controller);
      case PAUSE -> new SharedVideoState(state.url(), false, positionSeconds, now, controller);
      case SEEK -> new SharedVideoState(state.url(), state.playing(), positionSeconds, now, controller);
      case STOP -> stopped(now);
      case START -> throw new IllegalStateException("START is handled above");
    });
  }

  /** The room turned the feature off: a video being shared stops. Returns the new state, or null if none played. */
  SharedVideoState turnedOff(long now) {
    if (state.url() == null) {
      return null;
    }
    state = stopped(now);
    return state;
  }

  private Outcome changed(SharedVideoState next) {
    state = next;
    return new Outcome.Changed(next);
  }

  private static SharedVideoState stopped(long now) {
    return new SharedVideoState(null, false, 0, now, null);
  }

  /** On one of the allowed hosts, or a subdomain of one. */
  private boolean isAllowed(String url) {
    String host = URI.create(url).getHost().toLowerCase(Locale.ROOT);
    for (String allowed : allowedHosts) {
      if (host.equals(allowed) || host.endsWith("." + allowed)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isWebUrl(String url) {
    if (url == null || url.length() > MAX_URL_LENGTH) {
      return false;
    }
    try {
      URI uri = new URI(url);
      return ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
          && uri.getHost() != null;
    } catch (URISyntaxException e) {
      return false;
    }
  }
}
