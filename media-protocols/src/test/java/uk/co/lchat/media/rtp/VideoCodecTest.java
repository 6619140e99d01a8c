package uk.co.lchat.media.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;

import org.junit.jupiter.api.Test;

/** Where keyframes start in each codec's RTP payload: where a simulcast receiver may change layers. */
class VideoCodecTest {
  private static boolean starts(VideoCodec codec, String payloadHex) {
    byte[] p = HexFormat.of().parseHex(payloadHex);
    return codec.isKeyframeStart(p, 0, p.length);
  }

  @Test
  void codecsAreKnownByTheirSdpNamesInAnyCase() {
    assertEquals(VideoCodec.H264, VideoCodec.of("h264"));
    assertEquals(VideoCodec.VP8, VideoCodec.of("VP8"));
    assertEquals(VideoCodec.VP9, VideoCodec.of("vp9"));
    assertEquals(VideoCodec.OTHER, VideoCodec.of("AV1"));
    assertFalse(starts(VideoCodec.OTHER, "00"), "a codec we cannot read never says keyframe");
  }

  @Test
  void vp8KeyframesStartAtPartitionZeroWithTheInverseKeyframeBitClear() {
    assertTrue(starts(VideoCodec.VP8, "10" + "00"));
    assertFalse(starts(VideoCodec.VP8, "10" + "01"), "an interframe");
    assertFalse(starts(VideoCodec.VP8, "00" + "00"), "not the start of the frame");
    assertTrue(starts(VideoCodec.VP8, "90" + "80" + "8123" + "00"), "with a 15-bit picture id");
  }

  @Test
  void h264KeyframesStartAtAnIdrOrItsParameterSetsAloneAggregatedOrFragmented() {
    assertTrue(starts(VideoCodec.H264, "65" + "8800"), "an IDR slice alone (RFC 6184 §5.6)");
    assertTrue(starts(VideoCodec.H264, "67" + "42e01f"), "the sequence parameter set before it");
    assertFalse(starts(VideoCodec.H264, "41" + "9a00"), "a non-IDR slice");
    // STAP-A (§5.7.1): SPS (3 bytes), PPS (2 bytes), the IDR's start (2 bytes), each behind a 16-bit size.
    assertTrue(starts(VideoCodec.H264, "78" + "0003" + "6742e0" + "0002" + "68ce" + "0002" + "6588"));
    assertFalse(starts(VideoCodec.H264, "78" + "0002" + "41aa" + "0002" + "41bb"), "aggregated non-IDR slices");
    assertFalse(starts(VideoCodec.H264, "78" + "0009" + "41"), "an aggregate whose size runs past the packet");
    // FU-A (§5.8): indicator type 28, then the header's S bit and the fragmented unit's type.
    assertTrue(starts(VideoCodec.H264, "7c" + "85" + "aa"), "the first fragment of an IDR");
    assertFalse(starts(VideoCodec.H264, "7c" + "05" + "aa"), "a later fragment of it");
    assertFalse(starts(VideoCodec.H264, "7c" + "81" + "aa"), "the first fragment of a non-IDR slice");
    assertFalse(starts(VideoCodec.H264, "7c"), "a fragment too short to tell");
  }

  @Test
  void vp9KeyframesAreFrameStartsThatAreNotInterPredicted() {
    assertTrue(starts(VideoCodec.VP9, "08"), "B=1, P=0 (RFC 9628 §4.2)");
    assertTrue(starts(VideoCodec.VP9, "88" + "8123"), "with a picture id");
    assertFalse(starts(VideoCodec.VP9, "48"), "inter-predicted");
    assertFalse(starts(VideoCodec.VP9, "00"), "not a frame's start");
  }

  private static int height(VideoCodec codec, String payloadHex) {
    byte[] p = HexFormat.of().parseHex(payloadHex);
    return codec.keyframeHeight(p, 0, p.length);
  }

  @Test
  void aVp8KeyframeTellsItsHeightAfterTheStartCode() {
    // libvpx's keyframe of a 320x180 picture: frame tag, 9d 01 2a, width 320, height 180 (RFC 6386 §9.1).
    assertEquals(180, height(VideoCodec.VP8, "10" + "3051009d012a4001b4000047"));
    assertEquals(180, height(VideoCodec.VP8, "90" + "80" + "8123" + "3051009d012a4001b4000047"), "behind a picture id");
    assertEquals(0, height(VideoCodec.VP8, "10" + "3151009d012a4001b4000047"), "an interframe has no size");
    assertEquals(0, height(VideoCodec.VP8, "10" + "305100ffff2a4001b4000047"), "no start code");
    assertEquals(0, height(VideoCodec.VP8, "10" + "3051009d012a40"), "cut short");
  }

  @Test
  void anH264SequenceParameterSetTellsTheHeightAloneOrAggregated() {
    // x264's SPS for 320x180 (baseline, 12 macroblock rows cropped by 12), 1280x720 (high) and 640x360 (high 4:4:4,
    // cropped by whole rows: 4:4:4 does not halve them).
    assertEquals(180, height(VideoCodec.H264, "6742c00dd901419f9f0110000003001000000303c0f142a48000"));
    assertEquals(720, height(VideoCodec.H264, "6764001facd9405005bb0110000003001000000303c0f183196000"));
    assertEquals(360, height(VideoCodec.H264, "67f4001e919b281405ff138088000003000800000301e078b16cb000"));
    assertEquals(180, height(VideoCodec.H264, "78" + "001a" + "6742c00dd901419f9f0110000003001000000303c0f142a48000"
        + "0002" + "68ce"), "inside a STAP-A (RFC 6184 §5.7.1)");
    assertEquals(0, height(VideoCodec.H264, "6742c00d"), "cut short");
    assertEquals(0, height(VideoCodec.H264, "65" + "8800"), "an IDR slice carries no size");
  }

  @Test
  void aVp9KeyframeTellsItsHeightInItsScalabilityStructure() {
    // B and V set, picture id; SS: one spatial layer (N_S=0), Y=1, then 640x360.
    assertEquals(360, height(VideoCodec.VP9, "8a" + "8123" + "10" + "02800168"));
    assertEquals(0, height(VideoCodec.VP9, "88" + "8123"), "no scalability structure");
    assertEquals(0, height(VideoCodec.VP9, "4a" + "10" + "02800168"), "not a keyframe");
    assertEquals(0, height(VideoCodec.VP9, "8a" + "8123" + "10" + "0280"), "cut short");
  }
}
