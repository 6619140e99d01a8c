package uk.co.lchat.media.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * What WebKit's WebRTC offers, from representative descriptions written by hand (Safari cannot run here; test
 * resources {@code sdp/safari-*.sdp}, see the README there): H.264 preferred, extmap-allow-mixed, Apple's header
 * extensions, simulcast in VP8 on current versions only.
 */
class SdpSafariTest {
  private static final LocalTransport LOCAL = new LocalTransport(new IceParameters("srvu", "serverpassword0123456789"),
      "sha-256 " + "CD:".repeat(31) + "CD", List.of("1 1 udp 2130706431 192.0.2.1 10000 typ host"));

  private static SdpWriter.Answer answer(String name) throws Exception {
    return new SdpWriter().answer(SessionDescription.parse(SdpFirefoxTest.load(name)), LOCAL, d -> null);
  }

  @Test
  void safariPrefersH264ButTheRouterReceivesVp8ThatEveryBrowserDecodesUnderSafarisPayloadType() throws Exception {
    SdpWriter.Answer a = answer("safari-17-publish-offer.sdp");
    assertEquals(List.of("0", "1"), a.acceptedMids());
    NegotiatedTrack video = a.incoming().get(1);
    assertEquals("VP8", video.codec().name());
    assertEquals(100, video.codec().payloadType());
    assertTrue(a.sdp().contains("m=video 9 UDP/TLS/RTP/SAVPF 100\r\n"), a.sdp());
    assertFalse(a.sdp().contains("H264"), "one codec answered, the one forwarded as sent");
  }

  @Test
  void safarisSimulcastAndItsExtraHeaderExtensionsAreAcceptedAsOffered() throws Exception {
    SessionDescription offer = SessionDescription.parse(SdpFirefoxTest.load("safari-17-publish-offer.sdp"));
    MediaDescription v = offer.media().get(1);
    assertEquals(13, v.extensionId("urn:3gpp:video-orientation"), "Apple's extensions are read, not refused");
    SdpWriter.Answer a = answer("safari-17-publish-offer.sdp");
    NegotiatedTrack video = a.incoming().get(1);
    assertTrue(video.simulcast());
    assertEquals(List.of("q", "h", "f"), video.rids());
    assertEquals(4, video.midExtension());
    assertEquals(10, video.ridExtension());
    assertEquals(3, video.transportCcExtension());
    String sdp = a.sdp();
    assertTrue(sdp.contains("a=simulcast:recv q;h;f\r\n"), sdp);
    assertTrue(sdp.contains("a=extmap:2 " + SdpWriter.ABS_SEND_TIME + "\r\n"), "abs-send-time under Safari's id");
    assertFalse(sdp.contains("video-orientation"), "what the router does not use is not answered");
    assertFalse(sdp.contains("extmap-allow-mixed"), "so Safari sends one-byte header extensions only");
    NegotiatedTrack audio = a.incoming().get(0);
    assertEquals("opus", audio.codec().name());
    assertEquals(1, audio.audioLevelExtension());
    assertEquals(2748392013L, audio.ssrc());
  }

  @Test
  void anOlderSafariThatSendsOneVp8StreamIsReceivedByItsSsrc() throws Exception {
    SdpWriter.Answer a = answer("safari-14-publish-offer.sdp");
    NegotiatedTrack video = a.incoming().get(1);
    assertFalse(video.simulcast());
    assertEquals(3918204775L, video.ssrc(), "the primary SSRC, not its RTX");
    assertEquals("VP8", video.codec().name());
  }

  @Test
  void aSafariWithOnlyH264GetsConstrainedBaselinePacketizationModeOneInSimulcast() throws Exception {
    SdpWriter.Answer a = answer("safari-h264-only-simulcast-offer.sdp");
    NegotiatedTrack video = a.incoming().get(1);
    assertEquals("H264", video.codec().name());
    assertEquals(98, video.codec().payloadType(), "42e01f with packetization-mode 1: what every browser decodes");
    assertTrue(video.codec().fmtp().contains("profile-level-id=42e01f"));
    assertTrue(video.simulcast(), "H.264 layers switch at IDR frames (VideoCodec)");
    assertTrue(a.sdp().contains("a=fmtp:98 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"
        + "\r\n"), a.sdp());
  }
}
