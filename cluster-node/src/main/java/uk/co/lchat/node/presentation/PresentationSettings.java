package uk.co.lchat.node.presentation;

import java.time.Duration;

import com.typesafe.config.Config;

/**
 * {@code lchat.presentation}: what a node takes as a presented document. {@code maxBytes}: the largest upload;
 * {@code maxPages}: the most pages; {@code maxDecodedBytes}: the most its compressed streams may expand to (a PDF
 * bomb expands a small file into gigabytes in every browser that renders it); {@code maxTotalBytes}: what the node
 * holds at most, documents presented and uploads on their way together (many rooms, or one member's flood of
 * uploads, must not take the heap the meetings need); {@code sweepInterval}: how often the node asks the rooms of
 * the documents it holds whether they still present them (a room can end without its word reaching the node).
 */
public record PresentationSettings(long maxBytes, int maxPages, long maxDecodedBytes, long maxTotalBytes,
                                   Duration sweepInterval) {
  /** With the default sweep interval. */
  public PresentationSettings(long maxBytes, int maxPages, long maxDecodedBytes, long maxTotalBytes) {
    this(maxBytes, maxPages, maxDecodedBytes, maxTotalBytes, Duration.ofMinutes(1));
  }

  public PresentationSettings {
    if (sweepInterval.isNegative() || sweepInterval.isZero()) {
      throw new IllegalArgumentException("lchat.presentation.sweep-interval must be positive");
    }
    if (maxBytes < 1 || maxBytes > Integer.MAX_VALUE - 8 || maxPages < 1 || maxDecodedBytes < maxBytes
        || maxTotalBytes < maxBytes) {
      throw new IllegalArgumentException("lchat.presentation: max-bytes is 1 byte to 2 GiB, max-pages at least 1,"
          + " max-decoded-bytes and max-total-bytes at least max-bytes");
    }
  }

  public static PresentationSettings fromConfig(Config root) {
    Config c = root.getConfig("lchat.presentation");
    return new PresentationSettings(c.getBytes("max-bytes"), c.getInt("max-pages"),
        c.getBytes("max-decoded-bytes"), c.getBytes("max-total-bytes"), c.getDuration("sweep-interval"));
  }
}
