package uk.co.lchat.node.whip;

/**
 * How a WHIP or WHEP POST ended, for the HTTP route to turn into a response: {@code 201} with the SDP answer in
 * {@code body} and the session's roster id, or an error status with a one-line reason.
 */
public record SessionOutcome(int status, String body, String participantId) {
  static SessionOutcome created(String answerSdp, String participantId) {
    return new SessionOutcome(201, answerSdp, participantId);
  }

  static SessionOutcome error(int status, String reason) {
    return new SessionOutcome(status, reason, null);
  }

  /**
   * A refused join as HTTP: a passcode problem is 401, a bad {@code ?name=} 400, a full or closing room 503 (try
   * again later), anything else (removed, denied) 403.
   */
  static SessionOutcome refused(String code, String reason) {
    int status = switch (code) {
      case "passcode_required", "passcode_wrong" -> 401;
      case "invalid_name" -> 400;
      case "room_full", "retry" -> 503;
      default -> 403;
    };
    return error(status, reason + " (" + code + ")\n");
  }
}
