package uk.co.lchat.media.srtp;

/**
 * SRTP and SRTCP for one transport, both directions (RFC 3711): the send side protects with the local master key,
 * the receive side unprotects with the remote one, each keeping its streams' state by SSRC (§3.2.3). Results are
 * values, never exceptions; nothing is allocated per packet once a stream is known.
 */
public final class SrtpSession {
  private final SrtpProfile profile;
  private final SrtpContext send;
  private final SrtpContext receive;

  public SrtpSession(SrtpKeys keys) {
    this.profile = keys.profile();
    this.send = SrtpContext.of(profile, keys.localKey(), keys.localSalt());
    this.receive = SrtpContext.of(profile, keys.remoteKey(), keys.remoteSalt());
  }

  public SrtpProfile profile() {
    return profile;
  }

  /** Encrypts and authenticates an RTP packet in place; the buffer's length grows by the tag. */
  public SrtpResult protectRtp(PacketBuffer packet) {
    return send.protectRtp(packet);
  }

  /** Verifies and decrypts an SRTP packet in place; rejects forgeries and replays. */
  public SrtpResult unprotectRtp(PacketBuffer packet) {
    return receive.unprotectRtp(packet);
  }

  public SrtpResult protectRtcp(PacketBuffer packet) {
    return send.protectRtcp(packet);
  }

  public SrtpResult unprotectRtcp(PacketBuffer packet) {
    return receive.unprotectRtcp(packet);
  }

  /** Which AES implementation this process uses, for the startup log. */
  public static String aesImplementation() {
    return AesProvider.name();
  }
}
