package uk.co.lchat.node.signaling;

import java.util.function.Function;

import uk.co.lchat.egress.EgressRequest;
import uk.co.lchat.media.control.VideoConstraints;
import uk.co.lchat.room.RoomProtocol;

/** One decoded client message. */
public sealed interface Inbound {

  /**
   * {@code resume}: the participant id this session token had on a connection that was closed or moved;
   * {@code token}: a join token (JWT), or null.
   */
  record JoinRequest(String room, String name, String passcode, boolean viewer, String sessionToken, String resume,
                     String token) implements Inbound {}

  record LeaveRequest() implements Inbound {}

  record Ping() implements Inbound {}

  /** A publish offer: the client's sending PeerConnection. */
  record PublishRequest(String sdp) implements Inbound {}

  /** The client's answer to our subscribeOffer. */
  record SubscribeAnswerRequest(String sdp) implements Inbound {}

  /**
   * A trickled ICE candidate of one of the client's connections ({@code connection} "publish" or "subscribe";
   * an empty candidate ends the list). Validated, then not needed: the router is ICE-lite and learns each client's
   * address from its connectivity checks (RFC 8445 §2.5).
   */
  record CandidateRequest(String connection, String candidate) implements Inbound {}

  /**
   * The receiver's own limits on the video it gets ({@code videoConstraints}): for its media router, not the room.
   */
  record VideoConstraintsRequest(VideoConstraints constraints) implements Inbound {}

  /** The client's receiving connection lost its path; the server restarts ICE and re-offers. */
  record RestartIceRequest() implements Inbound {}

  /** A room command that needs the sender's participant id, known only to the session. */
  record ForRoom(String type, Function<String, RoomProtocol.Command> command) implements Inbound {}

  /** Start recording the room (moderators only): {@code startRecording}. */
  record StartRecordingRequest(EgressRequest request) implements Inbound {}

  /** Stop the room's recording {@code egressId}: {@code stopRecording}. */
  record StopRecordingRequest(String egressId) implements Inbound {}

  /** List the room's recordings with download links (moderators only): {@code listRecordings}. */
  record ListRecordingsRequest() implements Inbound {}

  /** The message could not be understood; {@code code} is the error code sent back. */
  record Invalid(String code, String message) implements Inbound {}
}
