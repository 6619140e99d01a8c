package uk.co.lchat.egress.composite;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import uk.co.lchat.egress.composite.Layout.Person;
import uk.co.lchat.egress.composite.Layout.Tile;

/**
 * The meeting as one picture and one sound, a frame at a time: each call of {@link #nextFrame} mixes every
 * participant's audio for one frame's duration, updates the dominant speaker from it, arranges the tiles
 * ({@link Layout}) and draws each participant's latest picture with its name. Decoders feed it from their own
 * threads ({@link #video}, {@link #audio}); one clock thread calls {@link #nextFrame}.
 */
public final class Compositor {
  /** One output frame: the picture (I420) and its audio (16-bit little-endian mono PCM). */
  public record Frame(byte[] picture, byte[] audio) {}

  private record AudioIn(String participantId, SampleQueue queue) {}

  private static final int BACKGROUND_Y = 24;
  private static final int TILE_Y = 40;
  private static final int GAP = 4;
  /** Light blue around the speaker's tile (BT.601 for RGB 66, 135, 245). */
  private static final int[] SPEAKER_YUV = {125, 196, 95};

  private final Layout layout;
  private final int fps;
  private final int samplesPerFrame;
  private final Picture canvas;
  private final byte[] audioBytes;
  private final int[] mix;
  private final Map<String, LatestPicture> videos = new ConcurrentHashMap<>();
  /** Audio by track id (a participant sharing its screen's sound has two), each with its participant. */
  private final Map<String, AudioIn> audios = new ConcurrentHashMap<>();
  private final SpeakerTracker speakers;
  private final NameLabels labels = new NameLabels();
  private final int sampleRate;
  private volatile List<Person> people = List.of();
  /** The presented page and its presenter, or null while nothing is presented. */
  private volatile Presented presented;

  private record Presented(String presenterId, Picture page) {}
  private String speaker;
  private long frames;

  public Compositor(Layout layout, int width, int height, int fps, int sampleRate) {
    if (sampleRate % fps != 0) {
      throw new IllegalArgumentException(sampleRate + " Hz does not divide into " + fps + " frames a second");
    }
    this.layout = layout;
    this.fps = fps;
    this.sampleRate = sampleRate;
    this.samplesPerFrame = sampleRate / fps;
    this.canvas = new Picture(width, height);
    this.audioBytes = new byte[samplesPerFrame * 2];
    this.mix = new int[samplesPerFrame];
    this.speakers = new SpeakerTracker(fps);
  }

  public int width() {
    return canvas.width;
  }

  public int height() {
    return canvas.height;
  }

  public int fps() {
    return fps;
  }

  public int sampleRate() {
    return sampleRate;
  }

  /** Who is in the meeting now, in the room's order, with their cameras and screens. */
  public void people(List<Person> now) {
    this.people = List.copyOf(now);
  }

  /**
   * The room presents a document: {@code page} (null until it is drawn, or when it cannot be) goes on stage as
   * {@code presenterId}'s; {@code presenterId} null: nothing is presented any more.
   */
  public void presentation(String presenterId, Picture page) {
    this.presented = presenterId == null ? null : new Presented(presenterId, page);
  }

  /**
   * Reads a video track's decoded pictures ({@code yuv420p}, {@code width} x {@code height} each, back to back, as
   * a decoder writes them) from {@code in} until it ends, and shows the latest in the track's tile.
   */
  public void readVideo(String trackId, int width, int height, InputStream in) throws IOException {
    LatestPicture latest = videos.computeIfAbsent(trackId, id -> new LatestPicture(width, height));
    byte[] frame = new byte[latest.frameSize()];
    while (in.readNBytes(frame, 0, frame.length) == frame.length) {
      latest.put(frame);
    }
  }

  /**
   * Reads a participant's decoded audio track (16-bit little-endian mono PCM at {@link #sampleRate}) from
   * {@code in} until it ends, into the mix: up to half a second queued, playing after 60 ms.
   */
  public void readAudio(String participantId, String trackId, InputStream in) throws IOException {
    SampleQueue queue = audios.computeIfAbsent(trackId,
        id -> new AudioIn(participantId, new SampleQueue(sampleRate / 2, sampleRate * 60 / 1000))).queue();
    byte[] bytes = new byte[1920];
    short[] samples = new short[bytes.length / 2];
    int have = 0;
    int n;
    while ((n = in.read(bytes, have, bytes.length - have)) > 0) {
      have += n;
      int whole = have / 2;
      for (int i = 0; i < whole; i++) {
        samples[i] = (short) ((bytes[2 * i] & 0xff) | (bytes[2 * i + 1] << 8));
      }
      queue.write(samples, whole);
      if (have % 2 == 1) {
        bytes[0] = bytes[have - 1]; // half a sample: the rest comes with the next read
      }
      have %= 2;
    }
  }

  /** A track that is gone: out of the picture (its tile shows the name only) or out of the mix. */
  public void remove(String trackId) {
    videos.remove(trackId);
    audios.remove(trackId);
  }

  /** Samples dropped because the mix fell behind a decoder, over every track still in it. */
  public long droppedSamples() {
    return audios.values().stream().mapToLong(a -> a.queue().dropped()).sum();
  }

  /** The dominant speaker as of the last frame, or null. */
  public String speaker() {
    return speaker;
  }

  public long frames() {
    return frames;
  }

  /**
   * The next frame of the composite; the returned arrays are reused by the next call. {@code draw} false keeps the
   * previous picture (the clock is late, and drawing can wait) but mixes this frame's audio as always.
   */
  public Frame nextFrame(boolean draw) {
    java.util.Arrays.fill(mix, 0);
    Map<String, Double> energies = new HashMap<>();
    for (AudioIn a : audios.values()) {
      energies.merge(a.participantId(), a.queue().mixInto(mix, samplesPerFrame), Double::sum);
    }
    speaker = speakers.frame(energies);
    for (int i = 0; i < samplesPerFrame; i++) {
      int s = Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, mix[i])); // the sum clips, as any mixer's does
      audioBytes[2 * i] = (byte) s;
      audioBytes[2 * i + 1] = (byte) (s >> 8);
    }
    if (draw) {
      Presented p = presented;
      draw(layout.arrange(people, speaker, p == null ? null : p.presenterId(), canvas.width, canvas.height),
          p == null ? null : p.page());
    }
    frames++;
    return new Frame(canvas.data, audioBytes);
  }

  private void draw(List<Tile> tiles, Picture page) {
    canvas.fill(BACKGROUND_Y, Picture.NEUTRAL_CHROMA, Picture.NEUTRAL_CHROMA);
    for (int i = 0; i < tiles.size(); i++) {
      Tile t = tiles.get(i);
      int x = t.x() + GAP / 2;
      int y = t.y() + GAP / 2;
      int w = t.width() - GAP;
      int h = t.height() - GAP;
      if (w <= 0 || h <= 0) {
        continue;
      }
      boolean isSpeaker = t.participantId().equals(speaker) && tiles.size() > 1
          && !Layout.PRESENTATION.equals(t.trackId()); // the speaker's own tile is lit, not the slide
      if (isSpeaker) {
        canvas.fillRect(x - GAP / 2, y - GAP / 2, w + GAP, h + GAP, SPEAKER_YUV[0], SPEAKER_YUV[1], SPEAKER_YUV[2]);
      }
      canvas.fillRect(x, y, w, h, TILE_Y, Picture.NEUTRAL_CHROMA, Picture.NEUTRAL_CHROMA);
      boolean drawn;
      if (Layout.PRESENTATION.equals(t.trackId())) {
        drawn = page != null;
        if (drawn) {
          canvas.drawFitted(page, x, y, w, h);
        }
      } else {
        LatestPicture picture = t.trackId() == null ? null : videos.get(t.trackId());
        drawn = picture != null && picture.drawInto(canvas, x, y, w, h);
      }
      int labelHeight = Math.max(14, h / 10) & ~1;
      NameLabels.Label label = labels.label(t.name(), labelHeight, w);
      if (drawn) {
        canvas.drawLabel(label.mask(), label.width(), label.height(), x, y + h - label.height());
      } else {
        // No picture (no camera, or not decoded yet): the name in the middle of the tile.
        canvas.drawLabel(label.mask(), label.width(), label.height(), x + (w - label.width()) / 2 & ~1,
            y + (h - label.height()) / 2 & ~1);
      }
    }
  }
}
