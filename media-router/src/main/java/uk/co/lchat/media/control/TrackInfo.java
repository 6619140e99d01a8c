package uk.co.lchat.media.control;

/**
 * One published track as the room and other routers know it: who publishes it, its kind and SSRC, and its codec
 * (rtpmap name, clock rate, channels, fmtp) so receivers can be offered exactly what the publisher sends.
 */
public record TrackInfo(String participantId, String trackId, String kind, long ssrc, String codec, int clockRate,
                        int channels, String fmtp) {
  public boolean isAudio() {
    return kind.equals("audio");
  }
}
