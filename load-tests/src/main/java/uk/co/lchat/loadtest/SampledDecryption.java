package uk.co.lchat.loadtest;

import uk.co.lchat.media.srtp.PacketBuffer;
import uk.co.lchat.media.srtp.SrtpProfile;
import uk.co.lchat.media.srtp.SrtpResult;
import uk.co.lchat.media.srtp.SrtpSession;
import uk.co.lchat.testpeer.SimulatedPeer;

/**
 * One receiving connection's SRTP as the load tool handles it: every packet is counted from its clear RTP header
 * (RFC 3711 §3.1), and only those {@link DecryptionSample} picks are authenticated and decrypted, for the send time
 * in their payload. The packets it refuses are the ones decrypting all would have refused: replays and packets too
 * far behind ({@link ClearHeaderReplay}, as SRTP's own window, §3.3.2), and a decrypted packet that does not
 * authenticate. So loss and order come out the same whichever packets are decrypted, as long as what arrives is
 * what the server sent (the tool trusts its loopback or veth link; a forged header would be counted).
 */
final class SampledDecryption implements SimulatedPeer.SrtpSink {
  /** Gets each accepted packet: decrypted (header and payload, no tag), or as it came less its tag. */
  interface Receiver {
    void packet(byte[] packet, int length, long arrivalNanos, boolean decrypted);
  }

  private final DecryptionSample sample;
  private final Receiver receiver;
  private final ClearHeaderReplay replay = new ClearHeaderReplay();
  private final PacketBuffer plain = new PacketBuffer();
  private long decrypted;
  private long counted;

  SampledDecryption(DecryptionSample sample, Receiver receiver) {
    this.sample = sample;
    this.receiver = receiver;
  }

  @Override
  public void srtp(byte[] packet, int length, long arrivalNanos, SrtpSession session) {
    int tag = tagLength(session.profile());
    if (length < 12 + tag) {
      return;
    }
    long ssrc = ((long) (packet[8] & 0xFF) << 24) | ((packet[9] & 0xFF) << 16) | ((packet[10] & 0xFF) << 8)
        | (packet[11] & 0xFF);
    int seq = ((packet[2] & 0xFF) << 8) | (packet[3] & 0xFF);
    if (!sample.decrypts(seq)) {
      if (replay.accept(ssrc, seq)) {
        counted++;
        receiver.packet(packet, length - tag, arrivalNanos, false);
      }
      return;
    }
    plain.copyFrom(packet, 0, length);
    // Authenticated first: a sampled packet that fails is dropped, as it was when every packet was decrypted, and
    // leaves no mark in the header window.
    if (session.unprotectRtp(plain) == SrtpResult.OK && replay.accept(ssrc, seq)) {
      counted++;
      decrypted++;
      receiver.packet(plain.getBuffer(), plain.getLength(), arrivalNanos, true);
    }
  }

  /** Packets handed on, and how many of them were decrypted (only the reader thread writes these). */
  long counted() {
    return counted;
  }

  long decrypted() {
    return decrypted;
  }

  /** Bytes of authentication tag after an SRTP packet's payload (RFC 3711 §4.2: 80 bits; RFC 7714 §7.1: 16 bytes). */
  static int tagLength(SrtpProfile profile) {
    return switch (profile) {
      case AES_CM_128_HMAC_SHA1_80 -> 10;
      case AEAD_AES_128_GCM -> 16;
    };
  }
}
