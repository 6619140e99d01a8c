package uk.co.lchat.room;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import uk.co.lchat.media.control.TrackInfo;
import uk.co.lchat.room.RoomProtocol.Outcome;
import uk.co.lchat.room.RoomProtocol.Presentation;
import uk.co.lchat.room.RoomProtocol.RecorderPresentation;
import uk.co.lchat.room.RoomProtocol.RecorderTracks;
import uk.co.lchat.room.RoomProtocol.Recording;
import uk.co.lchat.room.RoomProtocol.Role;
import uk.co.lchat.room.RoomProtocol.ServerReply;

/**
 * The room's recording (egress): who may start and stop one, the one that runs (at most one, replicated with the
 * room's state so a room that comes back on another node knows it is recorded), and what its recorder last heard
 * of the room's tracks, so it hears again only when they change. The room actor watches the recorder and tells
 * everyone; this class holds the rules and needs no actor system.
 */
final class RecordingState {
  private Recording current;
  private RecorderTracks told;
  /** The presentation the recorder last heard of, or null before it heard of any. */
  private RecorderPresentation toldPresentation;
  /** The recording {@link #current} continues, which records on until the hand-over completes; null if none. */
  private Recording handingOver;

  Recording current() {
    return current;
  }

  /** As {@link #refuseStart(Participant, boolean, Map, List)} for an egress that records files only. */
  ServerReply refuseStart(Participant by, boolean fromApi, Map<String, Boolean> features) {
    return refuseStart(by, fromApi, features, List.of(FeaturePolicy.RECORDING));
  }

  /**
   * Why {@code by} (a participant; null for the server API) may not start an egress that uses {@code needs} (the
   * room's {@code recording} and/or {@code streaming} features) now, or null if it may: a moderator, or someone
   * whose join token grants {@code recording}, and not one whose token denies a feature it needs
   * ({@link FeaturePolicy}); only with each of those features on in the room; one at a time.
   */
  ServerReply refuseStart(Participant by, boolean fromApi, Map<String, Boolean> features, List<String> needs) {
    if (!fromApi && !mayRecord(by)) {
      return new ServerReply(Outcome.INVALID, "Only a moderator can start a recording.");
    }
    for (String feature : needs) {
      if (!Boolean.TRUE.equals(features.get(feature))) {
        return new ServerReply(Outcome.INVALID, (feature.equals(FeaturePolicy.STREAMING) ? "Streaming" : "Recording")
            + " is off in this room (feature " + feature + ").");
      }
      FeaturePolicy.Refusal notGranted = fromApi ? null : FeaturePolicy.refusal(feature, features, by.grants());
      if (notGranted != null) {
        return new ServerReply(Outcome.INVALID, notGranted.message());
      }
    }
    if (current != null) {
      return new ServerReply(Outcome.EXISTS, "Already recording: " + current.egressId());
    }
    return null;
  }

  /** Why {@code by} may not stop {@code egressId} (null: whichever runs), or null if it may. */
  ServerReply refuseStop(Participant by, boolean fromApi, String egressId) {
    if (!fromApi && !mayRecord(by)) {
      return new ServerReply(Outcome.INVALID, "Only a moderator can stop a recording.");
    }
    if (current == null || (egressId != null && !current.egressId().equals(egressId))) {
      return new ServerReply(Outcome.NO_PARTICIPANT, "No such recording in this room.");
    }
    return null;
  }

  /**
   * Who may start and stop recordings: a moderator, or anyone whose join token grants {@code recording} (a
   * back end invites a recording assistant without making it a moderator).
   */
  private static boolean mayRecord(Participant by) {
    return by != null && (by.role == Role.MODERATOR
        || by.grants() != null && Boolean.TRUE.equals(by.grants().get(FeaturePolicy.RECORDING)));
  }

  void start(Recording r) {
    current = Objects.requireNonNull(r);
    told = null;
    toldPresentation = null;
  }

  /**
   * {@code next} continues the running recording (its node drains): it runs from now on, and the one it replaces
   * keeps recording until {@code next} says it is live ({@link #live}) or the hand-over is due, so the two files
   * overlap rather than leave a gap. Returns the replaced recording.
   */
  Recording continueAs(Recording next) {
    Recording old = current;
    current = Objects.requireNonNull(next);
    told = null;
    toldPresentation = null;
    handingOver = old;
    return old;
  }

  /**
   * The recording {@code egressId} records every track now: returns the one it replaced, to be stopped, or null
   * (none, or not this one's).
   */
  Recording live(String egressId) {
    return current != null && current.egressId().equals(egressId) ? handedOver() : null;
  }

  /** The hand-over from {@code oldEgressId} is due whether or not its successor went live: returns it, or null. */
  Recording handOverDue(String oldEgressId) {
    return handingOver != null && handingOver.egressId().equals(oldEgressId) ? handedOver() : null;
  }

  /** The hand-over is complete: returns the replaced recording (null if none), which no longer records. */
  private Recording handedOver() {
    Recording old = handingOver;
    handingOver = null;
    return old;
  }

  /** The recording {@code egressId} is over; returns it, or null if it was not the one running. */
  Recording end(String egressId) {
    if (current == null || !current.egressId().equals(egressId)) {
      return null;
    }
    Recording ended = current;
    current = null;
    told = null;
    toldPresentation = null;
    return ended;
  }

  /**
   * What the recorder must hear now that the room presents {@code p} (null: nothing); null when nothing it shows
   * changed (a pointer move, a hand-over of control).
   */
  RecorderPresentation presentationNow(String roomId, Presentation p) {
    if (current == null) {
      return null;
    }
    RecorderPresentation now = p == null ? new RecorderPresentation(roomId, null, 0, null, null, null)
        : new RecorderPresentation(roomId, p.documentId(), p.page(), p.presenter(),
            p.servedBy() == null ? null : p.servedBy() + "/presentations/" + roomId + "/" + p.documentId(),
            p.fetchKey());
    if (now.equals(toldPresentation) || toldPresentation == null && p == null) {
      return null; // a recorder that has heard nothing yet knows nothing is presented
    }
    toldPresentation = now;
    return now;
  }

  /** What the recorder must hear now that the room's tracks are {@code tracks}; null when nothing changed for it. */
  RecorderTracks tracksNow(String roomId, List<TrackInfo> tracks, Map<String, String> displayNames) {
    if (current == null) {
      return null;
    }
    // The names keep the roster's order (a composite shows people in it), in a map every node can deserialize.
    RecorderTracks now = new RecorderTracks(roomId, List.copyOf(tracks), new LinkedHashMap<>(displayNames));
    if (now.equals(told)) {
      return null;
    }
    told = now;
    return now;
  }
}
