package uk.co.lchat.loadtest;

/**
 * Which received SRTP packets the load tool authenticates and decrypts. Loss and order need only the RTP header,
 * which SRTP leaves in the clear (RFC 3711 §3.1: only the payload is encrypted), so every packet is counted from its
 * header; only the one-way delay needs the send time stamped inside the payload. Decrypting one packet in
 * {@code n} measures delay on an unbiased sample (the choice depends on the sequence number alone, never on when
 * the packet came) and spares the tool most of its own crypto, so on a shared machine it takes less of the cores
 * from the nodes it measures.
 *
 * <p>The rule is "sequence number divisible by {@code n}", with {@code n} a power of two so that it divides 2^16
 * and the pattern continues unbroken across a wrap. The gaps between decrypted packets stay far below 2^15, so the
 * receiver's rollover-counter guess (RFC 3711 §3.3.1) stays right without seeing the packets in between.
 */
record DecryptionSample(int oneIn) {
  /** Every packet decrypted: what the tool did before, and {@code --decrypt-all}. */
  static final DecryptionSample ALL = new DecryptionSample(1);
  /** The default: delay from one packet in 16 (audio: about 3 a second per stream). */
  static final DecryptionSample DEFAULT = new DecryptionSample(16);

  DecryptionSample {
    if (oneIn < 1 || oneIn > 4096 || Integer.bitCount(oneIn) != 1) {
      throw new IllegalArgumentException("decrypt one packet in a power of two from 1 to 4096, not " + oneIn);
    }
  }

  /** Whether the packet with this RTP sequence number is authenticated and decrypted. */
  boolean decrypts(int sequenceNumber) {
    return (sequenceNumber & (oneIn - 1)) == 0;
  }

  boolean all() {
    return oneIn == 1;
  }
}
