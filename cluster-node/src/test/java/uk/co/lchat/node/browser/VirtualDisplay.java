package uk.co.lchat.node.browser;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A virtual X display (Debian's Xvfb) for a browser that needs a screen: headless Firefox has none, so its
 * getDisplayMedia finds nothing to capture. Xvfb picks a free display number itself ({@code -displayfd}: it writes
 * the number it took once it accepts clients) and listens only on its Unix socket, which a process in a network
 * namespace reaches through the file system.
 */
public final class VirtualDisplay implements AutoCloseable {
  private static final String BINARY = "/usr/bin/Xvfb";

  private final Process process;
  private final int number;

  private VirtualDisplay(Process process, int number) {
    this.process = process;
    this.number = number;
  }

  public static boolean available() {
    return Files.isExecutable(Path.of(BINARY));
  }

  /** Starts a 1280x720 display at 24 bits and waits until it accepts clients. */
  public static VirtualDisplay start() throws IOException, InterruptedException {
    Process p = new ProcessBuilder(BINARY, "-displayfd", "1", "-screen", "0", "1280x720x24", "-nolisten", "tcp",
        "-noreset")
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
      try {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII)).readLine();
      } catch (IOException e) {
        return null;
      }
    });
    try {
      String number = line.get(30, TimeUnit.SECONDS);
      if (number == null || !number.trim().matches("\\d+")) {
        throw new IOException("Xvfb did not say which display it took: " + number);
      }
      return new VirtualDisplay(p, Integer.parseInt(number.trim()));
    } catch (ExecutionException | TimeoutException | IOException e) {
      p.destroyForcibly();
      throw new IOException("Xvfb did not start: " + e.getMessage(), e);
    }
  }

  /** The value of DISPLAY for clients of this display. */
  public String display() {
    return ":" + number;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
