package uk.co.lchat.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import uk.co.lchat.media.control.TrackInfo;

class ScreenShareTest {
  private static String sdp(String... sections) {
    StringBuilder s = new StringBuilder("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n");
    for (String section : sections) {
      s.append(section);
    }
    return s.toString();
  }

  /** An m-section: kind, port, mid, direction, and more attributes. */
  private static String m(String kind, int port, String mid, String direction, String... more) {
    StringBuilder s = new StringBuilder("m=" + kind + " " + port + " UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\n"
        + "a=mid:" + mid + "\r\na=" + direction + "\r\na=rtpmap:96 " + (kind.equals("audio") ? "opus/48000/2"
        : "VP8/90000") + "\r\n");
    for (String a : more) {
      s.append(a).append("\r\n");
    }
    return s.toString();
  }

  @Test
  void aCameraAndAMicrophoneAreNoScreen() {
    assertFalse(ScreenShare.sends(sdp(m("audio", 9, "0", "sendonly"), m("video", 9, "1", "sendonly"))));
    assertFalse(ScreenShare.sends(sdp(m("audio", 9, "0", "sendrecv"), m("video", 9, "1", "sendrecv"))));
  }

  @Test
  void aSecondSendingVideoOrAudioIsAScreen() {
    assertTrue(ScreenShare.sends(sdp(m("audio", 9, "0", "sendonly"), m("video", 9, "1", "sendonly"),
        m("video", 9, "2", "sendonly"))));
    assertTrue(ScreenShare.sends(sdp(m("audio", 9, "0", "sendonly"), m("audio", 9, "2", "sendonly"))),
        "the screen's sound");
    assertTrue(ScreenShare.sends(sdp(m("video", 9, "0", "sendonly"), m("video", 0, "1", "sendonly",
        "a=bundle-only"))), "a bundle-only section at port 0 still sends (RFC 8829 §5.2.1)");
  }

  @Test
  void sectionsThatDoNotSendAreNoScreen() {
    assertFalse(ScreenShare.sends(sdp(m("video", 9, "0", "sendrecv"), m("video", 9, "1", "recvonly"))),
        "an answer receiving the other side's screen");
    assertFalse(ScreenShare.sends(sdp(m("video", 9, "0", "sendonly"), m("video", 0, "1", "sendonly"))),
        "a stopped transceiver's section, rejected at port 0");
    assertFalse(ScreenShare.sends(sdp(m("video", 9, "0", "sendonly"), m("video", 9, "1", "inactive"))));
  }

  @Test
  void aDescriptionThatCannotBeReadCountsAsAScreen() {
    assertTrue(ScreenShare.sends("not an sdp"));
    assertTrue(ScreenShare.sends(""));
  }

  @Test
  void peerMessagesAreJudgedByTheDescriptionTheyCarry() throws Exception {
    ObjectMapper json = new ObjectMapper();
    String screen = sdp(m("video", 9, "0", "sendrecv"), m("video", 9, "1", "sendrecv"));
    String camera = sdp(m("audio", 9, "0", "sendrecv"), m("video", 9, "1", "sendrecv"));
    assertTrue(ScreenShare.sentInPeerMessage(json.createObjectNode().set("description",
        json.createObjectNode().put("type", "offer").put("sdp", screen)).toString()));
    assertFalse(ScreenShare.sentInPeerMessage(json.createObjectNode().set("description",
        json.createObjectNode().put("type", "answer").put("sdp", camera)).toString()));
    assertFalse(ScreenShare.sentInPeerMessage("{\"candidate\":{\"candidate\":\"candidate:1 1 udp 1 1.2.3.4 5 typ"
        + " host\"}}"), "ICE candidates carry no media");
    assertFalse(ScreenShare.sentInPeerMessage("{\"note\":\"hello\"}"));
  }

  @Test
  void withoutTheScreenAParticipantKeepsItsFirstAudioAndVideo() {
    TrackInfo mic = track("a0", "audio");
    TrackInfo camera = track("v1", "video");
    TrackInfo screen = track("v2", "video");
    TrackInfo screenSound = track("a3", "audio");
    assertEquals(List.of(mic, camera), ScreenShare.withoutScreen(List.of(mic, camera, screen, screenSound)));
    assertEquals(List.of(camera), ScreenShare.withoutScreen(List.of(camera, screen)));
  }

  private static TrackInfo track(String id, String kind) {
    return new TrackInfo("p", id, kind, id.hashCode() & 0xffff, kind.equals("audio") ? "opus" : "VP8",
        kind.equals("audio") ? 48000 : 90000, kind.equals("audio") ? 2 : 0, "", null);
  }
}
