package uk.co.lchat.media.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** RFC 6464 levels (0 loudest .. 127 silent, in -dBov) fold into a stream's smoothed loudness. */
class AudioLevelReadTest {
  private final StageFixture f = new StageFixture();
  private final Endpoint e = f.endpoint("a");
  private final AudioLevelRead stage = new AudioLevelRead();

  private void packet(Publication p, int level) {
    byte[] plain = StageFixture.rtp(111, p.ssrc, 1, 960, new byte[40], new int[] {1},
        new byte[][] {{(byte) (0x80 | level)}}); // V=1: voice activity
    ReceivedPacket in = f.parsed(e, plain);
    in.publication = p;
    assertTrue(stage.run(in));
  }

  @Test
  void loudPacketsRaiseTheLoudnessAndSilentOnesLowerIt() {
    Publication audio = new Publication(e, 5, "audio", 111, 48000, 1);
    for (int i = 0; i < 60; i++) {
      packet(audio, 10);
    }
    assertEquals(117, audio.loudness(), 1, "towards 127 - 10");
    for (int i = 0; i < 60; i++) {
      packet(audio, 127);
    }
    assertTrue(audio.loudness() < 1, "towards silence: " + audio.loudness());
  }

  @Test
  void aStreamWithoutLevelsStaysSilent() {
    Publication audio = new Publication(e, 6, "audio", 111, 48000, -1);
    packet(audio, 0);
    assertEquals(0, audio.loudness());
  }
}
