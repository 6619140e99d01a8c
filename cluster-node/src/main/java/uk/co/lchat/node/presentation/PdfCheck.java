package uk.co.lchat.node.presentation;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.InflaterInputStream;

import org.apache.pdfbox.Loader;
import org.apache.pdfbox.cos.COSArray;
import org.apache.pdfbox.cos.COSBase;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.cos.COSObject;
import org.apache.pdfbox.cos.COSObjectKey;
import org.apache.pdfbox.cos.COSStream;
import org.apache.pdfbox.io.IOUtils;
import org.apache.pdfbox.pdmodel.PDDocument;

/**
 * Whether uploaded bytes are a PDF the room may show: by content, never by name. The file must start with the PDF
 * header ({@code %PDF-}, ISO 32000-1 §7.5.2), parse with Apache PDFBox (in memory only: nothing goes to disk), have
 * 1 to {@code maxPages} pages, and its Flate-compressed streams must not expand past {@code maxDecodedBytes} in
 * all (checked by inflating them with a running count that stops at the limit, so a bomb costs at most that much
 * work and no memory). Streams under other filters count at their stored size: the image codecs (DCT, JPX, JBIG2,
 * CCITT) decode to pictures the page draws at its own size.
 */
public final class PdfCheck {
  private static final byte[] MAGIC = "%PDF-".getBytes(StandardCharsets.US_ASCII);

  /** What the bytes came to: a PDF of {@code pages} pages, or why not (an HTTP status and an error code). */
  public sealed interface Verdict {
    record Pdf(int pages) implements Verdict {}

    record Refused(int status, String code, String message) implements Verdict {}
  }

  private final PresentationSettings settings;

  public PdfCheck(PresentationSettings settings) {
    this.settings = settings;
  }

  public Verdict check(byte[] bytes) {
    if (bytes.length < MAGIC.length || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      return new Verdict.Refused(415, "not_a_pdf", "This file is not a PDF (it does not start with %PDF-).");
    }
    try (PDDocument doc = Loader.loadPDF(bytes, "", null, null, IOUtils.createMemoryOnlyStreamCache())) {
      int pages = doc.getNumberOfPages();
      if (pages < 1) {
        return new Verdict.Refused(422, "bad_pdf", "This PDF has no pages.");
      }
      if (pages > settings.maxPages()) {
        return new Verdict.Refused(422, "too_many_pages", "This PDF has " + pages + " pages; at most "
            + settings.maxPages() + " can be presented.");
      }
      if (!withinDecodedLimit(doc)) {
        return new Verdict.Refused(422, "pdf_bomb", "This PDF's contents expand to more than "
            + settings.maxDecodedBytes() / (1024 * 1024) + " MiB; it cannot be presented.");
      }
      return new Verdict.Pdf(pages);
    } catch (IOException | RuntimeException | StackOverflowError e) {
      // A malformed file, or one nested deeply enough to exhaust the parser's stack: either way not presentable.
      return new Verdict.Refused(422, "bad_pdf", "This PDF cannot be read: it is damaged or not a PDF.");
    }
  }

  private boolean withinDecodedLimit(PDDocument doc) throws IOException {
    long budget = settings.maxDecodedBytes();
    byte[] scratch = new byte[64 * 1024];
    for (Map.Entry<COSObjectKey, Long> entry : doc.getDocument().getXrefTable().entrySet()) {
      COSObject object = doc.getDocument().getObjectFromPool(entry.getKey());
      COSBase base = object == null ? null : object.getObject();
      if (!(base instanceof COSStream stream)) {
        continue;
      }
      budget -= inflatesFlate(stream) ? inflated(stream, budget, scratch) : stream.getLength();
      if (budget < 0) {
        return false;
      }
    }
    return true;
  }

  /** Whether the stream's first filter is FlateDecode (ISO 32000-1 §7.4.4), the one a bomb uses. */
  private static boolean inflatesFlate(COSStream stream) {
    COSBase filters = stream.getFilters();
    COSBase first = filters instanceof COSArray array && array.size() > 0 ? array.getObject(0) : filters;
    return COSName.FLATE_DECODE.equals(first) || COSName.FLATE_DECODE_ABBREVIATION.equals(first);
  }

  /** The stream's inflated size, or more than {@code budget} once it passes it (the rest is never inflated). */
  private static long inflated(COSStream stream, long budget, byte[] scratch) throws IOException {
    long total = 0;
    try (InputStream in = new InflaterInputStream(stream.createRawInputStream())) {
      int n;
      while ((n = in.read(scratch)) > 0) {
        total += n;
        if (total > budget) {
          return total;
        }
      }
    } catch (java.util.zip.ZipException e) {
      // A damaged Flate stream: viewers stop where it breaks, and so does the count.
    }
    return total;
  }
}
