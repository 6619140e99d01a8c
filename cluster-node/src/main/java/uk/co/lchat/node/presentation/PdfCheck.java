package uk.co.lchat.node.presentation;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.pdfbox.Loader;
import org.apache.pdfbox.cos.COSArray;
import org.apache.pdfbox.cos.COSBase;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.cos.COSObject;
import org.apache.pdfbox.cos.COSObjectKey;
import org.apache.pdfbox.cos.COSStream;
import org.apache.pdfbox.filter.FilterFactory;
import org.apache.pdfbox.io.IOUtils;
import org.apache.pdfbox.pdmodel.PDDocument;

/**
 * Whether uploaded bytes are a PDF the room may show: by content, never by name. The file must start with the PDF
 * header ({@code %PDF-}, ISO 32000-1 §7.5.2), parse with Apache PDFBox (in memory only: nothing goes to disk), have
 * 1 to {@code maxPages} pages, and its compressed streams must not expand past {@code maxDecodedBytes} in all
 * (checked by decoding them with a running count that stops at the limit, so a bomb costs at most that much work
 * and no memory beyond one upload's size). Streams under the image codecs (DCT, JPX, JBIG2, CCITT) count at their
 * stored size: they decode to pictures the page draws at its own size.
 */
public final class PdfCheck {
  private static final byte[] MAGIC = "%PDF-".getBytes(StandardCharsets.US_ASCII);

  /**
   * What an upload came to: a PDF of {@code pages} pages as it was uploaded, one the node made of uploaded pictures
   * ({@link ImageDeck}), or why not (an HTTP status and an error code).
   */
  public sealed interface Verdict {
    record Pdf(int pages) implements Verdict {}

    record Made(byte[] pdf, int pages) implements Verdict {}

    record Refused(int status, String code, String message) implements Verdict {}
  }

  /** Filters (long and abbreviated names, ISO 32000-1 Tables 6 and 94) that decode to a picture, not to more data. */
  private static final Set<COSName> IMAGE_CODECS = Set.of(COSName.DCT_DECODE, COSName.DCT_DECODE_ABBREVIATION,
      COSName.JPX_DECODE, COSName.JBIG2_DECODE, COSName.CCITTFAX_DECODE, COSName.CCITTFAX_DECODE_ABBREVIATION);

  private final PresentationSettings settings;

  public PdfCheck(PresentationSettings settings) {
    this.settings = settings;
  }

  public Verdict check(byte[] bytes) {
    if (bytes.length < MAGIC.length || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      return new Verdict.Refused(415, "not_a_pdf", "This file is neither a PDF (it does not start with %PDF-) nor"
          + " a PNG or JPEG picture.");
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
    for (Map.Entry<COSObjectKey, Long> entry : doc.getDocument().getXrefTable().entrySet()) {
      COSObject object = doc.getDocument().getObjectFromPool(entry.getKey());
      COSBase base = object == null ? null : object.getObject();
      if (!(base instanceof COSStream stream)) {
        continue;
      }
      budget -= decodedSize(stream, budget);
      if (budget < 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * What the stream decodes to, or more than {@code budget} once it passes it (the rest is never decoded). Every
   * filter of its chain counts (ISO 32000-1 §7.4: Flate, LZW and RunLength all expand, LZW by up to ~340x, and a
   * chain multiplies them), each stage decoded with a running count that stops at the limit. A stage no viewer
   * expands to more than a picture of its own size (the image codecs) ends the count at what it is given. Only a
   * stage that feeds another is held in memory, and at most as much as the largest upload.
   */
  private long decodedSize(COSStream stream, long budget) throws IOException {
    List<COSName> chain = filters(stream);
    if (chain.isEmpty()) {
      return stream.getLength();
    }
    byte[] stage = null;
    for (int i = 0; i < chain.size(); i++) {
      COSName name = chain.get(i);
      InputStream in = stage == null ? stream.createRawInputStream() : new ByteArrayInputStream(stage);
      if (IMAGE_CODECS.contains(name)) {
        try (in) {
          return stage == null ? stream.getLength() : stage.length;
        }
      }
      boolean last = i == chain.size() - 1;
      Bounded out = new Bounded(last ? budget : Math.min(budget, settings.maxBytes()), !last);
      try (in) {
        FilterFactory.INSTANCE.getFilter(name).decode(in, out, stream, i);
      } catch (Bounded.Exceeded e) {
        return budget + 1;
      }
      if (last) {
        return out.count;
      }
      stage = out.bytes();
    }
    throw new IllegalStateException("unreachable: the chain's last stage returns");
  }

  private static List<COSName> filters(COSStream stream) {
    COSBase filters = stream.getFilters();
    if (filters instanceof COSName name) {
      return List.of(name);
    }
    List<COSName> names = new ArrayList<>();
    if (filters instanceof COSArray array) {
      for (int i = 0; i < array.size(); i++) {
        if (array.getObject(i) instanceof COSName name) {
          names.add(name);
        }
      }
    }
    return names;
  }

  /** Counts what a filter writes, keeps it when asked, and stops the filter once it passes {@code limit}. */
  private static final class Bounded extends OutputStream {
    /** Thrown into the filter's loop: the count has passed the limit, decode no more. */
    static final class Exceeded extends IOException {
      Exceeded() {
        super("decoded size over the limit");
      }
    }

    private final long limit;
    private final ByteArrayOutputStream kept;
    long count;

    Bounded(long limit, boolean keep) {
      this.limit = limit;
      this.kept = keep ? new ByteArrayOutputStream() : null;
    }

    @Override
    public void write(int b) throws IOException {
      count(1);
      if (kept != null) {
        kept.write(b);
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      count(len);
      if (kept != null) {
        kept.write(b, off, len);
      }
    }

    private void count(int n) throws Exceeded {
      count += n;
      if (count > limit) {
        throw new Exceeded();
      }
    }

    byte[] bytes() {
      return kept.toByteArray();
    }
  }
}
