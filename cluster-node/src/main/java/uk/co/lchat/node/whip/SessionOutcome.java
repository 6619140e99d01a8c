package uk.co.lchat.node.whip;

/**
 * How a WHIP or WHEP POST ended, for the HTTP route to turn into a response: {@code 201} with the SDP answer in
 * {@code answerSdp} and the session's roster id, or an error status with a {@code code} and a one-sentence
 * {@code message} (the JSON error every machine route answers with).
 */
public record SessionOutcome(int status, String answerSdp, String code, String message, String participantId,
                             long retryAfterSeconds) {
  static SessionOutcome created(String answerSdp, String participantId) {
    return new SessionOutcome(201, answerSdp, null, null, participantId, 0);
  }

  static SessionOutcome error(int status, String code, String message) {
    return new SessionOutcome(status, null, code, message, null, 0);
  }

  /**
   * A refused join as HTTP: a passcode problem is 401, too many wrong passcodes from this address 429 (RFC 6585
   * §4, with Retry-After), a bad {@code ?name=} 400, a full, closing or recovering room 503 (try again later), a
   * missing, expired or invalid token 401, anything else (removed, banned, denied, wrong room, a feature the token
   * does not grant) 403. The room's refusal code is the error code.
   */
  static SessionOutcome refused(String code, String reason) {
    return refused(code, reason, 0);
  }

  static SessionOutcome refused(String code, String reason, long retryAfterSeconds) {
    int status = switch (code) {
      case "passcode_required", "passcode_wrong", "token_required", "token_expired", "token_invalid" -> 401;
      case "passcode_throttled" -> 429;
      case "invalid_name" -> 400;
      case "room_full", "retry", "room_recovering" -> 503;
      default -> 403;
    };
    return new SessionOutcome(status, null, code, reason, null, retryAfterSeconds);
  }
}
