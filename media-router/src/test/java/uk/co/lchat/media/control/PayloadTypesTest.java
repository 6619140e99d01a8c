package uk.co.lchat.media.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import uk.co.lchat.media.sdp.Codec;

class PayloadTypesTest {
  private static TrackInfo track(String kind, String codec, int clockRate, int channels, String fmtp) {
    return new TrackInfo("p", "p-" + codec + "-" + fmtp, kind, 1, codec, clockRate, channels, fmtp, null);
  }

  private static final TrackInfo OPUS = track("audio", "opus", 48000, 2, "minptime=10;useinbandfec=1");
  private static final TrackInfo VP8 = track("video", "VP8", 90000, 1, null);
  private static final TrackInfo H264_BASELINE = track("video", "H264", 90000, 1, "profile-level-id=42e01f");
  private static final TrackInfo H264_HIGH = track("video", "H264", 90000, 1, "profile-level-id=640c1f");

  @Test
  void opusIsAlways111AndVideoTakesTheLowestFreeDynamicTypes() {
    PayloadTypes types = new PayloadTypes();
    assertEquals(96, types.codecFor(VP8).payloadType());
    assertEquals(111, types.codecFor(OPUS).payloadType());
    assertEquals(97, types.codecFor(H264_BASELINE).payloadType());
  }

  @Test
  void theSameCodecConfigurationKeepsItsTypeAndAnotherFmtpGetsItsOwn() {
    PayloadTypes types = new PayloadTypes();
    int baseline = types.codecFor(H264_BASELINE).payloadType();
    int high = types.codecFor(H264_HIGH).payloadType();
    assertNotEquals(baseline, high);
    assertEquals(baseline, types.codecFor(track("video", "h264", 90000, 1, "profile-level-id=42e01f")).payloadType(),
        "the codec name's case does not make another configuration");
  }

  @Test
  void videoIsOfferedWithNackAndKeyframeFeedbackAndAudioWithNone() {
    PayloadTypes types = new PayloadTypes();
    assertEquals(List.of("nack", "nack pli", "ccm fir"), types.codecFor(VP8).feedback());
    assertTrue(types.codecFor(OPUS).feedback().isEmpty());
  }

  @Test
  void eachRetransmittedTypeHasOneRtxTypeOfItsOwn() {
    PayloadTypes types = new PayloadTypes();
    int vp8 = types.codecFor(VP8).payloadType();
    int rtx = types.rtxFor(vp8);
    assertEquals(rtx, types.rtxFor(vp8));
    Set<Integer> used = new HashSet<>(List.of(vp8, rtx, types.codecFor(H264_BASELINE).payloadType()));
    assertEquals(3, used.size(), "RTX never shares a type with a codec");
  }

  @Test
  void aNewConnectionNumbersAgainFromTheStart() {
    PayloadTypes types = new PayloadTypes();
    types.codecFor(H264_BASELINE);
    types.clear();
    Codec vp8 = types.codecFor(VP8);
    assertEquals(96, vp8.payloadType());
  }

  @Test
  void moreConfigurationsThanDynamicTypesShareTheLastOneRatherThanFail() {
    PayloadTypes types = new PayloadTypes();
    for (int i = 0; i < 31; i++) {
      types.codecFor(track("video", "H264", 90000, 1, "profile-level-id=" + i));
    }
    assertEquals(127, types.codecFor(track("video", "H264", 90000, 1, "one more")).payloadType());
  }
}
