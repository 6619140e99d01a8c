package uk.co.lchat.node.presentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.pdfbox.cos.COSName;
import org.junit.jupiter.api.Test;

class PdfCheckTest {
  private static final long MIB = 1024 * 1024;
  /** Uploads up to 1 MiB whose streams may decode to 4 MiB in all. */
  private final PdfCheck check = new PdfCheck(new PresentationSettings(MIB, 50, 4 * MIB, 8 * MIB));

  private static String refusal(PdfCheck.Verdict v) {
    return assertInstanceOf(PdfCheck.Verdict.Refused.class, v).code();
  }

  @Test
  void aSmallPdfOfThreePagesIsAPresentation() {
    assertEquals(new PdfCheck.Verdict.Pdf(3), check.check(TestPdfs.pages(3)));
  }

  @Test
  void compressedContentThatStaysUnderTheLimitIsAccepted() {
    for (COSName filter : new COSName[] {COSName.FLATE_DECODE, COSName.LZW_DECODE, COSName.RUN_LENGTH_DECODE}) {
      byte[] pdf = TestPdfs.bomb(MIB, filter);
      assertEquals(new PdfCheck.Verdict.Pdf(1), check.check(pdf), filter.getName());
    }
  }

  @Test
  void aFlateBombIsRefused() {
    byte[] bomb = TestPdfs.bomb(64 * MIB, COSName.FLATE_DECODE);
    assertTrue(bomb.length < MIB, "fits under the upload limit: " + bomb.length);
    assertEquals("pdf_bomb", refusal(check.check(bomb)));
  }

  @Test
  void anLzwBombIsRefusedAsAFlateOneIs() {
    // 6 MiB is past the 4 MiB budget (PDFBox's LZW encoder, which builds the test file, is slow on more).
    byte[] bomb = TestPdfs.bomb(6 * MIB, COSName.LZW_DECODE);
    assertTrue(bomb.length < MIB, "fits under the upload limit: " + bomb.length);
    assertEquals("pdf_bomb", refusal(check.check(bomb)));
  }

  @Test
  void aBombBehindAnotherFilterOfTheChainIsRefused() {
    // ASCIIHex first, Flate second: the expansion happens in the chain's last stage.
    byte[] bomb = TestPdfs.bomb(64 * MIB, COSName.ASCII_HEX_DECODE, COSName.FLATE_DECODE);
    assertTrue(bomb.length < MIB, "fits under the upload limit: " + bomb.length);
    assertEquals("pdf_bomb", refusal(check.check(bomb)));
  }

  @Test
  void aStageThatFeedsAnotherIsHeldOnlyUpToTheLargestUpload() {
    // Flate first, ASCIIHex second: the first stage would hold 16 MiB of hex text for 8 MiB of content. It stops
    // at 1 MiB (the upload limit) however large the budget for the last stage.
    byte[] pdf = TestPdfs.bomb(8 * MIB, COSName.FLATE_DECODE, COSName.ASCII_HEX_DECODE);
    assertTrue(pdf.length < MIB, "fits under the upload limit: " + pdf.length);
    PdfCheck roomy = new PdfCheck(new PresentationSettings(MIB, 50, 64 * MIB, 8 * MIB));
    assertEquals("pdf_bomb", refusal(roomy.check(pdf)));
  }

  @Test
  void aStreamUnderAFilterNoReaderKnowsIsRefusedAsUnreadable() {
    byte[] pdf = TestPdfs.withFilter("/Filter /NoSuchDecode ", new byte[1024]);
    assertEquals("bad_pdf", refusal(check.check(pdf)));
  }

  @Test
  void bytesThatDoNotStartAsAPdfAreNotOne() {
    assertEquals("not_a_pdf", refusal(check.check(new byte[] {(byte) 0x89, 'P', 'N', 'G'})));
  }
}
