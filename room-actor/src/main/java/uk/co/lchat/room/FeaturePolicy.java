package uk.co.lchat.room;

import java.util.Locale;
import java.util.Map;

/**
 * Whether a participant may use a feature of the room: the room's flag ({@code lchat.room.features}, set by
 * moderators and the server API) must be on, and the participant's join token, when it has one with a
 * {@code features} claim, must not set it to {@code false}. A token narrows the room's flags for its holder only; it
 * never turns on what the room has off, and a feature its claim does not name follows the room. Participants
 * without a token (open rooms, guests of a {@code token-to-create} room) have only the room's flags.
 *
 * <p>One rule for every feature a participant uses: chat, private chat, raising a hand, sharing a video, sharing a
 * screen (checked where media is published: the signaling session, WHIP, peer-to-peer offers, and the room's
 * forwarding), and whatever comes next: a recording start asks {@code refusal(RECORDING, ...)} for the participant
 * who starts it.
 */
public final class FeaturePolicy {
  public static final String SCREENSHARE = "screenshare";
  public static final String RECORDING = "recording";
  public static final String STREAMING = "streaming";
  public static final String PRESENTATION = "presentation";
  public static final String SHARED_PAGE = "sharedPage";

  /**
   * Why not: {@code code} is {@code forbidden} when the room has the feature off, {@code not_granted} when the
   * participant's token does not allow it; {@code feature} names it.
   */
  public record Refusal(String code, String feature, String message) {}

  private FeaturePolicy() {}

  /** Null when a participant holding {@code grants} (null: no token, or one without a features claim) may. */
  public static Refusal refusal(String feature, Map<String, Boolean> roomFeatures, Map<String, Boolean> grants) {
    if (!roomFeatures.getOrDefault(feature, false)) {
      return new Refusal("forbidden", feature, name(feature) + " is turned off in this meeting.");
    }
    if (grants != null && Boolean.FALSE.equals(grants.get(feature))) {
      return new Refusal("not_granted", feature, "Your invitation does not allow "
          + name(feature).toLowerCase(Locale.ROOT) + " (its join token sets " + feature + " to false).");
    }
    return null;
  }

  /** How people call the feature, at the start of a sentence. */
  private static String name(String feature) {
    return switch (feature) {
      case "chat" -> "Chat";
      case "privateChat" -> "Private chat";
      case "raiseHand" -> "Raising hands";
      case "sharedVideo" -> "Video sharing";
      case SCREENSHARE -> "Screen sharing";
      case RECORDING -> "Recording";
      case STREAMING -> "Live streaming";
      case PRESENTATION -> "Presenting";
      case SHARED_PAGE -> "Sharing web pages";
      case "p2p" -> "Direct (peer-to-peer) media";
      default -> "The feature " + feature;
    };
  }
}
