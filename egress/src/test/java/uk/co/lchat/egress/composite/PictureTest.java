package uk.co.lchat.egress.composite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PictureTest {
  @Test
  void aPictureIsDrawnFittedAndCentredKeepingItsAspectRatio() {
    Picture src = new Picture(160, 90);
    src.fill(200, 100, 150);
    Picture canvas = new Picture(400, 400);
    canvas.fill(16, 128, 128);
    canvas.drawFitted(src, 0, 0, 400, 400);
    // 16:9 into a square: 400 x 224, centred vertically (88 above, 88 below).
    assertEquals(16, canvas.lumaAt(200, 86));
    assertEquals(200, canvas.lumaAt(200, 88));
    assertEquals(200, canvas.lumaAt(200, 311));
    assertEquals(16, canvas.lumaAt(200, 313));
    assertEquals(100, canvas.chromaAt(200, 200)[0]);
    assertEquals(150, canvas.chromaAt(200, 200)[1]);
  }

  @Test
  void aRectangleOutsideThePictureIsClippedNotAnError() {
    Picture p = new Picture(64, 64);
    p.fillRect(-10, -10, 20, 20, 100, 128, 128);
    p.fillRect(60, 60, 100, 100, 50, 128, 128);
    assertEquals(100, p.lumaAt(0, 0));
    assertEquals(50, p.lumaAt(63, 63));
    assertEquals(0, p.lumaAt(32, 32));
  }

  @Test
  void oddSizesAreRefusedSince420ChromaNeedsEvenOnes() {
    assertThrows(IllegalArgumentException.class, () -> new Picture(641, 360));
  }

  @Test
  void rgbPixelsBecomeStudioRangeBt601WithTheChromaOfEachTwoByTwoBlock() {
    int[] rgb = new int[4 * 2];
    java.util.Arrays.fill(rgb, 0, 2, 0xFFFFFF); // white, then black, in the left block's top row
    java.util.Arrays.fill(rgb, 4, 6, 0x000000);
    rgb[2] = rgb[3] = rgb[6] = rgb[7] = 0xE03030; // the right block all red
    Picture p = Picture.fromRgb(rgb, 4, 2);
    byte[] d = p.data();
    assertEquals(Picture.WHITE_Y, d[0] & 0xff);
    assertEquals(Picture.BLACK_Y, d[4] & 0xff);
    assertEquals(103, d[2] & 0xff, "red's luma: 16 + (66 * 224 + 129 * 48 + 25 * 48) / 256");
    assertEquals(Picture.NEUTRAL_CHROMA, d[8] & 0xff, "grey on average: no colour");
    assertEquals(Picture.NEUTRAL_CHROMA, d[10] & 0xff);
    assertEquals(102, d[9] & 0xff, "red's U: 128 + (-38 * 224 - 74 * 48 + 112 * 48) / 256, rounded down");
    assertEquals(205, d[11] & 0xff, "red's V: 128 + (112 * 224 - 94 * 48 - 18 * 48) / 256");
  }
}
