package uk.co.lchat.egress.composite;

/**
 * One video picture in planar YUV 4:2:0 (I420: the Y plane, then U, then V, as FFmpeg's {@code yuv420p} raw video
 * reads and writes it), and the few drawing operations a composite needs: fill, scaled copy of another picture,
 * and blending a name's mask. Full-range values are not assumed: black is Y 16, white 235 (BT.601 studio range,
 * what FFmpeg's encoders expect of yuv420p by default).
 */
public final class Picture {
  public static final int BLACK_Y = 16;
  public static final int WHITE_Y = 235;
  public static final int NEUTRAL_CHROMA = 128;

  final int width;
  final int height;
  final byte[] data;

  public Picture(int width, int height) {
    if (width <= 0 || height <= 0 || width % 2 != 0 || height % 2 != 0) {
      throw new IllegalArgumentException("a 4:2:0 picture needs even sizes, not " + width + "x" + height);
    }
    this.width = width;
    this.height = height;
    this.data = new byte[frameSize(width, height)];
  }

  /**
   * A picture of packed RGB pixels ({@code 0xRRGGBB}, rows from the top; the alpha byte is ignored), converted to
   * studio-range BT.601 YUV as FFmpeg's {@code yuv420p} expects, each chroma sample the mean of its 2x2 block. Odd
   * sizes lose their last column or row.
   */
  public static Picture fromRgb(int[] rgb, int width, int height) {
    Picture p = new Picture(width & ~1, height & ~1);
    int w = p.width;
    int h = p.height;
    int u = p.uOffset();
    int v = p.vOffset();
    for (int y = 0; y < h; y += 2) {
      for (int x = 0; x < w; x += 2) {
        int r = 0;
        int g = 0;
        int b = 0;
        for (int dy = 0; dy < 2; dy++) {
          for (int dx = 0; dx < 2; dx++) {
            int c = rgb[(y + dy) * width + x + dx];
            int cr = c >> 16 & 0xff;
            int cg = c >> 8 & 0xff;
            int cb = c & 0xff;
            p.data[(y + dy) * w + x + dx] = (byte) (16 + (66 * cr + 129 * cg + 25 * cb + 128 >> 8));
            r += cr;
            g += cg;
            b += cb;
          }
        }
        r >>= 2;
        g >>= 2;
        b >>= 2;
        int at = (y / 2) * (w / 2) + x / 2;
        p.data[u + at] = (byte) (128 + (-38 * r - 74 * g + 112 * b + 128 >> 8));
        p.data[v + at] = (byte) (128 + (112 * r - 94 * g - 18 * b + 128 >> 8));
      }
    }
    return p;
  }

  /** Bytes of one {@code yuv420p} picture of this size. */
  public static int frameSize(int width, int height) {
    return width * height * 3 / 2;
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  /** The I420 bytes, to write to an encoder or fill from a decoder. */
  public byte[] data() {
    return data;
  }

  private int uOffset() {
    return width * height;
  }

  private int vOffset() {
    return width * height + (width / 2) * (height / 2);
  }

  public void fill(int y, int u, int v) {
    fillRect(0, 0, width, height, y, u, v);
  }

  /** Fills a rectangle (clipped to the picture; even coordinates keep chroma exact). */
  public void fillRect(int x, int y, int w, int h, int yValue, int u, int v) {
    int x0 = Math.max(0, x);
    int y0 = Math.max(0, y);
    int x1 = Math.min(width, x + w);
    int y1 = Math.min(height, y + h);
    if (x0 >= x1 || y0 >= y1) {
      return;
    }
    for (int row = y0; row < y1; row++) {
      java.util.Arrays.fill(data, row * width + x0, row * width + x1, (byte) yValue);
    }
    int cw = width / 2;
    for (int row = y0 / 2; row < (y1 + 1) / 2; row++) {
      java.util.Arrays.fill(data, uOffset() + row * cw + x0 / 2, uOffset() + row * cw + (x1 + 1) / 2, (byte) u);
      java.util.Arrays.fill(data, vOffset() + row * cw + x0 / 2, vOffset() + row * cw + (x1 + 1) / 2, (byte) v);
    }
  }

  /**
   * Draws {@code src} into the rectangle, scaled to fit inside it with its aspect ratio kept and centred (the rest
   * of the rectangle keeps what it had). Nearest-neighbour sampling: a composite's tiles are mostly downscaled
   * camera pictures, where it costs one lookup per pixel and looks close enough to filtered scaling.
   */
  public void drawFitted(Picture src, int x, int y, int w, int h) {
    int fitW = w;
    int fitH = (int) ((long) src.height * w / src.width);
    if (fitH > h) {
      fitH = h;
      fitW = (int) ((long) src.width * h / src.height);
    }
    fitW &= ~1;
    fitH &= ~1;
    if (fitW <= 0 || fitH <= 0) {
      return;
    }
    int dx = x + ((w - fitW) / 2 & ~1);
    int dy = y + ((h - fitH) / 2 & ~1);
    scalePlane(src.data, 0, src.width, src.height, data, 0, width, height, dx, dy, fitW, fitH);
    scalePlane(src.data, src.uOffset(), src.width / 2, src.height / 2, data, uOffset(), width / 2, height / 2,
        dx / 2, dy / 2, fitW / 2, fitH / 2);
    scalePlane(src.data, src.vOffset(), src.width / 2, src.height / 2, data, vOffset(), width / 2, height / 2,
        dx / 2, dy / 2, fitW / 2, fitH / 2);
  }

  private static void scalePlane(byte[] src, int srcOff, int srcW, int srcH, byte[] dst, int dstOff, int dstW,
                                 int dstH, int dx, int dy, int w, int h) {
    int[] columns = new int[w];
    for (int i = 0; i < w; i++) {
      columns[i] = (int) ((long) i * srcW / w);
    }
    for (int row = 0; row < h; row++) {
      int ty = dy + row;
      if (ty < 0 || ty >= dstH) {
        continue;
      }
      int srcRow = srcOff + (int) ((long) row * srcH / h) * srcW;
      int dstRow = dstOff + ty * dstW;
      for (int i = 0; i < w; i++) {
        int tx = dx + i;
        if (tx >= 0 && tx < dstW) {
          dst[dstRow + tx] = src[srcRow + columns[i]];
        }
      }
    }
  }

  /**
   * Writes a name: {@code mask} (one alpha byte per pixel, {@code maskWidth} wide) in white over a darkened box
   * whose top-left corner is (x, y), so the name reads on any picture.
   */
  public void drawLabel(byte[] mask, int maskWidth, int maskHeight, int x, int y) {
    for (int row = 0; row < maskHeight; row++) {
      int ty = y + row;
      if (ty < 0 || ty >= height) {
        continue;
      }
      for (int col = 0; col < maskWidth; col++) {
        int tx = x + col;
        if (tx < 0 || tx >= width) {
          continue;
        }
        int i = ty * width + tx;
        int under = (data[i] & 0xff) / 2; // the box: the picture at half brightness
        int alpha = mask[row * maskWidth + col] & 0xff;
        data[i] = (byte) (under + (WHITE_Y - under) * alpha / 255);
      }
    }
  }

  /** The Y value at a pixel (for tests and checks). */
  public int lumaAt(int x, int y) {
    return data[y * width + x] & 0xff;
  }

  /** The U and V values of the chroma sample covering a pixel. */
  public int[] chromaAt(int x, int y) {
    int i = (y / 2) * (width / 2) + x / 2;
    return new int[] {data[uOffset() + i] & 0xff, data[vOffset() + i] & 0xff};
  }
}
