package uk.co.lchat.media.router;

import uk.co.lchat.media.srtp.PacketBuffer;

/**
 * The last packets of one video stream, decrypted, kept to answer NACKs (RFC 4585 §6.2.1) without asking the
 * publisher. Fixed slots reused in place, indexed by sequence number; loop-owned.
 */
final class PacketCache {
  static final int SLOTS = 128;
  private final byte[][] packets = new byte[SLOTS][];
  private final int[] lengths = new int[SLOTS];
  private final int[] seqs = new int[SLOTS];

  void put(int seq, byte[] buf, int len) {
    int i = seq & (SLOTS - 1);
    if (packets[i] == null) {
      packets[i] = new byte[PacketBuffer.CAPACITY];
    }
    System.arraycopy(buf, 0, packets[i], 0, len);
    lengths[i] = len;
    seqs[i] = seq;
  }

  boolean has(int seq) {
    int i = seq & (SLOTS - 1);
    return packets[i] != null && seqs[i] == seq && lengths[i] > 0;
  }

  /** Copies the packet with {@code seq} into {@code out}; returns its length, or -1 when it is gone. */
  int get(int seq, byte[] out) {
    int i = seq & (SLOTS - 1);
    if (packets[i] == null || seqs[i] != seq || lengths[i] == 0) {
      return -1;
    }
    System.arraycopy(packets[i], 0, out, 0, lengths[i]);
    return lengths[i];
  }
}
