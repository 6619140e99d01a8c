package uk.co.lchat.media.sdp;

/** An offer or answer we cannot use; the message says which line and why, for the client to see. */
public final class SdpException extends Exception {
  public SdpException(String message) {
    super(message);
  }
}
