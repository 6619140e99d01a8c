package uk.co.lchat.node.presentation;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.pdfbox.cos.COSDictionary;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.filter.FilterFactory;

/** Small PDFs built by hand for tests (ISO 32000-1 §7.5: objects, a cross-reference table, a trailer). */
public final class TestPdfs {
  private TestPdfs() {}

  /** A PDF of {@code pages} pages, each showing "Page n" in large letters. */
  public static byte[] pages(int pages) {
    List<byte[]> objects = new ArrayList<>();
    StringBuilder kids = new StringBuilder();
    for (int i = 0; i < pages; i++) {
      kids.append(4 + 2 * i).append(" 0 R ");
    }
    objects.add(ascii("<< /Type /Catalog /Pages 2 0 R >>"));
    objects.add(ascii("<< /Type /Pages /Kids [" + kids + "] /Count " + pages + " >>"));
    objects.add(ascii("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"));
    for (int i = 0; i < pages; i++) {
      objects.add(ascii("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 300] /Contents " + (5 + 2 * i)
          + " 0 R /Resources << /Font << /F1 3 0 R >> >> >>"));
      objects.add(stream("", ascii("BT /F1 64 Tf 60 120 Td (Page " + (i + 1) + ") Tj ET")));
    }
    return document(objects);
  }

  /** A one-page PDF of about {@code bytes} bytes: its content stream is padded with spaces, uncompressed. */
  public static byte[] ofSize(int bytes) {
    byte[] content = new byte[bytes];
    java.util.Arrays.fill(content, (byte) ' ');
    List<byte[]> objects = new ArrayList<>();
    objects.add(ascii("<< /Type /Catalog /Pages 2 0 R >>"));
    objects.add(ascii("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"));
    objects.add(ascii("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 300] /Contents 4 0 R >>"));
    objects.add(stream("", content));
    return document(objects);
  }

  /** A one-page PDF whose content stream is {@code inflatedBytes} of spaces, Flate-compressed (a bomb). */
  public static byte[] bomb(long inflatedBytes) {
    return bomb(inflatedBytes, COSName.FLATE_DECODE);
  }

  /**
   * A one-page PDF whose content stream is {@code decodedBytes} of spaces encoded by {@code chain} (the first filter
   * is the one a reader undoes first, ISO 32000-1 §7.3.8.2), encoded with PDFBox's own encoders.
   */
  public static byte[] bomb(long decodedBytes, COSName... chain) {
    byte[] data = spaces(decodedBytes);
    for (int i = chain.length - 1; i >= 0; i--) {
      data = encode(chain[i], data);
    }
    StringBuilder filters = new StringBuilder("/Filter [");
    for (COSName name : chain) {
      filters.append(" /").append(name.getName());
    }
    List<byte[]> objects = new ArrayList<>();
    objects.add(ascii("<< /Type /Catalog /Pages 2 0 R >>"));
    objects.add(ascii("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"));
    objects.add(ascii("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 300] /Contents 4 0 R >>"));
    objects.add(stream(filters.append(" ] ").toString(), data));
    return document(objects);
  }

  /** A one-page PDF whose content stream is {@code data} as it is, under the stream dictionary's {@code filter}. */
  public static byte[] withFilter(String filter, byte[] data) {
    List<byte[]> objects = new ArrayList<>();
    objects.add(ascii("<< /Type /Catalog /Pages 2 0 R >>"));
    objects.add(ascii("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"));
    objects.add(ascii("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 300] /Contents 4 0 R >>"));
    objects.add(stream(filter, data));
    return document(objects);
  }

  private static byte[] spaces(long n) {
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("at most 2 GiB of spaces");
    }
    byte[] b = new byte[(int) n];
    java.util.Arrays.fill(b, (byte) ' ');
    return b;
  }

  private static byte[] encode(COSName filter, byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      FilterFactory.INSTANCE.getFilter(filter).encode(new java.io.ByteArrayInputStream(data), out,
          new COSDictionary(), 0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }

  private static byte[] stream(String dictionary, byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(ascii("<< " + dictionary + "/Length " + data.length + " >>\nstream\n"));
    out.writeBytes(data);
    out.writeBytes(ascii("\nendstream"));
    return out.toByteArray();
  }

  private static byte[] document(List<byte[]> objects) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(ascii("%PDF-1.4\n"));
    long[] offsets = new long[objects.size()];
    for (int i = 0; i < objects.size(); i++) {
      offsets[i] = out.size();
      out.writeBytes(ascii((i + 1) + " 0 obj\n"));
      out.writeBytes(objects.get(i));
      out.writeBytes(ascii("\nendobj\n"));
    }
    long xref = out.size();
    StringBuilder table = new StringBuilder("xref\n0 " + (objects.size() + 1) + "\n0000000000 65535 f \n");
    for (long offset : offsets) {
      table.append(String.format("%010d 00000 n \n", offset));
    }
    table.append("trailer\n<< /Size ").append(objects.size() + 1).append(" /Root 1 0 R >>\nstartxref\n")
        .append(xref).append("\n%%EOF\n");
    out.writeBytes(ascii(table.toString()));
    return out.toByteArray();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
