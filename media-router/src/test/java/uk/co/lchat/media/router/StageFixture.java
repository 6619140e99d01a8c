package uk.co.lchat.media.router;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import uk.co.lchat.media.sdp.IceParameters;
import uk.co.lchat.media.srtp.PacketBuffer;
import uk.co.lchat.media.srtp.SrtpKeys;
import uk.co.lchat.media.srtp.SrtpProfile;
import uk.co.lchat.media.srtp.SrtpResult;
import uk.co.lchat.media.srtp.SrtpSession;

/**
 * The router's objects without its sockets, for unit tests of stages, transports and subscriptions: transports
 * whose sends are recorded, the peer's end of each transport's SRTP session, and plain RTP packets built by hand.
 */
final class StageFixture {
  /** What a transport sent: the bytes as they would have gone on the wire. */
  record Sent(Transport to, byte[] bytes) {}

  /** Records every send instead of using a socket; or, with {@code keep} off, only counts them. */
  static final class RecordingSender implements PacketSender {
    final List<Sent> sent = new ArrayList<>();
    boolean keep = true;
    long count;

    @Override
    public boolean send(PacketBuffer packet, Transport to) {
      count++;
      if (keep) {
        sent.add(new Sent(to, Arrays.copyOf(packet.getBuffer(), packet.getLength())));
      }
      return true;
    }

    List<Sent> to(Transport t) {
      return sent.stream().filter(s -> s.to() == t).toList();
    }
  }

  final RouterCounters counters = new RouterCounters();
  final RecordingSender sender = new RecordingSender();
  /** The router's send buffer. */
  final PacketBuffer tx = new PacketBuffer();
  final KeyframeRequests keyframeRequests = new KeyframeRequests(Duration.ofMillis(300), tx, counters);
  private int port = 40000;

  /** A relay with fresh keys; {@link #peer} is the far router's end of its SRTP session. */
  Relay relay(String id) {
    SrtpKeys keys = keys();
    Relay r = new Relay(id, new InetSocketAddress("127.0.0.1", port++), new SrtpSession(keys), sender, counters);
    peers.add(new Peer(r, new SrtpSession(keys.reversed())));
    return r;
  }

  /** A client endpoint, connected (keys in place) at a loopback address. */
  Endpoint endpoint(String id) {
    Endpoint e = new Endpoint(id, "room", new IceParameters("u" + id, "password-of-" + id + "-0123456789"),
        new EndpointListener() {}, (to, b, o, l) -> { }, sender, counters);
    SrtpKeys keys = keys();
    e.srtp = new SrtpSession(keys);
    e.remote = new InetSocketAddress("127.0.0.1", port++);
    peers.add(new Peer(e, new SrtpSession(keys.reversed())));
    return e;
  }

  private record Peer(Transport transport, SrtpSession session) {}

  private final List<Peer> peers = new ArrayList<>();

  /** The other end of the transport's SRTP session (the browser, or the far router). */
  SrtpSession peer(Transport t) {
    return peers.stream().filter(p -> p.transport() == t).findFirst().orElseThrow().session();
  }

  /** A packet the transport received, as the chain starts with it: {@code bytes} in a fresh receive buffer. */
  ReceivedPacket arrived(Transport t, byte[] bytes) {
    PacketBuffer rx = new PacketBuffer();
    System.arraycopy(bytes, 0, rx.getBuffer(), 0, bytes.length);
    return new ReceivedPacket(rx).reset(t.remote, null, bytes.length, t, null, System.nanoTime());
  }

  /** A packet the peer encrypted for the transport, as it arrives. */
  ReceivedPacket arrivedEncrypted(Transport t, byte[] plain, boolean rtcp) {
    return arrived(t, encrypt(peer(t), plain, rtcp));
  }

  /** As above, through {@link RtpParse} already: the header is viewed. */
  ReceivedPacket parsed(Transport t, byte[] plain) {
    ReceivedPacket in = arrived(t, plain);
    if (!new RtpParse(counters).run(in)) {
      throw new IllegalArgumentException("not RTP");
    }
    return in;
  }

  static byte[] encrypt(SrtpSession session, byte[] plain, boolean rtcp) {
    PacketBuffer b = new PacketBuffer().copyFrom(plain, 0, plain.length);
    SrtpResult r = rtcp ? session.protectRtcp(b) : session.protectRtp(b);
    if (r != SrtpResult.OK) {
      throw new IllegalStateException("protect: " + r);
    }
    return Arrays.copyOf(b.getBuffer(), b.getLength());
  }

  /** Decrypts what a transport sent with the peer's end; null when it does not authenticate. */
  byte[] decrypt(Sent sent, boolean rtcp) {
    PacketBuffer b = new PacketBuffer().copyFrom(sent.bytes(), 0, sent.bytes().length);
    SrtpSession session = peer(sent.to());
    SrtpResult r = rtcp ? session.unprotectRtcp(b) : session.unprotectRtp(b);
    return r == SrtpResult.OK ? Arrays.copyOf(b.getBuffer(), b.getLength()) : null;
  }

  static SrtpKeys keys() {
    SecureRandom random = new SecureRandom();
    SrtpProfile profile = SrtpProfile.AEAD_AES_128_GCM;
    byte[] material = new byte[profile.keyingMaterialLength()];
    random.nextBytes(material);
    return SrtpKeys.fromDtlsExport(profile, material, true);
  }

  // ---- plain RTP (RFC 3550 §5.1) with RFC 8285 one-byte header extensions -------------------------------------

  static byte[] rtp(int payloadType, long ssrc, int seq, long timestamp, byte[] payload) {
    return rtp(payloadType, ssrc, seq, timestamp, payload, new int[0], new byte[0][]);
  }

  /** With one-byte header extensions: {@code ids[i]} carries {@code data[i]} (1 to 16 bytes). */
  static byte[] rtp(int payloadType, long ssrc, int seq, long timestamp, byte[] payload, int[] ids, byte[][] data) {
    int extBytes = 0;
    for (byte[] d : data) {
      extBytes += 1 + d.length;
    }
    int extWords = (extBytes + 3) / 4;
    int header = 12 + (ids.length > 0 ? 4 + extWords * 4 : 0);
    byte[] b = new byte[header + payload.length];
    b[0] = (byte) (ids.length > 0 ? 0x90 : 0x80);
    b[1] = (byte) payloadType;
    b[2] = (byte) (seq >>> 8);
    b[3] = (byte) seq;
    b[4] = (byte) (timestamp >>> 24);
    b[5] = (byte) (timestamp >>> 16);
    b[6] = (byte) (timestamp >>> 8);
    b[7] = (byte) timestamp;
    b[8] = (byte) (ssrc >>> 24);
    b[9] = (byte) (ssrc >>> 16);
    b[10] = (byte) (ssrc >>> 8);
    b[11] = (byte) ssrc;
    if (ids.length > 0) {
      b[12] = (byte) 0xBE;
      b[13] = (byte) 0xDE;
      b[14] = (byte) (extWords >>> 8);
      b[15] = (byte) extWords;
      int pos = 16;
      for (int i = 0; i < ids.length; i++) {
        b[pos++] = (byte) ((ids[i] << 4) | (data[i].length - 1));
        System.arraycopy(data[i], 0, b, pos, data[i].length);
        pos += data[i].length;
      }
    }
    System.arraycopy(payload, 0, b, header, payload.length);
    return b;
  }

  /** A VP8 payload (RFC 7741 §4.2): the first packet of a keyframe, or of a delta frame. */
  static byte[] vp8(boolean keyframe, int length) {
    byte[] p = new byte[length];
    p[0] = 0x10; // S=1, PID=0
    p[1] = (byte) (keyframe ? 0x00 : 0x01); // frame tag: P=0 for a keyframe
    for (int i = 2; i < length; i++) {
      p[i] = (byte) i;
    }
    return p;
  }

  static int u16(byte[] b, int at) {
    return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
  }

  static long u32(byte[] b, int at) {
    return ((b[at] & 0xFFL) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
  }
}
