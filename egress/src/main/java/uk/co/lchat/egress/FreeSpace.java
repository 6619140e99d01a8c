package uk.co.lchat.egress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The recordings' storage against {@code lchat.egress.min-free-space}. A recording must keep room to finish: a
 * WebM's index, the last MP4 fragment and the egress's own index are written at its end, so a disk that fills up
 * completely leaves a file cut short and no index. Below the minimum no egress starts on the node, and those writing
 * there end while their files can still be finalised.
 */
final class FreeSpace {
  /** How often a recording that writes looks: at 1080p a composite writes about 0.6 MB a second. */
  static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);
  /**
   * So little left that a writer which failed most likely failed for want of space, whatever the minimum (0 too):
   * less than a second of a 1080p composite. Its log may not say so, since FFmpeg's log is on the same disk.
   */
  static final long NEARLY_NONE = 1L << 20;

  private final long minimum;
  /** Bytes this process may still write to the storage's file store, or -1 when that cannot be read. */
  private final LongSupplier usable;

  FreeSpace(long minimum, LongSupplier usable) {
    this.minimum = minimum;
    this.usable = usable;
  }

  /** The storage of {@code settings}, read from its file store at each question. */
  static FreeSpace of(EgressSettings settings) {
    Path storage = settings.storage().toAbsolutePath();
    return new FreeSpace(settings.minFreeSpace(), () -> usableSpace(storage));
  }

  /**
   * Bytes free for this process on the file store that holds {@code path}, or that will hold it (its nearest
   * existing ancestor: the storage is created with the first recording); -1 when none can be read.
   */
  static long usableSpace(Path path) {
    for (Path p = path; p != null; p = p.getParent()) {
      if (Files.exists(p)) {
        try {
          return Files.getFileStore(p).getUsableSpace();
        } catch (IOException e) {
          return -1;
        }
      }
    }
    return -1;
  }

  /**
   * Below the minimum: no egress starts, and those writing end. A store whose space cannot be read is not taken as
   * full: a writer that then runs out still ends as {@link #explainsFailure} says.
   */
  boolean low() {
    long free = usable.getAsLong();
    return free >= 0 && free < minimum;
  }

  /** Why no egress starts here now, for the caller; null when the storage has room. */
  String refusal() {
    long free = usable.getAsLong();
    if (free < 0 || free >= minimum) {
      return null;
    }
    return "The recordings' storage is nearly full: " + megabytes(free) + " free, under lchat.egress.min-free-space ("
        + megabytes(minimum) + "). No recording starts on this node until space is freed.";
  }

  /**
   * Whether an FFmpeg writing here that exited by itself most likely failed for want of space, though its log may
   * not say so (ENOSPC): the store is below the minimum, or nearly empty.
   */
  boolean explainsFailure() {
    long free = usable.getAsLong();
    return free >= 0 && (free < minimum || free < NEARLY_NONE);
  }

  /** Bytes left now (-1: unknown), for the log. */
  long free() {
    return usable.getAsLong();
  }

  static String megabytes(long bytes) {
    return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
  }
}
