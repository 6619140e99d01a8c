package uk.co.lchat.media.router;

/** Reads the RFC 6464 audio level an audio stream carries into its loudness, for dominant speaker detection. */
final class AudioLevelRead extends ReceiveStage {
  AudioLevelRead() {
    super("audio_level_read");
  }

  @Override
  boolean process(ReceivedPacket in) {
    Publication p = in.publication;
    if (p.audioLevelExtension > 0) {
      int level = in.rtp.audioLevel(p.audioLevelExtension);
      if (level >= 0) {
        p.hear(level);
      }
    }
    return true;
  }
}
