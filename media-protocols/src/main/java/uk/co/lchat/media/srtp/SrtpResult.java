package uk.co.lchat.media.srtp;

/** Outcome of protecting or unprotecting one packet; never an exception. */
public enum SrtpResult {
  OK, AUTH_FAIL, REPLAY, INVALID, ERROR
}
