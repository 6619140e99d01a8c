package uk.co.lchat.node.presentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;

import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.junit.jupiter.api.Test;

class ImageDeckTest {
  private static final long MIB = 1024 * 1024;
  private final ImageDeck deck = new ImageDeck(new PresentationSettings(4 * MIB, 5, 64 * MIB, 8 * MIB));

  private static PdfCheck.Verdict.Refused refused(PdfCheck.Verdict v) {
    return assertInstanceOf(PdfCheck.Verdict.Refused.class, v);
  }

  @Test
  void aPngAndAJpegBecomeAPdfOfTwoPagesEachTheSizeOfItsPicture() throws Exception {
    PdfCheck.Verdict v = deck.assemble(List.of(TestPictures.slide(1, 640, 360, "png"),
        TestPictures.slide(2, 800, 600, "jpg")));
    PdfCheck.Verdict.Made made = assertInstanceOf(PdfCheck.Verdict.Made.class, v);
    assertEquals(2, made.pages());
    try (PDDocument pdf = Loader.loadPDF(made.pdf())) {
      assertEquals(2, pdf.getNumberOfPages());
      assertEquals(640, pdf.getPage(0).getMediaBox().getWidth(), 0.01);
      assertEquals(360, pdf.getPage(0).getMediaBox().getHeight(), 0.01);
      assertEquals(800, pdf.getPage(1).getMediaBox().getWidth(), 0.01);
    }
    // What the node made passes the node's own PDF check.
    assertEquals(new PdfCheck.Verdict.Pdf(2),
        new PdfCheck(new PresentationSettings(4 * MIB, 5, 64 * MIB, 8 * MIB)).check(made.pdf()));
  }

  @Test
  void somethingThatIsNoPictureAmongThePicturesIsRefusedByNumber() {
    PdfCheck.Verdict.Refused r = refused(deck.assemble(List.of(TestPictures.slide(1, 64, 64, "png"),
        "GIF89a, or so it says".getBytes(java.nio.charset.StandardCharsets.US_ASCII))));
    assertEquals(415, r.status());
    assertEquals("not_an_image", r.code());
    assertTrue(r.message().startsWith("Picture 2 "), r.message());
  }

  @Test
  void aSmallPngThatClaimsHugeDimensionsIsRefusedBeforeAnyPixelIsDecoded() {
    byte[] liar = TestPictures.pngClaiming(100_000, 100_000);
    assertTrue(liar.length < 100);
    PdfCheck.Verdict.Refused r = refused(deck.assemble(List.of(liar)));
    assertEquals("image_too_large", r.code());
    assertTrue(r.message().contains("100000 x 100000"), r.message());
  }

  @Test
  void picturesThatTogetherWouldDecodePastTheBudgetAreRefused() {
    // 64 MiB as RGBA is 16.7 million pixels: three 3000 x 2000 slides are 18 million.
    byte[] big = TestPictures.pngClaiming(3000, 2000);
    assertEquals("image_too_large", refused(deck.assemble(List.of(big, big, big))).code());
  }

  @Test
  void aPictureCutShortIsRefusedAsDamaged() {
    byte[] whole = TestPictures.slide(1, 320, 180, "png");
    byte[] cut = java.util.Arrays.copyOf(whole, whole.length / 2);
    assertEquals("bad_image", refused(deck.assemble(List.of(cut))).code());
  }

  @Test
  void moreSlidesThanPagesAllowedAreRefusedAndNoneAtAllIsAClearError() {
    byte[] one = TestPictures.slide(1, 32, 32, "png");
    assertEquals("too_many_pages", refused(deck.assemble(Collections.nCopies(6, one))).code());
    assertEquals("no_images", refused(deck.assemble(List.of())).code());
  }
}
