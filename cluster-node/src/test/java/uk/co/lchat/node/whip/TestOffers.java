package uk.co.lchat.node.whip;

/**
 * Well-formed WHIP and WHEP offers from no browser: the router answers them, which is all a test of who is let in
 * needs (no media has to flow).
 */
public final class TestOffers {
  private static final String FINGERPRINT = "sha-256 " + "AB:".repeat(31) + "AB";

  private TestOffers() {}

  /** What OBS or a browser sends to WHIP: Opus and VP8, send-only, bundled. */
  public static String publish() {
    return "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
        + section("audio", "0", 111, "opus/48000/2", "sendonly") + "a=ssrc:1111 cname:x\r\n"
        + section("video", "1", 96, "VP8/90000", "sendonly") + "a=ssrc:2222 cname:x\r\n";
  }

  /**
   * A camera, a microphone and a shared screen with its sound, as the web client publishes a screen share: a second
   * video and a second audio m-section.
   */
  public static String publishWithScreen() {
    return "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1 2 3\r\n"
        + section("audio", "0", 111, "opus/48000/2", "sendonly") + "a=ssrc:1111 cname:x\r\n"
        + section("video", "1", 96, "VP8/90000", "sendonly") + "a=ssrc:2222 cname:x\r\n"
        + section("video", "2", 96, "VP8/90000", "sendonly") + "a=ssrc:3333 cname:x\r\n"
        + section("audio", "3", 111, "opus/48000/2", "sendonly") + "a=ssrc:4444 cname:x\r\n";
  }

  /** What a WHEP player sends: receive-only audio and video. */
  public static String watch() {
    return "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
        + section("audio", "0", 111, "opus/48000/2", "recvonly")
        + section("video", "1", 96, "VP8/90000", "recvonly");
  }

  private static String section(String kind, String mid, int pt, String rtpmap, String direction) {
    return "m=" + kind + " 9 UDP/TLS/RTP/SAVPF " + pt + "\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:abcd\r\n"
        + "a=ice-pwd:pwdpwdpwdpwdpwdpwdpwdpwd\r\na=fingerprint:" + FINGERPRINT + "\r\na=setup:actpass\r\na=mid:" + mid
        + "\r\na=" + direction + "\r\na=rtcp-mux\r\na=rtpmap:" + pt + " " + rtpmap + "\r\n";
  }
}
