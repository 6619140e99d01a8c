package uk.co.lchat.loadtest;

import java.io.IOException;

import uk.co.lchat.media.rtp.VideoCodec;
import uk.co.lchat.testpeer.SimulatedPeer;

/**
 * What one simulated publisher sends, whatever server it sends to: Opus at 50 packets/s with an RFC 6464 audio
 * level, and VP8 at 30 frames/s, either in three simulcast layers (rid, RFC 8852) or as one stream of the top
 * layer's size; a keyframe every 2 s or when the server asked for one. It owns the streams' SSRCs and sequence
 * numbers, so a new connection (a republish) continues them.
 */
final class SyntheticMedia {
  /** Packets per frame of each simulcast layer at 30 frames/s: about 150 kbit/s, 500 kbit/s and 2.5 Mbit/s. */
  private static final int[] LAYER_PACKETS = {1, 2, 9};
  private static final int[] LAYER_BYTES = {600, 1000, 1150};
  static final int OPUS = 111;
  static final int VP8 = 96;

  private final boolean audio;
  private final boolean video;
  private final boolean simulcast;
  private final Measurements measurements;
  private final long audioSsrc = randomSsrc();
  private final long[] layerSsrcs = {randomSsrc(), randomSsrc(), randomSsrc()};
  private final int[] layerSeq = new int[3];
  private int audioSeq;
  private long frames;
  /** When the first video frame was sent (nanoTime): frames are stamped by the clock, as a camera's are. */
  private long firstFrameNanos;
  private long keyframeRequestsSeen;

  SyntheticMedia(boolean audio, boolean video, boolean simulcast, Measurements measurements) {
    this.audio = audio;
    this.video = video;
    this.simulcast = simulcast;
    this.measurements = measurements;
  }

  private static long randomSsrc() {
    return 0x10000000L + (long) (Math.random() * 0x6FFFFFFFL);
  }

  /** The publish offer for a peer: Opus, and VP8 as simulcast layers or one stream; {@code setup} as SdpMaker's. */
  String offer(SimulatedPeer peer, String setup) {
    return SdpMaker.publishOffer(peer.ice(), peer.fingerprintAttribute(), audioSsrc, video,
        simulcast ? 0 : layerSsrcs[2], setup);
  }

  /** 20 ms of audio: one Opus packet with an audio level (talkers are loud, others quiet). */
  void sendAudio(SimulatedPeer publisher, boolean talking) throws IOException {
    if (publisher == null || !audio) {
      return;
    }
    publisher.sendRtpWithAudioLevel(OPUS, audioSsrc, audioSeq, audioSeq * 960L, SdpMaker.AUDIO_LEVEL_EXT,
        talking ? 20 : 110);
    audioSeq = (audioSeq + 1) & 0xFFFF;
    measurements.packetsSent.increment();
  }

  /** One video frame in each layer (or the top one alone without simulcast). */
  void sendVideoFrame(SimulatedPeer publisher) throws IOException {
    if (publisher == null || !video) {
      return;
    }
    long asked = publisher.keyframeRequests();
    boolean keyframe = frames % 60 == 0 || asked > keyframeRequestsSeen;
    keyframeRequestsSeen = asked;
    // RTP timestamps follow the capture clock (90 kHz, RFC 7741 §4.1), whatever rate the caller sends frames at:
    // a recorder (or a player) times the video by them.
    long nowNanos = System.nanoTime();
    if (frames == 0) {
      firstFrameNanos = nowNanos;
    }
    long timestamp = (nowNanos - firstFrameNanos) * 9 / 100_000;
    for (int layer = simulcast ? 0 : 2; layer < 3; layer++) {
      for (int p = 0; p < LAYER_PACKETS[layer]; p++) {
        publisher.sendLayer(VideoCodec.VP8, VP8, layerSsrcs[layer], layerSeq[layer], timestamp, keyframe && p == 0,
            SdpMaker.RID_EXT, SdpMaker.RIDS.get(layer), LAYER_BYTES[layer], p == 0, p == LAYER_PACKETS[layer] - 1);
        layerSeq[layer] = (layerSeq[layer] + 1) & 0xFFFF;
        measurements.packetsSent.increment();
      }
    }
    frames++;
  }
}
