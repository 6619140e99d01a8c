package uk.co.lchat.egress;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import uk.co.lchat.egress.composite.ProcessEnd;
import uk.co.lchat.media.control.TrackInfo;

/**
 * One track's FFmpeg: a managed process that reads the track's plain RTP on a loopback port described by an SDP
 * file, and either writes it to a WebM file without transcoding (Opus / VP8 copied: per-track recording,
 * {@link #start}) or decodes it onto its stdout for a composite ({@link #decode}: raw pictures or PCM, read by a
 * thread of its own). Stopped with 'q' on its stdin so it writes the file's index and duration; SIGTERM (which
 * FFmpeg also finishes cleanly on), then SIGKILL, if it does not exit in time.
 */
final class TrackRecorder {
  final TrackInfo track;
  /** The WebM it writes, or null for a decoder. */
  final Path file;
  final int port;
  /** Its stderr. */
  private final Path log;
  private final Process process;
  private volatile boolean stopping;
  private volatile boolean failed;
  private final long startedAtMillis = System.currentTimeMillis();
  /** When FFmpeg was first seen listening (epoch ms; 0: not yet): the file's media starts here. */
  private long listeningSinceMillis;
  /** When it was asked to stop (epoch ms; 0: not yet, or it died by itself). */
  private long stoppedAtMillis;

  private TrackRecorder(TrackInfo track, Path file, int port, Path log, Process process) {
    this.track = track;
    this.file = file;
    this.port = port;
    this.log = log;
    this.process = process;
  }

  /** Records {@code track} into the WebM {@code file} as it arrives. */
  static TrackRecorder start(EgressSettings settings, TrackInfo track, Path file) throws IOException {
    Path sdp = file.resolveSibling(file.getFileName() + ".sdp");
    int port = describe(track, sdp);
    List<String> cmd = new ArrayList<>(input(settings, sdp));
    cmd.addAll(List.of("-map", "0", "-c", "copy",
        // A cluster every second, flushed at once: if FFmpeg dies, the file holds everything up to the last second.
        "-cluster_time_limit", "1000", "-flush_packets", "1",
        "-f", "webm", "-y", file.toString()));
    Path log = file.resolveSibling(file.getFileName() + ".log");
    Process p = new ProcessBuilder(cmd)
        .redirectError(log.toFile())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    return new TrackRecorder(track, file, port, log, p);
  }

  /**
   * Decodes {@code track} with FFmpeg's {@code output} options onto its stdout, which {@code reader} reads on a
   * thread of its own until FFmpeg exits; {@code work} holds its SDP and log ({@code <name>.sdp}, {@code .log}).
   */
  static TrackRecorder decode(EgressSettings settings, TrackInfo track, Path work, String name, List<String> output,
                              Consumer<InputStream> reader) throws IOException {
    Path sdp = work.resolve(name + ".sdp");
    int port = describe(track, sdp);
    List<String> cmd = new ArrayList<>(input(settings, sdp));
    cmd.addAll(output);
    cmd.add("pipe:1");
    Path log = work.resolve(name + ".log");
    Process p = new ProcessBuilder(cmd)
        .redirectError(log.toFile())
        .start();
    Thread.ofPlatform().daemon().name("decode-" + track.trackId()).start(() -> {
      try (InputStream out = p.getInputStream()) {
        reader.accept(out);
      } catch (IOException | UncheckedIOException e) {
        // FFmpeg ended: its exit is what the recording hears
      }
    });
    return new TrackRecorder(track, null, port, log, p);
  }

  /** Writes the SDP file {@code sdp} that receives {@code track} on a free loopback port pair; returns the port. */
  private static int describe(TrackInfo track, Path sdp) throws IOException {
    int port = freePortPair();
    Files.createDirectories(sdp.getParent());
    Files.writeString(sdp, TrackSdp.describe(track, port));
    return port;
  }

  /** FFmpeg reading one track's RTP as the SDP file describes it (RFC 4566), reordering up to 128 packets. */
  private static List<String> input(EgressSettings settings, Path sdp) {
    return List.of(settings.ffmpeg(), "-hide_banner", "-nostats", "-loglevel", "warning",
        "-protocol_whitelist", "file,udp,rtp", "-reorder_queue_size", "128", "-i", sdp.toString());
  }

  /** An even port whose next port is free too (RTP and its RTCP, RFC 3550 §11). */
  private static int freePortPair() throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int port;
      try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort() & ~1;
      }
      if (port < 1024) {
        continue;
      }
      try (DatagramSocket a = new DatagramSocket(port, InetAddress.getLoopbackAddress());
           DatagramSocket b = new DatagramSocket(port + 1, InetAddress.getLoopbackAddress())) {
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IOException("no free UDP port pair on loopback");
  }

  /**
   * Whether FFmpeg has bound its RTP port yet: packets sent before are dropped by the kernel, so the router's sink
   * starts only then. Linux's socket table (/proc/net/udp) says; it costs one small read per check.
   */
  boolean listening() {
    if (listeningSinceMillis != 0) {
      return true;
    }
    String local = String.format(":%04X ", port);
    try (var lines = Files.lines(Path.of("/proc/net/udp"))) {
      if (lines.anyMatch(l -> {
        String[] f = l.trim().split("\\s+");
        return f.length > 1 && (f[1] + " ").endsWith(local);
      })) {
        listeningSinceMillis = System.currentTimeMillis();
        return true;
      }
    } catch (IOException | UncheckedIOException e) {
      // no socket table to read (not Linux): assume it listens once asked
      listeningSinceMillis = System.currentTimeMillis();
      return true;
    }
    return false;
  }

  long listeningSinceMillis() {
    return listeningSinceMillis;
  }

  long stoppedAtMillis() {
    return stoppedAtMillis;
  }

  long pid() {
    return process.pid();
  }

  boolean stopping() {
    return stopping;
  }

  /** When FFmpeg was started (epoch ms). */
  long startedAtMillis() {
    return startedAtMillis;
  }

  /** It is stopped because it failed (did not listen in time), not because the recording ended. */
  void failed() {
    failed = true;
  }

  boolean hasFailed() {
    return failed;
  }

  /** Its log says it could not write its file for want of space (ENOSPC). */
  boolean ranOutOfSpace() {
    return FfmpegLog.saysNoSpace(FfmpegLog.tail(log));
  }

  /** Completes with FFmpeg's exit code when it exits, for whatever reason. */
  CompletableFuture<Integer> exit() {
    return process.onExit().thenApply(Process::exitValue);
  }

  /** Asks FFmpeg to finish the file ('q'), escalating to SIGTERM and SIGKILL after {@code timeout} each. */
  void stop(java.time.Duration timeout) {
    if (!stopping) {
      stoppedAtMillis = System.currentTimeMillis();
    }
    stopping = true;
    if (!process.isAlive()) {
      return;
    }
    if (file == null) {
      ProcessEnd.terminate(process, timeout); // a decoder has no file to finalise: nothing to wait for
      return;
    }
    try (OutputStream in = process.getOutputStream()) {
      in.write("q".getBytes(StandardCharsets.US_ASCII));
      in.flush();
    } catch (IOException gone) {
      // it is exiting already
    }
    ProcessEnd.after(process, timeout);
  }
}
