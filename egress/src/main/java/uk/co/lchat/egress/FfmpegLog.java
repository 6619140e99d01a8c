package uk.co.lchat.egress;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** What a managed FFmpeg's log (its stderr, written to a file in the egress's directory) says about its end. */
final class FfmpegLog {
  /** Why FFmpeg stopped is at the end of its log: no more than this of it is read. */
  private static final int TAIL = 64 * 1024;
  /** strerror(ENOSPC), as FFmpeg prints a failed write ("av_interleaved_write_frame(): No space left on device"). */
  private static final String NO_SPACE = "No space left on device";

  private FfmpegLog() {}

  /** The last part of the log; empty when there is none to read. */
  static String tail(Path log) {
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
      long from = Math.max(0, f.length() - TAIL);
      byte[] bytes = new byte[(int) (f.length() - from)];
      f.seek(from);
      f.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** FFmpeg could not write for want of space. */
  static boolean saysNoSpace(String tail) {
    return tail.contains(NO_SPACE);
  }
}
