package uk.co.lchat.egress.composite;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composite's encoder: FFmpeg as a managed process, fed raw pictures on its stdin and the mixed sound through a
 * named pipe, encoding once for its {@link Outputs} (a file, RTMP servers, HLS). A clock thread asks the
 * {@link Compositor} for a frame every 1/fps second; two writer threads feed FFmpeg's two inputs, each blocking on
 * its own. FFmpeg stamps what it reads with the wall
 * clock, so the file lasts as long as the recording ran and sound and picture stay together even when the machine
 * is too busy for every frame: then the clock skips pictures (counted as dropped, FFmpeg repeats the last one to
 * keep 30 a second) while the sound goes on.
 */
public final class CompositeEncoder {
  private static final Logger LOG = LoggerFactory.getLogger(CompositeEncoder.class);
  private static final byte[] END = new byte[0];
  /** How long FFmpeg may take to read the first picture before the log says that it has not. */
  private static final long FIRST_PICTURE_WARN_MILLIS = 10_000;

  private final Compositor compositor;
  private final FrameCounters counters;
  private final Process process;
  private final Path audioPipe;
  private final BlockingQueue<byte[]> freePictures = new ArrayBlockingQueue<>(4);
  private final BlockingQueue<byte[]> pictures = new ArrayBlockingQueue<>(4);
  /** Half a second of sound at most waits for FFmpeg; more is dropped (counted), so the sound never lags behind. */
  private final BlockingQueue<byte[]> sound = new ArrayBlockingQueue<>(15);
  private volatile long soundDropped;
  /** When FFmpeg took the first picture (epoch ms; 0 until then): the file's media starts here. */
  private volatile long startedAtMillis;
  private final java.util.concurrent.CountDownLatch firstPictureTaken = new java.util.concurrent.CountDownLatch(1);
  private volatile boolean stopping;
  private volatile long stoppedAtMillis;
  private volatile long dropped;
  private volatile long written;

  private CompositeEncoder(Compositor compositor, FrameCounters counters, Process process, Path audioPipe) {
    this.compositor = compositor;
    this.counters = counters;
    this.process = process;
    this.audioPipe = audioPipe;
    for (int i = 0; i < 4; i++) {
      freePictures.add(new byte[Picture.frameSize(compositor.width(), compositor.height())]);
    }
  }

  /**
   * Starts FFmpeg writing {@code file}; {@code work} holds the audio pipe and FFmpeg's log. {@code kbps}: the
   * video's peak bit rate.
   */
  public static CompositeEncoder start(String ffmpeg, Compositor compositor, Path file, Path work, int kbps)
      throws IOException {
    return start(ffmpeg, compositor, Outputs.file(file), work, kbps, new FrameCounters());
  }

  /**
   * Starts FFmpeg writing to {@code outputs}; {@code work} holds the audio pipe and FFmpeg's log. What it does with
   * its frames is added to {@code counters}, which other encoders may share.
   */
  public static CompositeEncoder start(String ffmpeg, Compositor compositor, Outputs outputs, Path work, int kbps,
                                       FrameCounters counters) throws IOException {
    Files.createDirectories(work);
    if (outputs.file() != null) {
      Files.createDirectories(outputs.file().toAbsolutePath().getParent());
    }
    if (outputs.hlsDirectory() != null) {
      Files.createDirectories(outputs.hlsDirectory());
    }
    Path pipe = work.resolve("mix.pcm");
    Files.deleteIfExists(pipe);
    mkfifo(pipe);
    // Both inputs are raw with every parameter given, so nothing is probed: FFmpeg opens its inputs one after the
    // other, and probing the first for seconds would hold the second (and with it our clock) waiting.
    List<String> cmd = new ArrayList<>(List.of(ffmpeg, "-hide_banner", "-nostats", "-loglevel", "warning",
        "-probesize", "32", "-analyzeduration", "0", "-use_wallclock_as_timestamps", "1",
        "-thread_queue_size", "64", "-f", "rawvideo", "-pix_fmt", "yuv420p",
        "-video_size", compositor.width() + "x" + compositor.height(), "-framerate", "" + compositor.fps(),
        "-i", "pipe:0",
        "-probesize", "32", "-analyzeduration", "0", "-use_wallclock_as_timestamps", "1",
        "-thread_queue_size", "512", "-f", "s16le", "-ar", "" + compositor.sampleRate(), "-ac", "1",
        "-i", pipe.toString(),
        "-map", "0:v", "-map", "1:a", "-fps_mode", "cfr", "-r", "" + compositor.fps(),
        // Sound stamped by arrival jitters by milliseconds: resampled to stay continuous and on time.
        "-af", "aresample=async=1000:first_pts=0"));
    cmd.addAll(outputs.codecArgs(kbps, compositor.fps()));
    cmd.addAll(outputs.ffmpegArgs());
    Process p = new ProcessBuilder(cmd)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(work.resolve("encoder.log").toFile())
        .start();
    CompositeEncoder encoder = new CompositeEncoder(compositor, counters, p, pipe);
    encoder.run();
    return encoder;
  }

  private static void mkfifo(Path pipe) throws IOException {
    try {
      Process mk = new ProcessBuilder("mkfifo", "-m", "600", pipe.toString()).redirectErrorStream(true).start();
      if (mk.waitFor() != 0) {
        throw new IOException("mkfifo " + pipe + ": " + new String(mk.getInputStream().readAllBytes()).trim());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted creating " + pipe, e);
    }
  }

  private void run() {
    Thread.ofPlatform().daemon().name("composite-clock").start(this::clock);
    Thread.ofPlatform().daemon().name("composite-video").start(() -> feed(pictures, process.getOutputStream(), true));
    Thread.ofPlatform().daemon().name("composite-audio").start(() -> {
      try {
        feed(sound, Files.newOutputStream(audioPipe), false); // opens once FFmpeg opens its end
      } catch (IOException e) {
        process.destroy();
      }
    });
    // If FFmpeg dies before it opened the pipe, opening it read-write (which never blocks on Linux) frees the
    // audio writer, which would otherwise wait for a reader forever.
    process.onExit().thenRun(() -> {
      stopping = true;
      try (RandomAccessFile unblock = new RandomAccessFile(audioPipe.toFile(), "rw")) {
        // opened and closed
      } catch (IOException ignored) {
        // gone already
      }
    });
  }

  /**
   * The clock's thread: a frame every 1/fps s until the recording stops. Should drawing ever throw, the recording
   * must not go on without pictures while FFmpeg waits for them: FFmpeg is stopped, which ends the recording with
   * its reason (encoder_failed) and what it wrote so far.
   */
  private void clock() {
    try {
      runFrames();
    } catch (RuntimeException | Error e) {
      LOG.error("composite encoder {}: the clock failed, stopping FFmpeg", process.pid(), e);
      stopping = true;
      process.destroy();
      throw e;
    }
  }

  private void runFrames() {
    long frameNanos = 1_000_000_000L / compositor.fps();
    try {
      // FFmpeg stamps what it reads by the wall clock from its first read, and may take seconds to start on a busy
      // machine: the clock starts once it has taken the first picture, so no frame waits in a pipe meanwhile.
      pictures.put(compositor.nextFrame(true).picture().clone());
      long asked = System.currentTimeMillis();
      boolean warned = false;
      while (!stopping && !firstPictureTaken.await(100, TimeUnit.MILLISECONDS)) {
        if (!warned && System.currentTimeMillis() - asked > FIRST_PICTURE_WARN_MILLIS) {
          warned = true;
          LOG.warn("composite encoder {}: FFmpeg has not read its first picture in {} s (alive: {})", process.pid(),
              FIRST_PICTURE_WARN_MILLIS / 1000, process.isAlive());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    long start = System.nanoTime();
    startedAtMillis = System.currentTimeMillis();
    try {
      for (long n = 0; !stopping; n++) {
        long late = System.nanoTime() - (start + n * frameNanos);
        if (late < 0) {
          LockSupport.parkNanos(-late);
        }
        boolean draw = late < 2 * frameNanos; // more than two frames behind: skip the picture, keep the sound
        long began = System.nanoTime();
        Compositor.Frame frame = compositor.nextFrame(draw);
        // First, and never waiting: FFmpeg stamps what it reads by the wall clock, so sound that queued here would
        // come out late.
        if (!sound.offer(frame.audio().clone())) {
          soundDropped++;
          counters.soundDropped();
        }
        if (!draw) {
          dropped++;
          counters.pictureDropped();
          continue;
        }
        byte[] picture = null;
        while (picture == null && !stopping) {
          picture = freePictures.poll(100, TimeUnit.MILLISECONDS);
        }
        if (picture == null) {
          break;
        }
        System.arraycopy(frame.picture(), 0, picture, 0, picture.length);
        pictures.put(picture);
        written++;
        // Waiting for a free buffer included: an FFmpeg that reads slowly costs the clock as much as drawing does.
        counters.encoded(System.nanoTime() - began);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      stoppedAtMillis = System.currentTimeMillis();
      // What FFmpeg has not read yet would be stamped after the stop: the file ends with the clock instead.
      pictures.clear();
      sound.clear();
      pictures.offer(END);
      sound.offer(END);
    }
  }

  /** Writes what the clock queues to one of FFmpeg's inputs, and closes it at the end (FFmpeg's end of input). */
  private void feed(BlockingQueue<byte[]> queue, OutputStream out, boolean returnsBuffers) {
    try (out) {
      for (byte[] chunk = queue.take(); chunk != END; chunk = queue.take()) {
        out.write(chunk);
        if (returnsBuffers) {
          out.flush();
          firstPictureTaken.countDown();
          freePictures.offer(chunk); // the first picture is a copy of its own: dropped when the pool is full
        }
      }
    } catch (IOException | InterruptedException e) {
      stopping = true; // FFmpeg is gone: its exit ends the recording
    }
  }

  /** Completes with FFmpeg's exit code when it exits, for whatever reason. */
  public CompletableFuture<Integer> exit() {
    return process.onExit().thenApply(Process::exitValue);
  }

  /**
   * Ends the recording: the clock stops, both inputs end, FFmpeg finalises the file; SIGTERM, then SIGKILL, after
   * {@code timeout} each if it does not exit.
   */
  public void stop(Duration timeout) {
    stopping = true;
    ProcessEnd.after(process, timeout);
  }

  public long pid() {
    return process.pid();
  }

  public long startedAtMillis() {
    return startedAtMillis;
  }

  /** When the clock stopped (epoch ms), 0 while it runs. */
  public long stoppedAtMillis() {
    return stoppedAtMillis;
  }

  /** Pictures written so far. */
  public long framesWritten() {
    return written;
  }

  /** Pictures skipped because the clock was more than two frames late. */
  public long framesDropped() {
    return dropped;
  }

  /** Frames of sound dropped because FFmpeg read them too slowly. */
  public long soundFramesDropped() {
    return soundDropped;
  }
}
