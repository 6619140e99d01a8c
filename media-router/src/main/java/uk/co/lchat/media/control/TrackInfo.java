package uk.co.lchat.media.control;

import org.apache.pekko.actor.typed.ActorRef;

/**
 * One published track as the room and other routers know it: who publishes it, its kind and SSRC, its codec
 * (rtpmap name, clock rate, channels, fmtp) so receivers can be offered exactly what the publisher sends, and the
 * router it is published on ({@code origin}), which routers on other nodes ask to relay it.
 */
public record TrackInfo(String participantId, String trackId, String kind, long ssrc, String codec, int clockRate,
                        int channels, String fmtp, ActorRef<MediaRouterProtocol.Command> origin) {
  public boolean isAudio() {
    return kind.equals("audio");
  }
}
