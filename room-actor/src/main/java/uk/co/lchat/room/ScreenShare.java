package uk.co.lchat.room;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import uk.co.lchat.media.control.TrackInfo;
import uk.co.lchat.media.sdp.MediaDescription;
import uk.co.lchat.media.sdp.SdpException;
import uk.co.lchat.media.sdp.SessionDescription;

/**
 * What a screen share is, as the room and every client see it: a participant's first video and first audio
 * m-section are its camera and microphone, any further one that sends is a shared screen (and its sound). The web
 * client sends a screen share exactly so, and shows a participant's second video as its screen; last-N puts
 * whoever sends one first. A client may of course send its screen as its camera video, as any virtual camera can:
 * what the screenshare feature controls is this second stream, its own tile and its place on everyone's stage.
 */
public final class ScreenShare {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ScreenShare() {}

  /**
   * Whether the offer or answer {@code sdp} sends a screen: a second sending video or audio m-section (not
   * rejected, RFC 8829 §5.2.1 bundle-only sections included). One that cannot be read counts as one: what a
   * browser would accept but our parser does not must not slip through.
   */
  public static boolean sends(String sdp) {
    SessionDescription description;
    try {
      description = SessionDescription.parse(sdp);
    } catch (SdpException e) {
      return true;
    }
    int video = 0;
    int audio = 0;
    for (MediaDescription m : description.media()) {
      if (m.rejected() || !m.sends()) {
        continue;
      }
      if (m.kind().equals("video")) {
        video++;
      } else if (m.kind().equals("audio")) {
        audio++;
      }
    }
    return video > 1 || audio > 1;
  }

  /**
   * Whether a peer-to-peer call's message (the payload a {@code peer} message relays, JSON text) carries a session
   * description that sends a screen. Only its {@code description.sdp} is what the receiving web client applies.
   */
  public static boolean sentInPeerMessage(String payload) {
    JsonNode sdp;
    try {
      sdp = JSON.readTree(payload).path("description").path("sdp");
    } catch (IOException e) {
      return false; // not JSON: no client will apply anything from it
    }
    return sdp.isTextual() && sends(sdp.asText());
  }

  /** {@code tracks} (one participant's, in m-section order) without its screen: the first audio and video only. */
  public static List<TrackInfo> withoutScreen(List<TrackInfo> tracks) {
    List<TrackInfo> kept = new ArrayList<>(2);
    boolean audio = false;
    boolean video = false;
    for (TrackInfo t : tracks) {
      if (t.isAudio() && !audio) {
        audio = true;
        kept.add(t);
      } else if (!t.isAudio() && !video) {
        video = true;
        kept.add(t);
      }
    }
    return kept;
  }
}
