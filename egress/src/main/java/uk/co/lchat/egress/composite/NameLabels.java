package uk.co.lchat.egress.composite;

import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Participants' names as alpha masks, drawn once per name and size with the JDK's own (headless) text rendering
 * and kept: a composite draws the same few names 30 times a second. Long names are cut with an ellipsis to the
 * tile's width.
 */
final class NameLabels {
  /** A rendered name: one alpha byte per pixel. */
  record Label(byte[] mask, int width, int height) {}

  private static final int KEPT = 256;
  private final Map<String, Label> cache = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Label> eldest) {
      return size() > KEPT;
    }
  };

  static {
    System.setProperty("java.awt.headless", "true");
  }

  /** {@code name} in a box {@code height} pixels high and at most {@code maxWidth} wide. */
  Label label(String name, int height, int maxWidth) {
    return cache.computeIfAbsent(name + '\u0000' + height + '\u0000' + maxWidth, k -> render(name, height, maxWidth));
  }

  private static Label render(String name, int height, int maxWidth) {
    int fontSize = Math.max(8, height * 2 / 3);
    Font font = new Font(Font.SANS_SERIF, Font.PLAIN, fontSize);
    BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g0 = probe.createGraphics();
    FontMetrics metrics = g0.getFontMetrics(font);
    g0.dispose();
    int pad = Math.max(2, height / 6);
    String text = name == null || name.isBlank() ? "Guest" : name;
    if (metrics.stringWidth(text) + 2 * pad > maxWidth) {
      while (text.length() > 1 && metrics.stringWidth(text + "…") + 2 * pad > maxWidth) {
        text = text.substring(0, text.length() - 1);
      }
      text += "…";
    }
    int width = Math.max(2, Math.min(maxWidth, metrics.stringWidth(text) + 2 * pad)) & ~1;
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setFont(font);
    g.setColor(java.awt.Color.WHITE);
    g.drawString(text, pad, (height - metrics.getHeight()) / 2 + metrics.getAscent());
    g.dispose();
    byte[] mask = new byte[width * height];
    image.getRaster().getDataElements(0, 0, width, height, mask);
    return new Label(mask, width, height);
  }
}
