package uk.co.lchat.egress.composite;

/**
 * The newest decoded picture of one video track, written by its decoder as frames arrive and read by the
 * composite once per output frame: whatever rate the track has, the composite shows its latest picture (a frozen
 * one if the track stalls, as a browser does).
 */
final class LatestPicture {
  private final Picture picture;
  private boolean present;
  private long frames;

  LatestPicture(int width, int height) {
    this.picture = new Picture(width, height);
  }

  int frameSize() {
    return picture.data.length;
  }

  /** A whole decoded picture in the size this was made for. */
  synchronized void put(byte[] frame) {
    System.arraycopy(frame, 0, picture.data, 0, picture.data.length);
    present = true;
    frames++;
  }

  /** Draws the latest picture into the rectangle; false (nothing drawn) before the first one arrived. */
  synchronized boolean drawInto(Picture canvas, int x, int y, int w, int h) {
    if (present) {
      canvas.drawFitted(picture, x, y, w, h);
    }
    return present;
  }

  synchronized long frames() {
    return frames;
  }
}
