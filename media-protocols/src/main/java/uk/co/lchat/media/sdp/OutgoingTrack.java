package uk.co.lchat.media.sdp;

/**
 * A track we send in one m-section: the codec as the receiver will see it, our SSRC, and the msid naming the
 * publisher (stream id) and its track. {@code ssrc < 0} means the section is idle (inactive).
 */
public record OutgoingTrack(String mid, String kind, Codec codec, long ssrc, String streamId, String trackId,
                            int rtxPayloadType, long rtxSsrc) {
  public OutgoingTrack(String mid, String kind, Codec codec, long ssrc, String streamId, String trackId) {
    this(mid, kind, codec, ssrc, streamId, trackId, -1, -1);
  }

  public boolean idle() {
    return ssrc < 0;
  }

  /** Retransmissions go as RTX (RFC 4588) under their own SSRC and payload type. */
  public boolean hasRtx() {
    return rtxPayloadType >= 0 && rtxSsrc >= 0;
  }
}
