package uk.co.lchat.media.ice;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.zip.CRC32;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A parsed STUN message (RFC 5389) with the attributes ICE uses (RFC 8445 §7). Binding requests arrive a few times a
 * second per endpoint, so this allocates freely; the media path never touches it.
 */
public final class StunMessage {
  public static final int MAGIC_COOKIE = 0x2112A442;
  public static final int BINDING_REQUEST = 0x0001;
  public static final int BINDING_SUCCESS = 0x0101;
  public static final int BINDING_ERROR = 0x0111;
  public static final int BINDING_INDICATION = 0x0011;

  static final int ATTR_MAPPED_ADDRESS = 0x0001;
  static final int ATTR_USERNAME = 0x0006;
  static final int ATTR_MESSAGE_INTEGRITY = 0x0008;
  static final int ATTR_ERROR_CODE = 0x0009;
  static final int ATTR_XOR_MAPPED_ADDRESS = 0x0020;
  static final int ATTR_PRIORITY = 0x0024;
  static final int ATTR_USE_CANDIDATE = 0x0025;
  static final int ATTR_SOFTWARE = 0x8022;
  static final int ATTR_FINGERPRINT = 0x8028;
  static final int ATTR_ICE_CONTROLLED = 0x8029;
  static final int ATTR_ICE_CONTROLLING = 0x802A;

  private static final int HEADER = 20;
  private static final int FINGERPRINT_XOR = 0x5354554E;

  private final byte[] data;
  private final int type;
  private final byte[] transactionId;
  private String username;
  private long priority = -1;
  private boolean useCandidate;
  private boolean controlling;
  private boolean controlled;
  private int integrityAt = -1;
  private int fingerprintAt = -1;
  private int errorCode;
  private InetSocketAddress xorMappedAddress;

  private StunMessage(byte[] data, int type, byte[] transactionId) {
    this.data = data;
    this.type = type;
    this.transactionId = transactionId;
  }

  /** Parses a datagram; returns null for anything that is not a well-formed STUN message. */
  public static StunMessage parse(byte[] buf, int off, int len) {
    if (len < HEADER || (buf[off] & 0xC0) != 0) {
      return null;
    }
    int bodyLength = u16(buf, off + 2);
    if (bodyLength + HEADER != len || (bodyLength & 3) != 0 || i32(buf, off + 4) != MAGIC_COOKIE) {
      return null;
    }
    byte[] data = Arrays.copyOfRange(buf, off, off + len);
    StunMessage m = new StunMessage(data, u16(data, 0), Arrays.copyOfRange(data, 8, 20));
    int p = HEADER;
    while (p + 4 <= len) {
      int attr = u16(data, p);
      int alen = u16(data, p + 2);
      int v = p + 4;
      if (v + alen > len) {
        return null;
      }
      // RFC 5389 §15.4/§15.5: only FINGERPRINT may follow MESSAGE-INTEGRITY; anything after FINGERPRINT is invalid.
      if (m.fingerprintAt >= 0 || (m.integrityAt >= 0 && attr != ATTR_FINGERPRINT)) {
        return null;
      }
      switch (attr) {
        case ATTR_USERNAME -> m.username = new String(data, v, alen, StandardCharsets.UTF_8);
        case ATTR_PRIORITY -> m.priority = alen == 4 ? i32(data, v) & 0xFFFFFFFFL : -1;
        case ATTR_USE_CANDIDATE -> m.useCandidate = true;
        case ATTR_ICE_CONTROLLING -> m.controlling = true;
        case ATTR_ICE_CONTROLLED -> m.controlled = true;
        case ATTR_MESSAGE_INTEGRITY -> {
          if (alen != 20) {
            return null;
          }
          m.integrityAt = p;
        }
        case ATTR_FINGERPRINT -> {
          if (alen != 4) {
            return null;
          }
          m.fingerprintAt = p;
        }
        case ATTR_ERROR_CODE -> m.errorCode = alen >= 4 ? (data[v + 2] & 7) * 100 + (data[v + 3] & 0xFF) : 0;
        case ATTR_XOR_MAPPED_ADDRESS -> m.xorMappedAddress = readXorAddress(data, v, alen, m.transactionId);
        default -> { }
      }
      p = v + ((alen + 3) & ~3);
    }
    return p == len ? m : null;
  }

  public int type() {
    return type;
  }

  public byte[] transactionId() {
    return transactionId.clone();
  }

  /** USERNAME, or null. For ICE it is "recipientUfrag:senderUfrag" (RFC 8445 §7.2.2). */
  public String username() {
    return username;
  }

  public long priority() {
    return priority;
  }

  public boolean useCandidate() {
    return useCandidate;
  }

  public boolean iceControlling() {
    return controlling;
  }

  public boolean iceControlled() {
    return controlled;
  }

  public int errorCode() {
    return errorCode;
  }

  public InetSocketAddress xorMappedAddress() {
    return xorMappedAddress;
  }

  public boolean hasIntegrity() {
    return integrityAt >= 0;
  }

  /** RFC 5389 §15.4: HMAC-SHA1 over the message up to MESSAGE-INTEGRITY, length field counting it as the last. */
  public boolean verifyIntegrity(byte[] key) {
    if (integrityAt < 0) {
      return false;
    }
    byte[] copy = Arrays.copyOf(data, integrityAt);
    putU16(copy, 2, integrityAt + 24 - HEADER);
    byte[] expected = hmacSha1(key, copy, integrityAt);
    return MessageDigest.isEqual(expected, Arrays.copyOfRange(data, integrityAt + 4, integrityAt + 24));
  }

  /** RFC 5389 §15.5: a message without FINGERPRINT passes; one with a wrong FINGERPRINT fails. */
  public boolean verifyFingerprint() {
    if (fingerprintAt < 0) {
      return true;
    }
    return crc(data, fingerprintAt) == i32(data, fingerprintAt + 4);
  }

  public boolean hasFingerprint() {
    return fingerprintAt >= 0;
  }

  /** A binding success response carrying XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY and FINGERPRINT (RFC 8445 §7.3). */
  public static byte[] bindingSuccess(byte[] transactionId, InetSocketAddress mapped, byte[] key) {
    return new Builder(BINDING_SUCCESS, transactionId).xorAddress(mapped).build(key);
  }

  /** An error response such as 401 Unauthorized or 487 Role Conflict (RFC 5389 §15.6). */
  public static byte[] bindingError(byte[] transactionId, int code, String reason, byte[] key) {
    return new Builder(BINDING_ERROR, transactionId).error(code, reason).build(key);
  }

  /** A binding request as an ICE agent sends it; used by relays, load tools and tests. */
  public static byte[] bindingRequest(byte[] transactionId, String username, long priority, boolean controlling,
      long tieBreaker, boolean useCandidate, byte[] key) {
    Builder b = new Builder(BINDING_REQUEST, transactionId).text(ATTR_USERNAME, username).u32(ATTR_PRIORITY, priority);
    b.u64(controlling ? ATTR_ICE_CONTROLLING : ATTR_ICE_CONTROLLED, tieBreaker);
    if (useCandidate) {
      b.flag(ATTR_USE_CANDIDATE);
    }
    return b.build(key);
  }

  /** Assembles a message attribute by attribute, then appends MESSAGE-INTEGRITY (when keyed) and FINGERPRINT. */
  static final class Builder {
    private final byte[] out = new byte[548];
    private final byte[] transactionId;
    private int len = HEADER;

    Builder(int type, byte[] transactionId) {
      if (transactionId.length != 12) {
        throw new IllegalArgumentException("transaction id is 12 bytes");
      }
      this.transactionId = transactionId;
      putU16(out, 0, type);
      putI32(out, 4, MAGIC_COOKIE);
      System.arraycopy(transactionId, 0, out, 8, 12);
    }

    Builder attr(int type, byte[] value) {
      putU16(out, len, type);
      putU16(out, len + 2, value.length);
      System.arraycopy(value, 0, out, len + 4, value.length);
      len += 4 + ((value.length + 3) & ~3);
      return this;
    }

    Builder text(int type, String value) {
      return attr(type, value.getBytes(StandardCharsets.UTF_8));
    }

    Builder u32(int type, long value) {
      byte[] v = new byte[4];
      putI32(v, 0, (int) value);
      return attr(type, v);
    }

    Builder u64(int type, long value) {
      byte[] v = new byte[8];
      putI32(v, 0, (int) (value >>> 32));
      putI32(v, 4, (int) value);
      return attr(type, v);
    }

    Builder flag(int type) {
      return attr(type, new byte[0]);
    }

    Builder error(int code, String reason) {
      byte[] r = reason.getBytes(StandardCharsets.UTF_8);
      byte[] v = new byte[4 + r.length];
      v[2] = (byte) (code / 100);
      v[3] = (byte) (code % 100);
      System.arraycopy(r, 0, v, 4, r.length);
      return attr(ATTR_ERROR_CODE, v);
    }

    Builder xorAddress(InetSocketAddress address) {
      byte[] ip = address.getAddress().getAddress();
      byte[] v = new byte[4 + ip.length];
      v[1] = (byte) (ip.length == 4 ? 1 : 2);
      putU16(v, 2, address.getPort() ^ (MAGIC_COOKIE >>> 16));
      byte[] mask = xorMask(transactionId);
      for (int i = 0; i < ip.length; i++) {
        v[4 + i] = (byte) (ip[i] ^ mask[i]);
      }
      return attr(ATTR_XOR_MAPPED_ADDRESS, v);
    }

    byte[] build(byte[] key) {
      if (key != null) {
        putU16(out, 2, len + 24 - HEADER);
        byte[] mac = hmacSha1(key, out, len);
        attr(ATTR_MESSAGE_INTEGRITY, mac);
      }
      putU16(out, 2, len + 8 - HEADER);
      int fp = crc(out, len);
      byte[] v = new byte[4];
      putI32(v, 0, fp);
      attr(ATTR_FINGERPRINT, v);
      return Arrays.copyOf(out, len);
    }
  }

  private static InetSocketAddress readXorAddress(byte[] d, int v, int alen, byte[] transactionId) {
    int family = alen >= 4 ? d[v + 1] : 0;
    int ipLen = family == 1 ? 4 : family == 2 ? 16 : 0;
    if (ipLen == 0 || alen < 4 + ipLen) {
      return null;
    }
    int port = u16(d, v + 2) ^ (MAGIC_COOKIE >>> 16);
    byte[] mask = xorMask(transactionId);
    byte[] ip = new byte[ipLen];
    for (int i = 0; i < ipLen; i++) {
      ip[i] = (byte) (d[v + 4 + i] ^ mask[i]);
    }
    try {
      return new InetSocketAddress(InetAddress.getByAddress(ip), port);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** RFC 5389 §15.2: addresses are XORed with the magic cookie followed by the transaction id. */
  private static byte[] xorMask(byte[] transactionId) {
    byte[] mask = new byte[16];
    putI32(mask, 0, MAGIC_COOKIE);
    System.arraycopy(transactionId, 0, mask, 4, 12);
    return mask;
  }

  /** FINGERPRINT over everything before it, with the length field already counting the FINGERPRINT attribute. */
  private static int crc(byte[] d, int upTo) {
    byte[] copy = Arrays.copyOf(d, upTo);
    putU16(copy, 2, upTo + 8 - HEADER);
    CRC32 crc = new CRC32();
    crc.update(copy, 0, upTo);
    return (int) crc.getValue() ^ FINGERPRINT_XOR;
  }

  static byte[] hmacSha1(byte[] key, byte[] data, int len) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(key, "HmacSHA1"));
      mac.update(data, 0, len);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 is part of every JDK", e);
    }
  }

  private static int u16(byte[] b, int at) {
    return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
  }

  private static int i32(byte[] b, int at) {
    return (u16(b, at) << 16) | u16(b, at + 2);
  }

  private static void putU16(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 8);
    b[at + 1] = (byte) v;
  }

  private static void putI32(byte[] b, int at, int v) {
    putU16(b, at, v >>> 16);
    putU16(b, at + 2, v);
  }
}
