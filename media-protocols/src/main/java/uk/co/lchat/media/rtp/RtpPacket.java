package uk.co.lchat.media.rtp;

/**
 * A reusable view over one RTP packet in a buffer (RFC 3550 §5.1): {@link #wrap} it, read or rewrite fields in
 * place. No allocation; a malformed packet makes {@link #wrap} return false, never throw.
 */
public final class RtpPacket {
  private byte[] buf;
  private int off;
  private int len;
  private int headerLength;
  private int extensionOffset;
  private int extensionLength;
  private boolean oneByteExtensions;
  private int paddingLength;

  /** Points the view at a packet; returns false (and stays unusable) if it is not a well-formed RTP packet. */
  public boolean wrap(byte[] buffer, int offset, int length) {
    this.buf = buffer;
    this.off = offset;
    this.len = length;
    this.headerLength = 0;
    this.extensionOffset = -1;
    this.extensionLength = 0;
    if (length < 12 || ((buffer[offset] & 0xC0) >>> 6) != 2) {
      return false;
    }
    int csrcCount = buffer[offset] & 0x0F;
    int pos = 12 + csrcCount * 4;
    if (pos > length) {
      return false;
    }
    if ((buffer[offset] & 0x10) != 0) {
      // RFC 3550 §5.3.1: 16-bit profile, 16-bit length in 32-bit words.
      if (pos + 4 > length) {
        return false;
      }
      int profile = u16(pos);
      int words = u16(pos + 2);
      extensionOffset = pos + 4;
      extensionLength = words * 4;
      oneByteExtensions = profile == 0xBEDE;
      pos = extensionOffset + extensionLength;
      if (pos > length) {
        return false;
      }
    }
    paddingLength = 0;
    if ((buffer[offset] & 0x20) != 0) {
      paddingLength = buffer[offset + length - 1] & 0xFF;
      if (paddingLength == 0 || pos + paddingLength > length) {
        return false;
      }
    }
    headerLength = pos;
    return true;
  }

  public byte[] buffer() {
    return buf;
  }

  public int version() {
    return (buf[off] & 0xC0) >>> 6;
  }

  public boolean marker() {
    return (buf[off + 1] & 0x80) != 0;
  }

  public int payloadType() {
    return buf[off + 1] & 0x7F;
  }

  public void setPayloadType(int pt) {
    buf[off + 1] = (byte) ((buf[off + 1] & 0x80) | (pt & 0x7F));
  }

  public int sequenceNumber() {
    return u16(2);
  }

  public void setSequenceNumber(int seq) {
    buf[off + 2] = (byte) (seq >>> 8);
    buf[off + 3] = (byte) seq;
  }

  public long timestamp() {
    return u32(4);
  }

  public void setTimestamp(long ts) {
    putU32(4, ts);
  }

  public long ssrc() {
    return u32(8);
  }

  public void setSsrc(long ssrc) {
    putU32(8, ssrc);
  }

  public int headerLength() {
    return headerLength;
  }

  public int payloadOffset() {
    return off + headerLength;
  }

  public int payloadLength() {
    return len - headerLength - paddingLength;
  }

  public int length() {
    return len;
  }

  /**
   * Finds header extension {@code id} (RFC 8285 one-byte or two-byte form) and returns the absolute offset of its
   * data in the buffer, or -1. {@link #extensionDataLength} then gives its length.
   */
  public int findExtension(int id) {
    lastExtensionLength = 0;
    if (extensionOffset < 0 || id <= 0) {
      return -1;
    }
    int pos = extensionOffset;
    int end = extensionOffset + extensionLength;
    while (pos < end) {
      int b = buf[off + pos] & 0xFF;
      if (b == 0) { // padding between elements
        pos++;
        continue;
      }
      int elementId;
      int dataLength;
      if (oneByteExtensions) {
        elementId = b >>> 4;
        dataLength = (b & 0x0F) + 1;
        if (elementId == 15) {
          return -1; // RFC 8285 §4.2: id 15 ends the extension block
        }
        pos += 1;
      } else {
        if (pos + 1 >= end) {
          return -1;
        }
        elementId = b;
        dataLength = buf[off + pos + 1] & 0xFF;
        pos += 2;
      }
      if (pos + dataLength > end) {
        return -1;
      }
      if (elementId == id) {
        lastExtensionLength = dataLength;
        return off + pos;
      }
      pos += dataLength;
    }
    return -1;
  }

  private int lastExtensionLength;

  /**
   * abs-send-time (http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time): if the packet carries it under
   * {@code inId} (three bytes, one-byte header form), writes {@code value} there and renumbers the element
   * {@code outId}, unless another element already has that id. True if stamped.
   */
  public boolean stampAbsSendTime(int inId, int outId, int value) {
    if (!oneByteExtensions || (outId != inId && findExtension(outId) >= 0)) {
      return false;
    }
    int at = findExtension(inId);
    if (at < 0 || lastExtensionLength != 3) {
      return false;
    }
    buf[at - 1] = (byte) ((outId << 4) | 2);
    putAbsSendTime(buf, at, value);
    return true;
  }

  /** Writes a 24-bit abs-send-time value at {@code at} (the element's data). */
  public static void putAbsSendTime(byte[] b, int at, int value) {
    b[at] = (byte) (value >>> 16);
    b[at + 1] = (byte) (value >>> 8);
    b[at + 2] = (byte) value;
  }

  /** A time in abs-send-time's 6.18 fixed-point seconds, 24 bits (it wraps every 64 s). */
  public static int absSendTime(long nanos) {
    long seconds = nanos / 1_000_000_000L;
    long fraction = nanos % 1_000_000_000L;
    return (int) (((seconds << 18) + (fraction << 18) / 1_000_000_000L) & 0xFFFFFF);
  }

  /** Length of the extension found by the last {@link #findExtension} call. */
  public int extensionDataLength() {
    return lastExtensionLength;
  }

  /**
   * RFC 6464 audio level: the level in -dBov (0 loudest .. 127 silence), or -1 when the extension is absent.
   */
  public int audioLevel(int extensionId) {
    int at = findExtension(extensionId);
    if (at < 0 || lastExtensionLength < 1) {
      return -1;
    }
    return buf[at] & 0x7F;
  }

  private int u16(int rel) {
    return ((buf[off + rel] & 0xFF) << 8) | (buf[off + rel + 1] & 0xFF);
  }

  private long u32(int rel) {
    return ((long) (buf[off + rel] & 0xFF) << 24) | ((buf[off + rel + 1] & 0xFF) << 16)
        | ((buf[off + rel + 2] & 0xFF) << 8) | (buf[off + rel + 3] & 0xFF);
  }

  private void putU32(int rel, long v) {
    buf[off + rel] = (byte) (v >>> 24);
    buf[off + rel + 1] = (byte) (v >>> 16);
    buf[off + rel + 2] = (byte) (v >>> 8);
    buf[off + rel + 3] = (byte) v;
  }
}
