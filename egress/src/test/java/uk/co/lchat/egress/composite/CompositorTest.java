package uk.co.lchat.egress.composite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;

import org.junit.jupiter.api.Test;

import uk.co.lchat.egress.composite.Layout.Person;

class CompositorTest {
  private static byte[] solid(int width, int height, int y, int u, int v) {
    Picture p = new Picture(width, height);
    p.fill(y, u, v);
    return p.data().clone();
  }

  private static byte[] tone(int samples, int amplitude) {
    byte[] pcm = new byte[samples * 2];
    for (int i = 0; i < samples; i++) {
      int s = (int) (amplitude * Math.sin(2 * Math.PI * 440 * i / 48000.0));
      pcm[2 * i] = (byte) s;
      pcm[2 * i + 1] = (byte) (s >> 8);
    }
    return pcm;
  }

  private static Picture picture(Compositor c, byte[] data) {
    Picture p = new Picture(c.width(), c.height());
    System.arraycopy(data, 0, p.data(), 0, data.length);
    return p;
  }

  @Test
  void eachParticipantsPictureIsDrawnInItsOwnTileWithItsName() throws IOException {
    Compositor c = new Compositor(Layout.GRID, 1280, 720, 30, 48000);
    c.people(List.of(new Person("a", "Alice", "va", null), new Person("b", "Bob", "vb", null)));
    // Alice's camera is red, Bob's is blue (BT.601: red has V high, blue has U high).
    c.readVideo("va", 640, 360, new ByteArrayInputStream(solid(640, 360, 81, 90, 240)));
    c.readVideo("vb", 640, 360, new ByteArrayInputStream(solid(640, 360, 41, 240, 110)));
    Picture out = picture(c, c.nextFrame(true).picture());
    assertEquals(240, out.chromaAt(320, 300)[1], "Alice's tile, left, is red");
    assertEquals(240, out.chromaAt(960, 300)[0], "Bob's tile, right, is blue");
    assertEquals(81, out.lumaAt(320, 300));
    // The name sits at the bottom-left of the tile (two tiles side by side: each 640 x 720).
    int brightest = 0;
    for (int y = 720 - 80; y < 718; y++) {
      for (int x = 4; x < 200; x++) {
        brightest = Math.max(brightest, out.lumaAt(x, y));
      }
    }
    assertTrue(brightest > 200, "a name is written in Alice's tile (brightest " + brightest + ")");
  }

  @Test
  void aParticipantWithoutPicturesYetGetsTheirNameOnAnEmptyTile() {
    Compositor c = new Compositor(Layout.GRID, 1280, 720, 30, 48000);
    c.people(List.of(new Person("a", "Alice", "va", null)));
    Picture out = picture(c, c.nextFrame(true).picture());
    int brightest = 0;
    for (int y = 300; y < 420; y++) {
      for (int x = 500; x < 780; x++) {
        brightest = Math.max(brightest, out.lumaAt(x, y));
      }
    }
    assertTrue(brightest > 200, "the name in the middle (brightest " + brightest + ")");
  }

  @Test
  void everyonesAudioIsMixedAndTheLoudestBecomesTheSpeaker() throws IOException {
    Compositor c = new Compositor(Layout.SPEAKER, 1280, 720, 30, 48000);
    c.people(List.of(new Person("a", "Alice", null, null), new Person("b", "Bob", null, null)));
    c.readAudio("a", "ta", new ByteArrayInputStream(tone(24000, 1000)));
    c.readAudio("b", "tb", new ByteArrayInputStream(tone(24000, 8000)));
    assertNull(c.speaker());
    long sum = 0;
    for (int f = 0; f < 10; f++) {
      byte[] audio = c.nextFrame(false).audio();
      assertEquals(1600 * 2, audio.length, "a frame's worth of samples at 48 kHz and 30 fps");
      for (int i = 0; i < audio.length; i += 2) {
        sum += Math.abs((short) ((audio[i] & 0xff) | (audio[i + 1] << 8)));
      }
    }
    assertTrue(sum / 16000.0 > 4000, "the mix carries both tones (mean amplitude " + sum / 16000.0 + ")");
    assertEquals("b", c.speaker());
  }

  @Test
  void aMixThatFallsBehindDropsTheOldestSamplesAndCountsThem() throws IOException {
    Compositor c = new Compositor(Layout.GRID, 1280, 720, 30, 48000);
    c.readAudio("a", "ta", new ByteArrayInputStream(tone(48000, 1000))); // a second; the queue holds half
    assertEquals(24000, c.droppedSamples());
  }
}
