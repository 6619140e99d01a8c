package uk.co.lchat.media.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Descriptions Firefox ESR 153 really produced against the router (test resources {@code sdp/}, see README). */
class SdpFirefoxTest {
  private static final LocalTransport LOCAL = new LocalTransport(new IceParameters("srvu", "serverpassword0123456789"),
      "sha-256 " + "CD:".repeat(31) + "CD", List.of("1 1 udp 2130706431 10.77.0.1 10000 typ host"));

  static String load(String name) throws IOException {
    try (InputStream in = SdpFirefoxTest.class.getResourceAsStream("/sdp/" + name)) {
      assertNotNull(in, "test resource sdp/" + name);
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
  }

  private static SdpWriter.Answer answer(String name, java.util.function.Function<MediaDescription, OutgoingTrack> out)
      throws Exception {
    return new SdpWriter().answer(SessionDescription.parse(load(name)), LOCAL, out);
  }

  /** The m-section of {@code sdp} whose a=mid is {@code mid}, as text. */
  private static String section(String sdp, String mid) {
    for (String s : sdp.split("(?=\r\nm=)")) {
      if (s.contains("\r\na=mid:" + mid + "\r\n")) {
        return s;
      }
    }
    throw new AssertionError("no section " + mid + " in\n" + sdp);
  }

  @Test
  void theBundleOnlyVideoSectionOfFirefoxsFirstOfferIsAcceptedNotRejected() throws Exception {
    SessionDescription offer = SessionDescription.parse(load("firefox-153-publish-offer.sdp"));
    MediaDescription video = offer.media().get(1);
    assertEquals(0, video.port(), "JSEP max-bundle: port 0 on every bundled section but the first");
    assertFalse(video.rejected(), "port 0 with a=bundle-only means 'use the bundle', not 'rejected'");
    SdpWriter.Answer a = answer("firefox-153-publish-offer.sdp", d -> null);
    assertEquals(List.of("0", "1"), a.acceptedMids());
    assertTrue(a.sdp().contains("a=group:BUNDLE 0 1\r\n"), a.sdp());
    assertTrue(section(a.sdp(), "1").contains("m=video 9 UDP/TLS/RTP/SAVPF 120\r\n"), a.sdp());
  }

  @Test
  void firefoxsSimulcastIsReceivedLayerByLayerInItsOwnRidOrderUnderItsExtensionIds() throws Exception {
    SdpWriter.Answer a = answer("firefox-153-publish-offer.sdp", d -> null);
    NegotiatedTrack video = a.incoming().get(1);
    assertTrue(video.simulcast());
    assertEquals(List.of("q", "h", "f"), video.rids());
    assertEquals("VP8", video.codec().name());
    assertEquals(120, video.codec().payloadType(), "Firefox's payload type, not Chrome's 96");
    assertEquals(3, video.midExtension());
    assertEquals(9, video.ridExtension());
    assertEquals(7, video.transportCcExtension());
    String v = section(a.sdp(), "1");
    assertTrue(v.contains("a=simulcast:recv q;h;f\r\n"), v);
    assertTrue(v.contains("a=rid:q recv\r\na=rid:h recv\r\na=rid:f recv\r\n"), v);
    assertTrue(v.contains("a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"), v);
    // RFC 8285 §7: an extension the offerer only sends is one the answerer only receives.
    assertTrue(v.contains("a=extmap:9/recvonly urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n"), v);
    assertFalse(v.contains("repaired-rtp-stream-id"), "no RTX from the publisher is negotiated");
    NegotiatedTrack audio = a.incoming().get(0);
    assertEquals(109, audio.codec().payloadType());
    assertEquals(1, audio.audioLevelExtension());
    assertEquals(679232469L, audio.ssrc());
  }

  @Test
  void theAnswerGivesFirefoxOnlyTheFeedbackTheRouterSends() throws Exception {
    String v = section(answer("firefox-153-publish-offer.sdp", d -> null).sdp(), "1");
    for (String fb : List.of("nack", "nack pli", "ccm fir", "transport-cc")) {
      assertTrue(v.contains("a=rtcp-fb:120 " + fb + "\r\n"), fb + " in " + v);
    }
    assertFalse(v.contains("goog-remb"), "the router sends no REMB to browsers");
    assertFalse(v.contains("rtx") || v.contains("ulpfec") || v.contains("red/"), v);
    assertTrue(v.contains("a=setup:passive\r\n"), "we are the DTLS server: Firefox's actpass makes it the client");
  }

  @Test
  void firefoxsSubscribeAnswerNamesItsTransportInEverySection() throws Exception {
    SessionDescription ours = SessionDescription.parse(load("router-subscribe-offer-to-firefox.sdp"));
    SessionDescription answer = SessionDescription.parse(load("firefox-153-subscribe-answer.sdp"));
    assertEquals(ours.media().size(), answer.media().size());
    for (MediaDescription m : answer.media()) {
      assertEquals("active", m.setup(), "Firefox answers our actpass as the DTLS client");
      assertEquals("recvonly", m.direction());
      assertFalse(m.rejected());
      assertEquals("6b76a957", m.ice().ufrag());
      assertEquals(32, SessionDescription.sha256Fingerprint(m.fingerprint()).length);
    }
    assertEquals(96, answer.media().get(0).codecs().get(0).payloadType(), "our payload type kept");
    assertEquals(SdpWriter.ABS_SEND_TIME_ID, answer.media().get(0).extensionId(SdpWriter.ABS_SEND_TIME));
  }

  @Test
  void aWhepViewerInFirefoxGetsTheWatchedTracksUnderItsOwnPayloadTypes() throws Exception {
    Codec vp8FromChrome = new Codec(96, "VP8", 90000, 1, null, List.of());
    Codec opus = new Codec(111, "opus", 48000, 2, "minptime=10;useinbandfec=1", List.of());
    SdpWriter.Answer a = answer("firefox-153-whep-offer.sdp", d -> d.kind().equals("video")
        ? new OutgoingTrack(d.mid(), "video", vp8FromChrome, 5555, "p1", "p1-video")
        : new OutgoingTrack(d.mid(), "audio", opus, 4444, "p1", "p1-audio"));
    assertEquals(List.of("0", "1"), a.acceptedMids());
    assertEquals(2, a.outgoing().size());
    OutgoingTrack video = a.outgoing().get(1);
    assertEquals(120, video.codec().payloadType(), "VP8 under the payload type Firefox offered");
    assertEquals(109, a.outgoing().get(0).codec().payloadType());
    String v = section(a.sdp(), "1");
    assertTrue(v.contains("a=sendonly\r\n"), v);
    assertTrue(v.contains("a=ssrc:5555 msid:p1 p1-video\r\n"), v);
  }

  @Test
  void candidatesFirefoxGatheredBeforeSendingAreReadAndItsRtcpComponentIsIgnored() throws Exception {
    SessionDescription whip = SessionDescription.parse(load("firefox-153-whip-offer.sdp"));
    MediaDescription audio = whip.media().get(0);
    assertTrue(audio.rtcpMux(), "Firefox offers rtcp-mux (and a component 2 the answer makes unused)");
    assertTrue(audio.candidates().stream().anyMatch(c -> c.contains(" UDP ") && c.contains(" typ host")),
        audio.candidates().toString());
    SdpWriter.Answer a = answer("firefox-153-whip-offer.sdp", d -> null);
    assertEquals(List.of("0", "1"), a.acceptedMids());
    assertEquals("VP8", a.incoming().get(1).codec().name());
    assertFalse(a.incoming().get(1).simulcast(), "whip.html sends one layer");
  }
}
