package uk.co.lchat.media.srtp;

import java.security.GeneralSecurityException;

import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.utils.logging2.Logger;
import org.jitsi.utils.logging2.LoggerImpl;

/**
 * SRTP and SRTCP for one transport (both directions), over jitsi-srtp. Crypto contexts are kept per SSRC
 * (RFC 3711 §3.2.3). Each direction has a single writer: the receive path unprotects, the send path protects.
 */
public final class SrtpSession implements AutoCloseable {
  private static final Logger LOG = new LoggerImpl(SrtpSession.class.getName());

  private final SrtpContextFactory sendFactory;
  private final SrtpContextFactory receiveFactory;
  private final SsrcTable<SrtpCryptoContext> sendRtp = new SsrcTable<>();
  private final SsrcTable<SrtpCryptoContext> receiveRtp = new SsrcTable<>();
  private final SsrcTable<SrtcpCryptoContext> sendRtcp = new SsrcTable<>();
  private final SsrcTable<SrtcpCryptoContext> receiveRtcp = new SsrcTable<>();
  private final SrtpProfile profile;

  public SrtpSession(SrtpKeys keys) {
    this.profile = keys.profile();
    this.sendFactory = new SrtpContextFactory(true, keys.localKey(), keys.localSalt(), keys.profile().policy(),
        keys.profile().policy(), LOG);
    this.receiveFactory = new SrtpContextFactory(false, keys.remoteKey(), keys.remoteSalt(),
        keys.profile().policy(), keys.profile().policy(), LOG);
  }

  public SrtpProfile profile() {
    return profile;
  }

  /** Encrypts and authenticates an RTP packet in place; the buffer's length grows by the tag. */
  public SrtpResult protectRtp(PacketBuffer packet) {
    if (packet.getLength() < 12) {
      return SrtpResult.INVALID;
    }
    try {
      SrtpCryptoContext ctx = sendRtp.get(rtpSsrc(packet));
      if (ctx == null) {
        ctx = sendFactory.deriveContext(rtpSsrc(packet), 0);
        sendRtp.put(rtpSsrc(packet), ctx);
      }
      return result(ctx.transformPacket(packet));
    } catch (GeneralSecurityException | RuntimeException e) {
      return SrtpResult.ERROR;
    }
  }

  /** Verifies and decrypts an SRTP packet in place; rejects forgeries and replays. */
  public SrtpResult unprotectRtp(PacketBuffer packet) {
    if (packet.getLength() < 12 + 4) {
      return SrtpResult.INVALID;
    }
    try {
      SrtpCryptoContext ctx = receiveRtp.get(rtpSsrc(packet));
      if (ctx == null) {
        ctx = receiveFactory.deriveContext(rtpSsrc(packet), 0);
        receiveRtp.put(rtpSsrc(packet), ctx);
      }
      return result(ctx.reverseTransformPacket(packet, false));
    } catch (GeneralSecurityException | RuntimeException e) {
      return SrtpResult.ERROR;
    }
  }

  public SrtpResult protectRtcp(PacketBuffer packet) {
    if (packet.getLength() < 8) {
      return SrtpResult.INVALID;
    }
    try {
      SrtcpCryptoContext ctx = sendRtcp.get(rtcpSsrc(packet));
      if (ctx == null) {
        ctx = sendFactory.deriveControlContext(rtcpSsrc(packet));
        sendRtcp.put(rtcpSsrc(packet), ctx);
      }
      return result(ctx.transformPacket(packet));
    } catch (GeneralSecurityException | RuntimeException e) {
      return SrtpResult.ERROR;
    }
  }

  public SrtpResult unprotectRtcp(PacketBuffer packet) {
    if (packet.getLength() < 8 + 4) {
      return SrtpResult.INVALID;
    }
    try {
      SrtcpCryptoContext ctx = receiveRtcp.get(rtcpSsrc(packet));
      if (ctx == null) {
        ctx = receiveFactory.deriveControlContext(rtcpSsrc(packet));
        receiveRtcp.put(rtcpSsrc(packet), ctx);
      }
      return result(ctx.reverseTransformPacket(packet));
    } catch (GeneralSecurityException | RuntimeException e) {
      return SrtpResult.ERROR;
    }
  }

  private static int rtpSsrc(PacketBuffer p) {
    return readInt(p.getBuffer(), p.getOffset() + 8);
  }

  private static int rtcpSsrc(PacketBuffer p) {
    return readInt(p.getBuffer(), p.getOffset() + 4);
  }

  private static int readInt(byte[] b, int at) {
    return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
  }

  private static SrtpResult result(SrtpErrorStatus status) {
    return switch (status) {
      case OK -> SrtpResult.OK;
      case AUTH_FAIL -> SrtpResult.AUTH_FAIL;
      case REPLAY_FAIL, REPLAY_OLD -> SrtpResult.REPLAY;
      case INVALID_PACKET -> SrtpResult.INVALID;
      default -> SrtpResult.ERROR;
    };
  }

  @Override
  public void close() {
    sendFactory.close();
    receiveFactory.close();
  }
}
