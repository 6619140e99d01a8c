package uk.co.lchat.room;

import java.util.List;
import java.util.Map;

import org.apache.pekko.actor.typed.ActorRef;

import uk.co.lchat.room.RoomProtocol.ClientEvent;
import uk.co.lchat.room.RoomProtocol.Identity;
import uk.co.lchat.room.RoomProtocol.MediaKind;
import uk.co.lchat.room.RoomProtocol.ParticipantView;
import uk.co.lchat.room.RoomProtocol.Role;

/** One person in the room; mutable, owned by the room actor alone. */
final class Participant {
  final String id;
  final String sessionToken;
  /** Unique in the room (ignoring case); changed only by {@link Roster#rename}. */
  String displayName;
  /** What the participant's join token said of it (subject, grants), or null: it joined without one. */
  final Identity identity;
  /** The participant's signaling session; replaced when it resumes over a new connection. */
  ActorRef<ClientEvent> client;
  final int joinOrder;
  Role role;
  boolean audioMuted;
  boolean videoMuted;
  boolean handRaised;
  /** Receiver constraints: whose video comes first, and the most videos wanted (-1: the room's limit). */
  List<String> pinned = List.of();
  int receiverLastN = -1;

  Participant(String id, String sessionToken, String displayName, Role role, ActorRef<ClientEvent> client,
              int joinOrder, Identity identity) {
    this.id = id;
    this.identity = identity;
    this.sessionToken = sessionToken;
    this.displayName = displayName;
    this.role = role;
    this.client = client;
    this.joinOrder = joinOrder;
  }

  /** The features its token allows or denies ({@link FeaturePolicy}); null without a token or a features claim. */
  Map<String, Boolean> grants() {
    return identity == null ? null : identity.grants();
  }

  /** The token's subject, or null. */
  String subject() {
    return identity == null ? null : identity.subject();
  }

  /**
   * A moderator or the server asked the participant to mute {@code kind}: the room records it at once, and only the
   * participant unmutes, by its own {@code SetOwnMute}.
   */
  void mute(MediaKind kind) {
    if (kind == MediaKind.AUDIO) {
      audioMuted = true;
    } else {
      videoMuted = true;
    }
  }

  boolean isViewer() {
    return role == Role.VIEWER;
  }

  ParticipantView view() {
    return new ParticipantView(id, displayName, role, audioMuted, videoMuted, handRaised, joinOrder);
  }

  /** For the server API: with the subject, which members never see. */
  RoomProtocol.MemberView memberView() {
    return new RoomProtocol.MemberView(id, displayName, role, subject(), audioMuted, videoMuted, handRaised,
        joinOrder);
  }
}
