package uk.co.lchat.loadtest;

import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Media that really decodes, for a simulated publisher: Debian's {@code ffmpeg} generates a moving test picture
 * and a sine tone in real time, encodes them as a browser would send them (VP8 at about 500 kbit/s, Opus in 20 ms
 * frames) and sends each as plain RTP to a loopback port of ours; a thread per stream hands every datagram to the
 * {@link Listener}. Instances differ by their index: another hue of the picture, another pitch of the tone. The
 * first packets, a keyframe's, come a quarter of a second or so after the start. A
 * {@linkplain #screen(int, Path) screen} sends a shared screen's video alone instead: one strong colour, easy to
 * find in a recording. A {@linkplain #looping looping} instance costs almost nothing: it sends a clip encoded once
 * ({@link #encodeClip}) over and over, as it is, at its own rate.
 */
final class FfmpegMedia implements AutoCloseable {
  /**
   * The tone's RFC 6464 level: FFmpeg's sine source has amplitude 1/8 (-18 dBFS peak), an RMS of -21 dBov. FFmpeg
   * sends no audio level extension, so whoever relays its packets states this one (talkers in
   * {@link SyntheticMedia} send 20).
   */
  static final int TONE_LEVEL = 21;
  /**
   * A screen's colour, RGB (224, 48, 48); in BT.601 limited-range YUV about (102, 102, 205). It fills the picture
   * but for a small white box moving along its top (y 40 to 100 of 720), so that frames still change. On the stage
   * of a composite recording (VP8, then H.264, back to RGB) it reads about (222, 47, 47).
   */
  static final int SCREEN_RGB = 0xE03030;
  /** A screen's picture: 720p at 15 frames/s, as browsers capture a screen. */
  static final int SCREEN_WIDTH = 1280;
  static final int SCREEN_HEIGHT = 720;
  private static final int SCREEN_FPS = 15;
  /** FFmpeg's RTP packets are at most this long, header included: room for our extensions and SRTP tag in an MTU. */
  private static final int PACKET_SIZE = 1200;
  /** How long FFmpeg gets to stop when asked (SIGTERM), and again once killed; it needs well under a second. */
  private static final long STOP_SECONDS = 3;

  /** Sees every RTP packet FFmpeg sent, on that stream's reader thread; the buffer is reused for the next one. */
  interface Listener {
    void packet(boolean video, byte[] packet, int length);
  }

  private final int index;
  private final boolean screen;
  /** The clip a looping instance sends, null for one that encodes live. */
  private final Path clip;
  private final DatagramSocket videoSocket;
  /** Null for a screen, which sends no sound; so is its reader. */
  private final DatagramSocket audioSocket;
  private final Process ffmpeg;
  private final Thread videoReader;
  private final Thread audioReader;
  private volatile Listener listener;

  /** Starts FFmpeg for instance {@code index}, its own output discarded. */
  FfmpegMedia(int index) throws IOException {
    this(index, false, null, Redirect.DISCARD);
  }

  /** Starts FFmpeg for instance {@code index}, its warnings and errors appended to {@code log}. */
  FfmpegMedia(int index, Path log) throws IOException {
    this(index, false, null, Redirect.appendTo(log.toFile()));
  }

  /**
   * Starts FFmpeg sending a shared screen's video, no sound: {@link #SCREEN_WIDTH} x {@link #SCREEN_HEIGHT} of
   * {@link #SCREEN_RGB} at 15 frames/s, whatever the index (which names its thread); warnings and errors appended
   * to {@code log}.
   */
  static FfmpegMedia screen(int index, Path log) throws IOException {
    return new FfmpegMedia(index, true, null, Redirect.appendTo(log.toFile()));
  }

  /**
   * Writes {@code clip}: {@code seconds} of instance {@code index}'s picture and tone, encoded as its camera's are
   * sent, for {@link #looping} instances to send; waits until FFmpeg has written it (about a fifth of its length on
   * an idle core), its warnings and errors appended to {@code log}. NUT, FFmpeg's own container, keeps the exact
   * timestamps (WebM's are whole milliseconds: a 30 frames/s picture would step by 33 and 34 ms). The first frame is
   * a keyframe, as every thirtieth is, so each pass of a loop starts with one.
   */
  static void encodeClip(int index, int seconds, Path clip, Path log) throws IOException, InterruptedException {
    if (index < 0 || seconds < 1) {
      throw new IllegalArgumentException("a clip of instance " + index + " lasting " + seconds + " s");
    }
    List<String> command = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "warning",
        "-y"));
    command.addAll(cameraInputs(index, false));
    command.addAll(List.of("-t", Integer.toString(seconds), "-map", "0:v"));
    command.addAll(vp8Codec(30));
    command.addAll(List.of("-map", "1:a"));
    command.addAll(opusCodec());
    command.addAll(List.of("-f", "nut", clip.toString()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(Redirect.appendTo(log.toFile()))
        .start();
    if (!p.waitFor(20L * seconds + 60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("FFmpeg did not write " + clip + " in time; see " + log);
    }
    if (p.exitValue() != 0 || !Files.isRegularFile(clip)) {
      throw new IOException("FFmpeg could not write " + clip + " (exit " + p.exitValue() + "); see " + log);
    }
  }

  /**
   * Starts FFmpeg sending {@code clip} (from {@link #encodeClip}) over and over at its own rate, copied, not
   * encoded again: a publisher that costs about a hundredth of a core, where one encoding live costs about a sixth
   * (0.006-0.010 and 0.16 of a core measured on the 2-core machine, 2026-12-03). Across a loop point
   * the stream goes on as one: FFmpeg's RTP muxer numbers its packets on (RFC 3550 §5.1), and {@code -stream_loop}
   * moves each pass's timestamps on by the clip's length, so a receiver sees one frame after another (a tick or
   * three more than a frame apart where the clip starts again), a keyframe first (the clip's first frame).
   * Warnings and errors are appended to {@code log}; {@code index} names its threads.
   */
  static FfmpegMedia looping(int index, Path clip, Path log) throws IOException {
    if (!Files.isRegularFile(clip)) {
      throw new IOException("no clip at " + clip + ": FfmpegMedia.encodeClip writes one");
    }
    return new FfmpegMedia(index, false, clip, Redirect.appendTo(log.toFile()));
  }

  private FfmpegMedia(int index, boolean screen, Path clip, Redirect output) throws IOException {
    if (index < 0) {
      throw new IllegalArgumentException("an instance index is 0 or more, not " + index);
    }
    this.index = index;
    this.screen = screen;
    this.clip = clip;
    InetAddress loopback = InetAddress.getLoopbackAddress();
    // Bound before FFmpeg starts, so its first packets have somewhere to go.
    videoSocket = new DatagramSocket(new InetSocketAddress(loopback, 0));
    audioSocket = screen ? null : new DatagramSocket(new InetSocketAddress(loopback, 0));
    String host = loopback.getHostAddress();
    try {
      ffmpeg = new ProcessBuilder(screen ? screenCommand(host, videoSocket.getLocalPort())
          : clip != null ? loopCommand(host, videoSocket.getLocalPort(), audioSocket.getLocalPort())
          : cameraCommand(host, videoSocket.getLocalPort(), audioSocket.getLocalPort()))
          .redirectErrorStream(true)
          .redirectOutput(output) // never a pipe that nobody reads and that blocks FFmpeg when full
          .start();
    } catch (IOException e) {
      closeSockets();
      throw e;
    }
    videoReader = reader(videoSocket, true);
    audioReader = screen ? null : reader(audioSocket, false);
  }

  private List<String> cameraCommand(String host, int videoPort, int audioPort) {
    List<String> command = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "warning"));
    command.addAll(cameraInputs(index, true));
    command.addAll(List.of("-map", "0:v"));
    command.addAll(vp8(30, host, videoPort));
    command.add("-map");
    command.add("1:a");
    command.addAll(opusCodec());
    command.addAll(rtp(host, audioPort));
    return command;
  }

  /** The clip, looped without end (-stream_loop -1) and read at its own rate (-re); each stream copied to RTP. */
  private List<String> loopCommand(String host, int videoPort, int audioPort) {
    List<String> command = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "warning",
        "-stream_loop", "-1", "-re", "-i", clip.toString(), "-map", "0:v", "-c:v", "copy"));
    command.addAll(rtp(host, videoPort));
    command.addAll(List.of("-map", "0:a", "-c:a", "copy"));
    command.addAll(rtp(host, audioPort));
    return command;
  }

  /**
   * Instance {@code index}'s moving picture (input 0) and tone (input 1); {@code live}: at their own rate (-re), as
   * a camera and a microphone deliver, else as fast as FFmpeg encodes them.
   */
  private static List<String> cameraInputs(int index, boolean live) {
    List<String> inputs = new ArrayList<>();
    for (String source : List.of("testsrc2=size=640x360:rate=30,hue=h=" + hue(index),
        "sine=frequency=" + toneHz(index) + ":sample_rate=48000")) {
      if (live) {
        inputs.add("-re");
      }
      inputs.addAll(List.of("-f", "lavfi", "-i", source));
    }
    return inputs;
  }

  /** Opus as a browser sends it in a call: 48 kHz, 48 kbit/s, 20 ms frames. */
  private static List<String> opusCodec() {
    return List.of("-c:a", "libopus", "-ar", "48000", "-b:a", "48k", "-frame_duration", "20", "-application", "audio");
  }

  /** One colour, and a white box crossing the top in 7.5 s: mostly still, as a shared document or slide is. */
  private static List<String> screenCommand(String host, int videoPort) {
    String size = SCREEN_WIDTH + "x" + SCREEN_HEIGHT;
    String picture = String.format("color=c=0x%06X:size=%s:rate=%d[bg];color=c=white:size=80x60:rate=%d[box];"
        + "[bg][box]overlay=x='mod(t*160,%d)':y=40[out0]", SCREEN_RGB, size, SCREEN_FPS, SCREEN_FPS,
        SCREEN_WIDTH - 80);
    List<String> command = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "warning",
        "-re", "-f", "lavfi", "-i", picture, "-map", "0:v"));
    command.addAll(vp8(SCREEN_FPS, host, videoPort));
    return command;
  }

  /**
   * VP8 as a browser sends it in a call, a keyframe every {@code keyframeInterval} frames (a second): FFmpeg cannot
   * hear the receivers' keyframe requests (RFC 4585 §6.3.1), so this bounds how long a new receiver waits for a
   * picture. No look-ahead, as in a call.
   */
  private static List<String> vp8(int keyframeInterval, String host, int port) {
    List<String> options = new ArrayList<>(vp8Codec(keyframeInterval));
    options.addAll(rtp(host, port));
    return options;
  }

  private static List<String> vp8Codec(int keyframeInterval) {
    return List.of("-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-threads", "1",
        "-b:v", "500k", "-pix_fmt", "yuv420p",
        "-g", Integer.toString(keyframeInterval), "-lag-in-frames", "0", "-auto-alt-ref", "0");
  }

  /** Plain RTP to our port, no RTCP. */
  private static List<String> rtp(String host, int port) {
    return List.of("-f", "rtp", "-rtpflags", "skip_rtcp", rtpUrl(host, port));
  }

  /**
   * connect=1: FFmpeg's socket is connected, so it hears ICMP port unreachable once our socket is gone and exits
   * by itself; an FFmpeg whose JVM died without closing it does not send forever.
   */
  private static String rtpUrl(String host, int port) {
    return "rtp://" + host + ":" + port + "?pkt_size=" + PACKET_SIZE + "&connect=1";
  }

  /** Hue rotation of the picture in degrees: 137 apart, so that neighbouring indexes look clearly different. */
  int hue() {
    return hue(index);
  }

  private static int hue(int index) {
    return Math.floorMod(index * 137, 360);
  }

  /** The tone's frequency: 100 Hz apart per index. */
  int toneHz() {
    return toneHz(index);
  }

  private static int toneHz(int index) {
    return 300 + 100 * index;
  }

  /** Who gets the packets from now on; until one is set, they are dropped. */
  void onPacket(Listener listener) {
    this.listener = listener;
  }

  /** Whether this is a screen's video (no sound), not a camera's and a microphone's. */
  boolean isScreen() {
    return screen;
  }

  /** The FFmpeg process. */
  ProcessHandle process() {
    return ffmpeg.toHandle();
  }

  private Thread reader(DatagramSocket socket, boolean video) {
    return Thread.ofPlatform().daemon().name("ffmpeg-" + (screen ? "screen-" : video ? "video-" : "audio-") + index)
        .start(() -> read(socket, video));
  }

  private void read(DatagramSocket socket, boolean video) {
    byte[] buf = new byte[1500]; // a whole datagram of an Ethernet MTU, though FFmpeg's are PACKET_SIZE at most
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    try {
      while (true) {
        p.setLength(buf.length);
        socket.receive(p);
        Listener l = listener;
        if (l != null) {
          l.packet(video, buf, p.getLength());
        }
      }
    } catch (IOException e) {
      // closed
    }
  }

  /** Stops FFmpeg (asked first, then killed), then the readers. */
  @Override
  public void close() {
    ffmpeg.destroy();
    try {
      if (!ffmpeg.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
        ffmpeg.destroyForcibly().waitFor(STOP_SECONDS, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      ffmpeg.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    closeSockets();
    try {
      videoReader.join(1000);
      if (audioReader != null) {
        audioReader.join(1000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void closeSockets() {
    videoSocket.close();
    if (audioSocket != null) {
      audioSocket.close();
    }
  }

  /** Whether an {@code ffmpeg} executable is on the PATH. */
  static boolean onPath() {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "ffmpeg"))) {
        return true;
      }
    }
    return false;
  }
}
