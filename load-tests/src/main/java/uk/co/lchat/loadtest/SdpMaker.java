package uk.co.lchat.loadtest;

import java.util.ArrayList;
import java.util.List;

import uk.co.lchat.media.sdp.IceParameters;
import uk.co.lchat.media.sdp.MediaDescription;
import uk.co.lchat.media.sdp.SessionDescription;

/** The SDP a simulated participant sends: a publish offer shaped like a browser's, and answers to router offers. */
final class SdpMaker {
  static final int AUDIO_LEVEL_EXT = 1;
  static final int MID_EXT = 4;
  static final int RID_EXT = 10;
  static final int TRANSPORT_CC_EXT = 3;
  private static final String TRANSPORT_CC = uk.co.lchat.media.rtp.TransportCc.EXTENSION_URI;
  static final List<String> RIDS = List.of("q", "h", "f");

  private SdpMaker() {}

  /**
   * Opus with the audio level extension, and (optionally) VP8: in three simulcast layers, or as one stream with
   * SSRC {@code singleVideoSsrc} when that is not 0. {@code setup}: our DTLS role (RFC 5763 §5), "actpass" as
   * browsers offer, or "active" for a server that would otherwise take the client role itself.
   */
  static String publishOffer(IceParameters ice, String fingerprint, long audioSsrc, boolean video,
                             long singleVideoSsrc, String setup) {
    return publishOffer(ice, fingerprint, audioSsrc, video, singleVideoSsrc, 0, setup);
  }

  /**
   * As above, and when {@code screenSsrc} is not 0 a shared screen's VP8 with that SSRC, in a video m-section of
   * its own (mid 2) after the camera's: the room takes a participant's first video for its camera and a further
   * one for its screen, in the offer's order. Its msid names a stream of its own, as a browser's
   * {@code getDisplayMedia} track has.
   */
  static String publishOffer(IceParameters ice, String fingerprint, long audioSsrc, boolean video,
                             long singleVideoSsrc, long screenSsrc, String setup) {
    if (screenSsrc != 0 && !video) {
      // Without a camera the screen would be the first video: the room would take it for the camera.
      throw new IllegalArgumentException("a screen is shared beside a camera");
    }
    StringBuilder sb = new StringBuilder();
    line(sb, "v=0");
    line(sb, "o=- " + (System.nanoTime() & 0xFFFFFFFL) + " 2 IN IP4 127.0.0.1");
    line(sb, "s=-");
    line(sb, "t=0 0");
    line(sb, "a=group:BUNDLE 0" + (video ? " 1" : "") + (screenSsrc != 0 ? " 2" : ""));
    line(sb, "a=msid-semantic: WMS load");
    section(sb, "audio", "0", "111", ice, fingerprint, setup, "sendonly");
    line(sb, "a=extmap:" + AUDIO_LEVEL_EXT + " urn:ietf:params:rtp-hdrext:ssrc-audio-level");
    line(sb, "a=extmap:" + TRANSPORT_CC_EXT + " " + TRANSPORT_CC);
    line(sb, "a=rtpmap:111 opus/48000/2");
    line(sb, "a=rtcp-fb:111 transport-cc");
    line(sb, "a=fmtp:111 minptime=10;useinbandfec=1");
    line(sb, "a=ssrc:" + audioSsrc + " cname:load");
    line(sb, "a=ssrc:" + audioSsrc + " msid:load audio");
    if (video) {
      vp8Section(sb, "1", ice, fingerprint, setup, singleVideoSsrc == 0);
      if (singleVideoSsrc != 0) {
        line(sb, "a=ssrc:" + singleVideoSsrc + " cname:load");
        line(sb, "a=ssrc:" + singleVideoSsrc + " msid:load video");
      } else {
        for (String rid : RIDS) {
          line(sb, "a=rid:" + rid + " send");
        }
        line(sb, "a=simulcast:send " + String.join(";", RIDS));
      }
    }
    if (screenSsrc != 0) {
      vp8Section(sb, "2", ice, fingerprint, setup, false);
      line(sb, "a=ssrc:" + screenSsrc + " cname:load");
      line(sb, "a=ssrc:" + screenSsrc + " msid:load-screen screen");
    }
    return sb.toString();
  }

  /** A sendonly VP8 section up to its SSRC or simulcast lines, with the rid extension when it is simulcast. */
  private static void vp8Section(StringBuilder sb, String mid, IceParameters ice, String fingerprint, String setup,
                                 boolean simulcast) {
    section(sb, "video", mid, "96", ice, fingerprint, setup, "sendonly");
    line(sb, "a=extmap:" + MID_EXT + " urn:ietf:params:rtp-hdrext:sdes:mid");
    if (simulcast) {
      line(sb, "a=extmap:" + RID_EXT + " urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id");
    }
    line(sb, "a=extmap:" + TRANSPORT_CC_EXT + " " + TRANSPORT_CC);
    line(sb, "a=rtpmap:96 VP8/90000");
    line(sb, "a=rtcp-fb:96 transport-cc");
    line(sb, "a=rtcp-fb:96 nack");
    line(sb, "a=rtcp-fb:96 nack pli");
  }

  /** Accepts every section of a router's offer as recvonly (inactive stays inactive), with our transport. */
  static String answer(SessionDescription offer, IceParameters ice, String fingerprint) {
    StringBuilder sb = new StringBuilder();
    line(sb, "v=0");
    line(sb, "o=- " + (System.nanoTime() & 0xFFFFFFFL) + " 2 IN IP4 127.0.0.1");
    line(sb, "s=-");
    line(sb, "t=0 0");
    List<String> mids = new ArrayList<>();
    for (MediaDescription m : offer.media()) {
      mids.add(m.mid());
    }
    line(sb, "a=group:BUNDLE " + String.join(" ", mids));
    for (MediaDescription m : offer.media()) {
      List<String> pts = new ArrayList<>();
      m.codecs().forEach(c -> pts.add(Integer.toString(c.payloadType())));
      section(sb, m.kind(), m.mid(), String.join(" ", pts), ice, fingerprint, "active",
          m.sends() ? "recvonly" : "inactive");
      m.codecs().forEach(c -> line(sb, "a=rtpmap:" + c.payloadType() + " " + c.name() + "/" + c.clockRate()
          + (c.channels() > 1 ? "/" + c.channels() : "")));
    }
    return sb.toString();
  }

  private static void section(StringBuilder sb, String kind, String mid, String pts, IceParameters ice,
                              String fingerprint, String setup, String direction) {
    line(sb, "m=" + kind + " 9 UDP/TLS/RTP/SAVPF " + pts);
    line(sb, "c=IN IP4 0.0.0.0");
    line(sb, "a=ice-ufrag:" + ice.ufrag());
    line(sb, "a=ice-pwd:" + ice.pwd());
    line(sb, "a=fingerprint:" + fingerprint);
    line(sb, "a=setup:" + setup);
    line(sb, "a=mid:" + mid);
    line(sb, "a=" + direction);
    line(sb, "a=rtcp-mux");
  }

  private static void line(StringBuilder sb, String l) {
    sb.append(l).append("\r\n");
  }
}
