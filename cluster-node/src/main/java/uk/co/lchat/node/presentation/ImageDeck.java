package uk.co.lchat.node.presentation;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

import org.apache.pdfbox.io.IOUtils;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject;

/**
 * A set of slides uploaded as pictures, made into one PDF of a page each (in the order given), so that the room
 * presents it as it presents any PDF: the same pages, control and pointer, and the same pdf.js in every browser.
 * Each picture must be a PNG or a JPEG by its content (its signature, PNG spec §5.2 and JPEG's SOI marker), not
 * by its name; its size is read from its header before any pixel is decoded, and is bounded: one picture to
 * {@link #MAX_PIXELS} pixels, all of them to what {@code maxDecodedBytes} holds as RGBA (a browser decodes every
 * slide it shows to 4 bytes a pixel, so a small PNG of huge dimensions is a bomb as a PDF's stream is).
 * Everything stays in memory: PDFBox with a memory-only cache, ImageIO without its disk cache.
 */
public final class ImageDeck {
  /** An 8K slide (7680 x 4320 = 33.2 million pixels) fits; decoded as RGBA it is at most 144 MiB. */
  static final long MAX_PIXELS = 36_000_000L;
  private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  private static final byte[] JPEG = {(byte) 0xff, (byte) 0xd8, (byte) 0xff};

  static {
    // ImageIO buffers a stream it reads in a temporary file unless told not to: an upload never touches disk.
    ImageIO.setUseCache(false);
  }

  private final PresentationSettings settings;

  public ImageDeck(PresentationSettings settings) {
    this.settings = settings;
  }

  /** Whether these bytes start as a PNG or a JPEG does. */
  public static boolean isImage(byte[] bytes) {
    return startsWith(bytes, PNG) || startsWith(bytes, JPEG);
  }

  /** The pictures as one PDF of {@code pictures.size()} pages, or why not. */
  public PdfCheck.Verdict assemble(List<byte[]> pictures) {
    if (pictures.isEmpty()) {
      return refused(422, "no_images", "Choose one PDF, or one or more PNG or JPEG pictures, to present.");
    }
    if (pictures.size() > settings.maxPages()) {
      return refused(422, "too_many_pages", pictures.size() + " pictures are too many; at most "
          + settings.maxPages() + " can be presented.");
    }
    int[][] sizes = new int[pictures.size()][];
    long pixels = 0;
    for (int i = 0; i < pictures.size(); i++) {
      String which = pictures.size() == 1 ? "This picture" : "Picture " + (i + 1);
      byte[] picture = pictures.get(i);
      if (!isImage(picture)) {
        return refused(415, "not_an_image", which + " is not a PNG or JPEG picture (nor a PDF).");
      }
      int[] size = headerSize(picture);
      if (size == null) {
        return refused(422, "bad_image", which + " cannot be read: it is damaged.");
      }
      long area = (long) size[0] * size[1];
      if (area > MAX_PIXELS) {
        return refused(422, "image_too_large", which + " is " + size[0] + " x " + size[1] + " pixels; at most "
            + MAX_PIXELS / 1_000_000 + " million pixels can be presented.");
      }
      pixels += area;
      if (pixels * 4 > settings.maxDecodedBytes()) {
        return refused(422, "image_too_large", "These pictures together are too large to present (over "
            + settings.maxDecodedBytes() / 4 / 1_000_000 + " million pixels).");
      }
      sizes[i] = size;
    }
    try (PDDocument doc = new PDDocument(IOUtils.createMemoryOnlyStreamCache())) {
      for (int i = 0; i < pictures.size(); i++) {
        // A JPEG goes in as it is (DCTDecode); a PNG's compressed data is carried over where PDFBox can, decoded
        // and compressed again where it cannot.
        PDImageXObject image = PDImageXObject.createFromByteArray(doc, pictures.get(i), "slide-" + (i + 1));
        // One point per pixel: pdf.js scales the page to the stage anyway.
        PDPage page = new PDPage(new PDRectangle(sizes[i][0], sizes[i][1]));
        doc.addPage(page);
        try (PDPageContentStream content = new PDPageContentStream(doc, page)) {
          content.drawImage(image, 0, 0, sizes[i][0], sizes[i][1]);
        }
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      doc.save(out);
      return new PdfCheck.Verdict.Made(out.toByteArray(), pictures.size());
    } catch (IOException | RuntimeException e) {
      return refused(422, "bad_image", "These pictures cannot be read: one is damaged.");
    }
  }

  /** Width and height from the picture's header (no pixel decoded), or null when the header cannot be read. */
  private static int[] headerSize(byte[] picture) {
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(picture))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        return null;
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        int width = reader.getWidth(0);
        int height = reader.getHeight(0);
        return width > 0 && height > 0 ? new int[] {width, height} : null;
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static boolean startsWith(byte[] bytes, byte[] prefix) {
    return bytes.length >= prefix.length && java.util.Arrays.equals(bytes, 0, prefix.length, prefix, 0,
        prefix.length);
  }

  private static PdfCheck.Verdict refused(int status, String code, String message) {
    return new PdfCheck.Verdict.Refused(status, code, message);
  }
}
