package uk.co.lchat.node.presentation;

import com.typesafe.config.Config;

/**
 * {@code lchat.presentation}: what a node takes as a presented document. {@code maxBytes}: the largest upload;
 * {@code maxPages}: the most pages; {@code maxDecodedBytes}: the most its compressed streams may expand to (a PDF
 * bomb expands a small file into gigabytes in every browser that renders it).
 */
public record PresentationSettings(long maxBytes, int maxPages, long maxDecodedBytes) {
  public PresentationSettings {
    if (maxBytes < 1 || maxBytes > Integer.MAX_VALUE - 8 || maxPages < 1 || maxDecodedBytes < maxBytes) {
      throw new IllegalArgumentException("lchat.presentation: max-bytes is 1 byte to 2 GiB, max-pages at least 1,"
          + " max-decoded-bytes at least max-bytes");
    }
  }

  public static PresentationSettings fromConfig(Config root) {
    Config c = root.getConfig("lchat.presentation");
    return new PresentationSettings(c.getBytes("max-bytes"), c.getInt("max-pages"),
        c.getBytes("max-decoded-bytes"));
  }
}
