package uk.co.lchat.media.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class SdpTest {
  /** Shaped like a browser's publish offer: BUNDLE, audio + video sendonly, RTX group, a data channel. */
  static final String OFFER = String.join("\r\n",
      "v=0", "o=- 4611731400430051336 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0 1 2",
      "a=extmap-allow-mixed", "a=msid-semantic: WMS stream1",
      "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0", "c=IN IP4 0.0.0.0", "a=rtcp:9 IN IP4 0.0.0.0",
      "a=ice-ufrag:ABCD", "a=ice-pwd:abcdefghijklmnopqrstuvwx", "a=ice-options:trickle",
      "a=fingerprint:sha-256 " + "AB:".repeat(31) + "AB", "a=setup:actpass", "a=mid:0",
      "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
      "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid", "a=sendonly", "a=msid:stream1 audio1", "a=rtcp-mux",
      "a=rtpmap:111 opus/48000/2", "a=rtcp-fb:111 transport-cc", "a=fmtp:111 minptime=10;useinbandfec=1",
      "a=rtpmap:63 red/48000/2", "a=rtpmap:9 G722/8000", "a=rtpmap:0 PCMU/8000",
      "a=ssrc:1001 cname:abc", "a=ssrc:1001 msid:stream1 audio1",
      "m=video 9 UDP/TLS/RTP/SAVPF 96 97 102", "c=IN IP4 0.0.0.0", "a=ice-ufrag:ABCD",
      "a=ice-pwd:abcdefghijklmnopqrstuvwx", "a=fingerprint:sha-256 " + "AB:".repeat(31) + "AB", "a=setup:actpass",
      "a=mid:1", "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time", "a=sendonly",
      "a=rtcp-mux", "a=rtcp-rsize", "a=rtpmap:96 VP8/90000", "a=rtcp-fb:96 goog-remb",
      "a=rtcp-fb:96 ccm fir", "a=rtcp-fb:96 nack", "a=rtcp-fb:96 nack pli", "a=rtpmap:97 rtx/90000",
      "a=fmtp:97 apt=96", "a=rtpmap:102 H264/90000",
      "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
      "a=ssrc-group:FID 2001 2002", "a=ssrc:2001 cname:abc", "a=ssrc:2001 msid:stream1 video1",
      "a=ssrc:2002 cname:abc", "a=ssrc:2002 msid:stream1 video1",
      "m=application 9 UDP/DTLS/SCTP webrtc-datachannel", "c=IN IP4 0.0.0.0", "a=mid:2",
      "a=sctp-port:5000", "") ;

  private static final LocalTransport LOCAL = new LocalTransport(new IceParameters("srvu", "serverpassword0123456789"),
      "sha-256 " + "CD:".repeat(31) + "CD", List.of("1 1 udp 2130706431 127.0.0.1 10000 typ host"));

  @Test
  void parsesABrowserOffer() throws SdpException {
    SessionDescription sd = SessionDescription.parse(OFFER);
    assertEquals(List.of("0", "1", "2"), sd.bundle());
    assertEquals(3, sd.media().size());
    MediaDescription audio = sd.media().get(0);
    assertEquals("audio", audio.kind());
    assertEquals(List.of(1001L), audio.ssrcs());
    assertEquals("ABCD", audio.ice().ufrag());
    assertEquals(1, audio.extensionId(SdpWriter.AUDIO_LEVEL));
    assertEquals(4, audio.codecs().size());
    MediaDescription video = sd.media().get(1);
    assertEquals(List.of(2001L), video.ssrcs(), "the RTX SSRC of the FID group is not a primary stream");
    assertEquals(2002L, video.rtxSsrcs().get(2001L));
    assertTrue(video.sends());
    assertFalse(video.receives());
    assertEquals(32, SessionDescription.sha256Fingerprint(video.fingerprint()).length);
  }

  @Test
  void answerReceivesOpusAndVp8AndRejectsTheDataChannel() throws SdpException {
    SdpWriter.Answer a = new SdpWriter().answer(SessionDescription.parse(OFFER), LOCAL, d -> null);
    assertEquals(List.of("0", "1"), a.acceptedMids());
    assertEquals(2, a.incoming().size());
    assertEquals("opus", a.incoming().get(0).codec().name());
    assertEquals(1, a.incoming().get(0).audioLevelExtension());
    assertEquals("VP8", a.incoming().get(1).codec().name());
    assertEquals(2001L, a.incoming().get(1).ssrc());
    String sdp = a.sdp();
    assertTrue(sdp.contains("a=ice-lite\r\n"));
    assertTrue(sdp.contains("a=group:BUNDLE 0 1\r\n"));
    assertTrue(sdp.contains("a=setup:passive\r\n"));
    assertTrue(sdp.contains("a=recvonly\r\n"));
    assertTrue(sdp.contains("m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n"));
    assertTrue(sdp.contains("a=rtcp-fb:96 nack pli\r\n"));
    assertFalse(sdp.contains("rtx"), "we do not negotiate RTX yet");
    assertTrue(sdp.contains("a=extmap:2 " + SdpWriter.ABS_SEND_TIME + "\r\n"), "abs-send-time accepted as offered");
    assertTrue(sdp.contains("a=candidate:1 1 udp 2130706431 127.0.0.1 10000 typ host\r\n"));
    // Our own answer parses back.
    SessionDescription back = SessionDescription.parse(sdp);
    assertTrue(back.iceLite());
    assertEquals("srvu", back.media().get(0).ice().ufrag());
  }

  @Test
  void offerForAReceiverCarriesEachTrackWithItsSsrcAndMsid() throws SdpException {
    Codec opus = new Codec(111, "opus", 48000, 2, "minptime=10;useinbandfec=1", List.of());
    Codec vp8 = new Codec(96, "VP8", 90000, 1, null, List.of("nack pli", "ccm fir"));
    String offer = new SdpWriter().offer(LOCAL, List.of(new OutgoingTrack("0", "audio", opus, 77, "alice", "a-0"),
        new OutgoingTrack("1", "video", vp8, 88, "alice", "a-1"), new OutgoingTrack("2", "video", vp8, -1, null,
            null)));
    SessionDescription sd = SessionDescription.parse(offer);
    assertEquals(List.of("0", "1", "2"), sd.bundle());
    assertEquals("sendonly", sd.media().get(1).direction());
    assertEquals(List.of(88L), sd.media().get(1).ssrcs());
    assertEquals("alice a-1", sd.media().get(1).ssrcMsid().get(88L));
    assertEquals("inactive", sd.media().get(2).direction());
    assertEquals("actpass", sd.media().get(0).setup());
    for (MediaDescription m : sd.media()) {
      assertEquals(SdpWriter.ABS_SEND_TIME_ID, m.extensionId(SdpWriter.ABS_SEND_TIME), "our send times, one id");
    }
  }

  @Test
  void malformedDescriptionsGetErrorsNamingTheProblem() {
    assertMessage("", "empty SDP");
    assertMessage("o=- 1 1 IN IP4 0.0.0.0\r\n", "v=0");
    assertMessage("v=0\r\ns=-\r\n", "no m= sections");
    assertMessage("v=0\r\nm=audio\r\n", "line 2: expected m=");
    assertMessage("v=0\r\nm=audio nine UDP/TLS/RTP/SAVPF 111\r\n", "bad port");
    assertMessage("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 300\r\n", "out of range");
    assertMessage("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111\r\n", "a=rtpmap");
    assertMessage("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=ssrc:banana cname:x\r\n", "bad SSRC");
    assertMessage("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=extmap:0 urn:x\r\n", "extmap id");
    assertMessage("v=0\r\nthis line is wrong\r\n", "line 2");
  }

  @Test
  void unusableOffersAreRefusedWithAReason() throws SdpException {
    SdpWriter w = new SdpWriter();
    SdpException noMid = assertThrows(SdpException.class, () -> w.answer(SessionDescription.parse(
        OFFER.replace("a=mid:0\r\n", "")), LOCAL, d -> null));
    assertTrue(noMid.getMessage().contains("a=mid"));
    SdpException noCodec = assertThrows(SdpException.class, () -> w.answer(SessionDescription.parse(String.join(
        "\r\n", "v=0", "m=audio 9 UDP/TLS/RTP/SAVPF 0", "a=mid:0", "a=rtcp-mux", "a=rtpmap:0 PCMU/8000",
        "a=sendonly", "a=ssrc:1 cname:x", "")), LOCAL, d -> null));
    assertTrue(noCodec.getMessage().contains("Opus"));
    SdpException noSsrc = assertThrows(SdpException.class, () -> w.answer(SessionDescription.parse(
        OFFER.replace("a=ssrc:1001 cname:abc\r\na=ssrc:1001 msid:stream1 audio1\r\n", "")), LOCAL, d -> null));
    assertTrue(noSsrc.getMessage().contains("a=ssrc"));
    assertThrows(SdpException.class, () -> SessionDescription.sha256Fingerprint("sha-1 AB:CD"));
    assertThrows(SdpException.class, () -> SessionDescription.sha256Fingerprint("sha-256 zz:zz"));
    assertThrows(SdpException.class, () -> SessionDescription.sha256Fingerprint(null));
  }

  @Test
  void randomTextNeverEscapesAsAnythingButSdpException() {
    Random random = new Random(3);
    String alphabet = "v=0\r\nmaso:/ 0123456789UDPTLSRTPAVPF-sendrecvonlyrtpmapfmtpssrcextmap";
    for (int i = 0; i < 5000; i++) {
      StringBuilder sb = new StringBuilder("v=0\r\n");
      int n = random.nextInt(300);
      for (int k = 0; k < n; k++) {
        sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      try {
        SessionDescription sd = SessionDescription.parse(sb.toString());
        new SdpWriter().answer(sd, LOCAL, d -> null);
      } catch (SdpException expected) {
        // a clear refusal is the only acceptable failure
      }
    }
  }

  private static void assertMessage(String sdp, String fragment) {
    SdpException e = assertThrows(SdpException.class, () -> SessionDescription.parse(sdp));
    assertTrue(e.getMessage().contains(fragment), "'" + e.getMessage() + "' should mention '" + fragment + "'");
  }

  @Test
  void simulcastOfferWithRidsIsAcceptedLayerByLayer() throws SdpException {
    String offer = OFFER.replace("a=ssrc-group:FID 2001 2002\r\na=ssrc:2001 cname:abc\r\n"
            + "a=ssrc:2001 msid:stream1 video1\r\na=ssrc:2002 cname:abc\r\na=ssrc:2002 msid:stream1 video1\r\n",
        "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
            + "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n"
            + "a=rid:q send\r\na=rid:h send\r\na=rid:f send\r\na=simulcast:send q;h;f\r\n");
    assertTrue(offer.contains("a=simulcast:send"), "the offer was rewritten");
    SdpWriter.Answer a = new SdpWriter().answer(SessionDescription.parse(offer), LOCAL, d -> null);
    NegotiatedTrack video = a.incoming().get(1);
    assertTrue(video.simulcast());
    assertEquals(-1L, video.ssrc(), "layer SSRCs are learnt from the rid extension");
    assertEquals(List.of("q", "h", "f"), video.rids());
    assertEquals(10, video.ridExtension());
    assertEquals(4, video.midExtension());
    String sdp = a.sdp();
    assertTrue(sdp.contains("a=rid:q recv\r\na=rid:h recv\r\na=rid:f recv\r\n"), sdp);
    assertTrue(sdp.contains("a=simulcast:recv q;h;f\r\n"), sdp);
    assertTrue(sdp.contains("a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n"), sdp);
    // Without the rid extension the layers could not be told apart: no SSRC either, so a clear error.
    assertThrows(SdpException.class, () -> new SdpWriter().answer(SessionDescription.parse(
        offer.replace("a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n", "")), LOCAL, d -> null));
  }
}
