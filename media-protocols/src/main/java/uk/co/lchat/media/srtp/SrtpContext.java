package uk.co.lchat.media.srtp;

import java.security.GeneralSecurityException;

/**
 * One direction of SRTP and SRTCP under one master key (RFC 3711 §3.2): the packet index and replay state of each
 * stream (by SSRC) and the order of the steps; the profile's cipher does the cryptography. The packet is changed in
 * place in its buffer and nothing is allocated per packet once a stream is known.
 *
 * <p>A context either protects (the sending side) or unprotects (the receiving side), never both. Its methods are
 * synchronized because RTCP can be sent from another thread than the media.
 */
abstract sealed class SrtpContext permits GcmContext, CmContext {
  private final SsrcTable<ReplayWindow> rtpStreams = new SsrcTable<>();
  private final SsrcTable<ReplayWindow> rtcpStreams = new SsrcTable<>();

  static SrtpContext of(SrtpProfile profile, byte[] masterKey, byte[] masterSalt) {
    try {
      SrtpKeyDerivation kdf = new SrtpKeyDerivation(masterKey, masterSalt);
      return switch (profile) {
        case AEAD_AES_128_GCM -> new GcmContext(kdf, profile);
        case AES_CM_128_HMAC_SHA1_80 -> new CmContext(kdf, profile);
      };
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES is not available in this JDK", e);
    }
  }

  /** Octets an SRTP packet adds to the RTP packet. */
  abstract int rtpOverhead();

  /** Octets an SRTCP packet adds to the RTCP packet. */
  abstract int rtcpOverhead();

  /** Encrypts and authenticates the payload after {@code header} octets; returns the new length. */
  abstract int sealRtp(byte[] b, int off, int header, int len, int ssrc, long index) throws GeneralSecurityException;

  /** Verifies and decrypts; returns the RTP packet's length, or -1 when authentication fails. */
  abstract int openRtp(byte[] b, int off, int header, int len, int ssrc, long index) throws GeneralSecurityException;

  abstract int sealRtcp(byte[] b, int off, int len, int ssrc, int index) throws GeneralSecurityException;

  /** The E flag and SRTCP index word of a protected packet (RFC 3711 §3.4). */
  abstract int rtcpIndexWord(byte[] b, int off, int len);

  /** Verifies and, when {@code encrypted}, decrypts; returns the RTCP length, or -1 when authentication fails. */
  abstract int openRtcp(byte[] b, int off, int len, int ssrc, int index, boolean encrypted)
      throws GeneralSecurityException;

  final synchronized SrtpResult protectRtp(PacketBuffer p) {
    byte[] b = p.getBuffer();
    int off = p.getOffset();
    int len = p.getLength();
    int header = rtpHeaderLength(b, off, len);
    if (header < 0 || off + len + rtpOverhead() > b.length) {
      return SrtpResult.INVALID;
    }
    int ssrc = readInt(b, off + 8);
    ReplayWindow stream = sending(rtpStreams, ssrc);
    long index = stream.rtpIndex(readShort(b, off + 2));
    stream.accept(index);
    try {
      p.setLength(sealRtp(b, off, header, len, ssrc, index));
      return SrtpResult.OK;
    } catch (GeneralSecurityException | RuntimeException e) {
      return SrtpResult.ERROR;
    }
  }

  final synchronized SrtpResult unprotectRtp(PacketBuffer p) {
    byte[] b = p.getBuffer();
    int off = p.getOffset();
    int len = p.getLength();
    int header = rtpHeaderLength(b, off, len);
    if (header < 0 || len < header + rtpOverhead()) {
      return SrtpResult.INVALID;
    }
    int ssrc = readInt(b, off + 8);
    ReplayWindow stream = receiving(rtpStreams, ssrc);
    long index = stream.rtpIndex(readShort(b, off + 2));
    if (stream.isReplay(index)) {
      return SrtpResult.REPLAY;
    }
    try {
      return opened(openRtp(b, off, header, len, ssrc, index), p, rtpStreams, ssrc, stream, index);
    } catch (GeneralSecurityException | RuntimeException e) {
      return SrtpResult.ERROR;
    }
  }

  final synchronized SrtpResult protectRtcp(PacketBuffer p) {
    byte[] b = p.getBuffer();
    int off = p.getOffset();
    int len = p.getLength();
    if (len < 8 || (b[off] & 0xC0) != 0x80 || off + len + rtcpOverhead() > b.length) {
      return SrtpResult.INVALID;
    }
    int ssrc = readInt(b, off + 4);
    try {
      p.setLength(sealRtcp(b, off, len, ssrc, sending(rtcpStreams, ssrc).nextRtcpIndex()));
      return SrtpResult.OK;
    } catch (GeneralSecurityException | RuntimeException e) {
      return SrtpResult.ERROR;
    }
  }

  final synchronized SrtpResult unprotectRtcp(PacketBuffer p) {
    byte[] b = p.getBuffer();
    int off = p.getOffset();
    int len = p.getLength();
    if (len < 8 + rtcpOverhead() || (b[off] & 0xC0) != 0x80) {
      return SrtpResult.INVALID;
    }
    int ssrc = readInt(b, off + 4);
    int word = rtcpIndexWord(b, off, len);
    int index = word & 0x7FFF_FFFF;
    ReplayWindow stream = receiving(rtcpStreams, ssrc);
    if (stream.isReplay(index)) {
      return SrtpResult.REPLAY;
    }
    try {
      return opened(openRtcp(b, off, len, ssrc, index, word < 0), p, rtcpStreams, ssrc, stream, index);
    } catch (GeneralSecurityException | RuntimeException e) {
      return SrtpResult.ERROR;
    }
  }

  /** The sender's state for a stream, made and kept on its first packet. */
  private static ReplayWindow sending(SsrcTable<ReplayWindow> streams, int ssrc) {
    ReplayWindow stream = streams.get(ssrc);
    if (stream == null) {
      stream = new ReplayWindow();
      streams.put(ssrc, stream);
    }
    return stream;
  }

  /** The receiver's state for a stream; a new one is kept only by {@link #opened}, once a packet authenticates. */
  private static ReplayWindow receiving(SsrcTable<ReplayWindow> streams, int ssrc) {
    ReplayWindow stream = streams.get(ssrc);
    return stream != null ? stream : new ReplayWindow();
  }

  /**
   * The outcome of opening a packet: on success its index is recorded, and a stream seen for the first time is
   * remembered only now, so forged SSRCs cost nothing.
   */
  private static SrtpResult opened(int plain, PacketBuffer p, SsrcTable<ReplayWindow> streams, int ssrc,
      ReplayWindow stream, long index) {
    if (plain < 0) {
      return SrtpResult.AUTH_FAIL;
    }
    stream.accept(index);
    if (streams.get(ssrc) != stream) {
      streams.put(ssrc, stream);
    }
    p.setLength(plain);
    return SrtpResult.OK;
  }

  /** RFC 3550 §5.1: fixed header, CSRCs and the extension; -1 when the packet is not RTP or is cut short. */
  static int rtpHeaderLength(byte[] b, int off, int len) {
    if (len < 12 || (b[off] & 0xC0) != 0x80) {
      return -1;
    }
    int n = 12 + 4 * (b[off] & 0x0F);
    if ((b[off] & 0x10) != 0) {
      if (len < n + 4) {
        return -1;
      }
      n += 4 + 4 * readShort(b, off + n + 2);
    }
    return n <= len ? n : -1;
  }

  static int readShort(byte[] b, int at) {
    return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
  }

  static int readInt(byte[] b, int at) {
    return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
  }

  static void writeInt(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }
}
