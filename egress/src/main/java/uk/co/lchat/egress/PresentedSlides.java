package uk.co.lchat.egress;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import javax.imageio.ImageIO;

import org.apache.pdfbox.Loader;
import org.apache.pdfbox.io.IOUtils;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.rendering.ImageType;
import org.apache.pdfbox.rendering.PDFRenderer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import uk.co.lchat.egress.composite.Compositor;
import uk.co.lchat.egress.composite.Picture;
import uk.co.lchat.room.RoomProtocol.RecorderPresentation;

/**
 * The page a room presents, on a composite's stage: the document fetched from the node that holds it (with the
 * fetch key the room gave its recorder), kept in memory while it is presented, and each page drawn by PDFBox at the
 * stage's size, as pdf.js draws it in the meeting. Fetching and drawing take longer than a frame, so they happen on
 * a thread of their own, which only ever catches up with the newest state the room sent: a presenter paging fast
 * skips pages here as people's eyes do.
 */
final class PresentedSlides {
  private static final Logger log = LoggerFactory.getLogger(PresentedSlides.class);
  private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(20);
  /** The document key header the holding node checks (PresentationRoutes.DOCUMENT_KEY). */
  private static final String DOCUMENT_KEY = "Lchat-Document-Key";

  static {
    // PDFBox decodes a page's pictures through ImageIO, which would buffer them in temporary files.
    ImageIO.setUseCache(false);
  }

  private final Compositor compositor;
  private final int width;
  private final int height;
  private final ExecutorService worker = Executors.newSingleThreadExecutor(
      Thread.ofVirtual().name("composite-slides-", 0).factory());
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private volatile RecorderPresentation latest;
  /** The worker's own: the document it holds now (null: none), and which it is. */
  private PDDocument document;
  private String documentId;
  private int drawnPage;

  /** Pages are drawn to fit {@code width} x {@code height}: the stage's size. */
  PresentedSlides(Compositor compositor, int width, int height) {
    this.compositor = compositor;
    this.width = width;
    this.height = height;
  }

  void show(RecorderPresentation now) {
    latest = now;
    worker.execute(this::catchUp);
  }

  void close() {
    worker.execute(this::forget);
    worker.shutdown();
  }

  private void catchUp() {
    RecorderPresentation now = latest;
    if (now == null) {
      return;
    }
    if (now.documentId() == null) {
      forget();
      compositor.presentation(null, null);
      return;
    }
    if (!now.documentId().equals(documentId)) {
      forget();
      compositor.presentation(now.presenter(), null); // on stage at once, the page as soon as it is drawn
      documentId = now.documentId();
      document = fetch(now);
    }
    if (document != null && now.page() != drawnPage && now.page() >= 1
        && now.page() <= document.getNumberOfPages()) {
      try {
        compositor.presentation(now.presenter(), draw(now.page()));
        drawnPage = now.page();
      } catch (IOException | RuntimeException e) {
        log.warn("composite: page {} of {} could not be drawn: {}", now.page(), now.documentId(), e.toString());
        compositor.presentation(now.presenter(), null);
      }
    }
  }

  private PDDocument fetch(RecorderPresentation p) {
    try {
      HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(p.url())).timeout(FETCH_TIMEOUT)
          .header(DOCUMENT_KEY, p.fetchKey()).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        log.warn("composite: the presentation {} could not be fetched: HTTP {}", p.documentId(), r.statusCode());
        return null;
      }
      return Loader.loadPDF(r.body(), "", null, null, IOUtils.createMemoryOnlyStreamCache());
    } catch (IOException | RuntimeException e) {
      log.warn("composite: the presentation {} could not be fetched: {}", p.documentId(), e.toString());
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The page (1-based) as a picture that fits the stage, drawn at that size rather than scaled afterwards. */
  private Picture draw(int page) throws IOException {
    PDRectangle box = document.getPage(page - 1).getCropBox();
    boolean turned = document.getPage(page - 1).getRotation() % 180 != 0;
    float pageWidth = turned ? box.getHeight() : box.getWidth();
    float pageHeight = turned ? box.getWidth() : box.getHeight();
    float scale = Math.min(width / pageWidth, height / pageHeight);
    BufferedImage image = new PDFRenderer(document).renderImage(page - 1, scale, ImageType.RGB);
    int w = image.getWidth();
    int h = image.getHeight();
    if (w < 2 || h < 2) {
      return null; // a page a pixel wide: nothing to show
    }
    return Picture.fromRgb(image.getRGB(0, 0, w, h, null, 0, w), w, h);
  }

  private void forget() {
    if (document != null) {
      try {
        document.close();
      } catch (IOException e) {
        // memory only: nothing to leave behind
      }
    }
    document = null;
    documentId = null;
    drawnPage = 0;
  }
}
