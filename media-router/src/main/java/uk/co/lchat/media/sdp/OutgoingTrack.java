package uk.co.lchat.media.sdp;

/**
 * A track we send in one m-section: the codec as the receiver will see it, our SSRC, and the msid naming the
 * publisher (stream id) and its track. {@code ssrc < 0} means the section is idle (inactive).
 */
public record OutgoingTrack(String mid, String kind, Codec codec, long ssrc, String streamId, String trackId) {
  public boolean idle() {
    return ssrc < 0;
  }
}
