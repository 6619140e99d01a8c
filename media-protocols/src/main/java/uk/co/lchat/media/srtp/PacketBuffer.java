package uk.co.lchat.media.srtp;

import org.jitsi.utils.ByteArrayBuffer;

/**
 * A packet in a fixed, reusable byte array. SRTP grows and shrinks the packet in place (auth tags), so the array
 * has head-room past the packet; it never reallocates while the packet fits.
 */
public final class PacketBuffer implements ByteArrayBuffer {
  /** Largest UDP payload we handle, plus room for SRTP tags. */
  public static final int CAPACITY = 1500 + 64;

  private final byte[] buffer;
  private int offset;
  private int length;

  public PacketBuffer() {
    this(new byte[CAPACITY]);
  }

  public PacketBuffer(byte[] buffer) {
    this.buffer = buffer;
  }

  public PacketBuffer set(int offset, int length) {
    this.offset = offset;
    this.length = length;
    return this;
  }

  /** Copies {@code src} in, starting at offset 0. */
  public PacketBuffer copyFrom(byte[] src, int srcOffset, int srcLength) {
    System.arraycopy(src, srcOffset, buffer, 0, srcLength);
    return set(0, srcLength);
  }

  @Override
  public byte[] getBuffer() {
    return buffer;
  }

  @Override
  public int getOffset() {
    return offset;
  }

  @Override
  public int getLength() {
    return length;
  }

  @Override
  public void setLength(int len) {
    this.length = len;
  }

  @Override
  public void setOffset(int off) {
    this.offset = off;
  }

  @Override
  public boolean isInvalid() {
    return false;
  }

  @Override
  public void readRegionToBuff(int off, int len, byte[] outBuf) {
    System.arraycopy(buffer, offset + off, outBuf, 0, len);
  }

  @Override
  public void grow(int howMuch) {
    if (offset + length + howMuch > buffer.length) {
      throw new IllegalStateException("packet does not fit its buffer");
    }
  }

  @Override
  public void append(byte[] data, int len) {
    grow(len);
    System.arraycopy(data, 0, buffer, offset + length, len);
    length += len;
  }

  @Override
  public void shrink(int len) {
    length = Math.max(0, length - len);
  }
}
