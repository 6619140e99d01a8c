package uk.co.lchat.testpeer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

import uk.co.lchat.media.dtls.DtlsAssociation;
import uk.co.lchat.media.dtls.DtlsCrypto;
import uk.co.lchat.media.dtls.DtlsIdentity;
import uk.co.lchat.media.dtls.PacketQueueTransport;
import uk.co.lchat.media.ice.StunMessage;
import uk.co.lchat.media.packet.PacketKind;
import uk.co.lchat.media.rtp.RtcpReports;
import uk.co.lchat.media.rtp.VideoCodec;
import uk.co.lchat.media.sdp.IceParameters;
import uk.co.lchat.media.srtp.PacketBuffer;
import uk.co.lchat.media.srtp.SrtpKeys;
import uk.co.lchat.media.srtp.SrtpProfile;
import uk.co.lchat.media.srtp.SrtpResult;
import uk.co.lchat.media.srtp.SrtpSession;

/**
 * A headless WebRTC peer as a browser behaves towards our router: it is ICE-controlling (nominates with
 * USE-CANDIDATE) and answers the router's checks, is the DTLS client, and sends and receives SRTP. Used by router tests and the load tool.
 */
public final class SimulatedPeer implements AutoCloseable {
  private volatile DatagramSocket socket;
  private final BcTlsCrypto crypto = new DtlsCrypto(new SecureRandom());
  private final DtlsIdentity identity = DtlsIdentity.generate(crypto);
  private final IceParameters localIce = new IceParameters("peer" + Long.toHexString(System.nanoTime() & 0xFFFF),
      "peerpassword0123456789ab");
  private final SecureRandom random = new SecureRandom();
  private final PacketBuffer rxPacket = new PacketBuffer();
  private final PacketBuffer txPacket = new PacketBuffer();
  private final AtomicLong rtpReceived = new AtomicLong();
  private final java.util.concurrent.atomic.AtomicInteger checksAnswered = new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicInteger consentGranted = new java.util.concurrent.atomic.AtomicInteger();
  private volatile int lastRtpLength;
  private volatile RtpSink rtpSink;
  private volatile SrtpSink srtpSink;
  /** One thread sends every peer's ICE consent checks (RFC 7675), so thousands of peers need no thread each. */
  private static final java.util.concurrent.ScheduledExecutorService CONSENT =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "peer-consent");
        t.setDaemon(true);
        return t;
      });
  private volatile java.util.concurrent.ScheduledFuture<?> consent;
  private volatile IceParameters serverIce;
  private volatile boolean stampSendTime;
  /** Header extension id of the transport-wide sequence number, or -1 when not sent. */
  private volatile int transportCcExtension = -1;
  private int transportSeq;
  /**
   * The longest RTP header {@link #sendRtpPacket} writes (12 bytes and two words of extensions) and the longest
   * SRTP tag we negotiate (AEAD_AES_128_GCM's 16 bytes, RFC 7714): what a payload leaves room for in a packet.
   */
  private static final int HEADER_AND_TAG_ROOM = 12 + 12 + 16;

  /** Sends a transport-wide sequence number in every RTP packet (transport-cc), as browsers do. */
  public void useTransportCc(int extensionId) {
    this.transportCcExtension = extensionId;
  }

  /** Sees every decrypted RTP packet this peer receives (on its reader thread). */
  public interface RtpSink {
    void rtp(byte[] packet, int length, long arrivalNanos);
  }

  public void onRtp(RtpSink sink) {
    this.rtpSink = sink;
  }

  /**
   * Sees every SRTP packet as it arrived, still protected, with the session that can unprotect it: for a receiver
   * that counts packets from their clear RTP header (RFC 3711 §3.1) and decrypts only some. Called on the reader
   * thread, which is the only one to unprotect RTP with that session. Once set, {@link #onRtp}'s sink and this
   * peer's own RTP counters see nothing.
   */
  public interface SrtpSink {
    void srtp(byte[] packet, int length, long arrivalNanos, SrtpSession session);
  }

  public void onSrtp(SrtpSink sink) {
    this.srtpSink = sink;
  }

  /**
   * Puts {@link System#nanoTime()} at sending into the last 8 bytes of every RTP payload, so a receiver in the same
   * process can measure one-way delay through the router (which forwards payloads untouched).
   */
  public void stampSendTime(boolean on) {
    this.stampSendTime = on;
  }
  private final AtomicLong keyframeRequests = new AtomicLong();
  private final AtomicLong receiverReports = new AtomicLong();
  private final java.util.concurrent.ConcurrentHashMap<Long, Long> perSsrc =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.Set<Integer> toLose = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.ConcurrentHashMap<Long, Long> senderReports =
      new java.util.concurrent.ConcurrentHashMap<>();
  private volatile InetSocketAddress server;
  private volatile SrtpSession srtp;
  private volatile PacketQueueTransport dtlsTransport;
  private volatile Thread reader;
  /** Set when the peer uses ICE-TCP (RFC 6544) instead of UDP; frames are RFC 4571 length-prefixed. */
  private volatile java.net.Socket tcp;
  private java.io.DataOutputStream tcpOut;
  private volatile boolean closed;
  /** A second local port that nominated a pair too and then fell silent (see {@link #alsoNominateAnotherPort}). */
  private volatile DatagramSocket otherPort;
  private volatile boolean nominateAnotherPort;

  /** The address its sockets bind: loopback, or the address of an interface that reaches a server elsewhere. */
  private final InetAddress localBind;

  /**
   * The largest tie-breaker (RFC 8445 §7.3.1.1, compared unsigned): a full agent that made the offer also takes the
   * controlling role (§6.1.1; Janus offers to its subscribers), and on the conflict the agent with the larger value
   * stays controlling, so the other side yields to this peer instead of answering 487, which this peer does not handle.
   */
  private static final long TIE_BREAKER = -1L;

  public SimulatedPeer() throws IOException {
    this(InetAddress.getLoopbackAddress());
  }

  /**
   * A peer whose sockets bind {@code localAddress}: a server that does not gather candidates on loopback (Janus)
   * runs in a network namespace behind a veth pair, and this side of the pair is the peer's address.
   */
  public SimulatedPeer(InetAddress localAddress) throws IOException {
    this.localBind = localAddress;
    socket = openSocket();
  }

  public String fingerprintAttribute() {
    return identity.fingerprintAttribute();
  }

  public IceParameters ice() {
    return localIce;
  }

  /** The UDP address this peer sends from now (it changes with {@code moveAndRestartIce}). */
  public InetSocketAddress localAddress() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  /**
   * Makes {@link #connect} nominate a second pair, from another local port, after the first and before DTLS, yet
   * run DTLS and media on the first: what Firefox does against an ice-lite peer (it nominates every pair it checks,
   * RFC 8445 §8.1.1, and uses the one of highest priority, which need not be the last it nominated).
   */
  public void alsoNominateAnotherPort() {
    this.nominateAnotherPort = true;
  }

  /** ICE (one nominated binding), then DTLS as client; returns when SRTP is ready. */
  public void connect(InetSocketAddress serverAddress, IceParameters serverIce, byte[] serverFingerprint)
      throws IOException, TimeoutException {
    this.server = serverAddress;
    this.serverIce = serverIce;
    bind(socket, serverAddress, serverIce);
    if (nominateAnotherPort) {
      DatagramSocket other = openSocket();
      otherPort = other;
      bind(other, serverAddress, serverIce);
    }
    socket.setSoTimeout(0);
    dtlsTransport = new PacketQueueTransport(this::transmit);
    reader = Thread.ofVirtual().name("peer-" + localIce.ufrag()).start(this::read);
    handshake(serverFingerprint);
  }

  /**
   * Consent freshness (RFC 7675 §5.1): a binding request to the server every 5 s, as browsers send, so the router
   * keeps the endpoint past its consent timeout; {@link #consentGranted} counts the router's answers.
   */
  private void keepConsent() {
    IceParameters ice = serverIce;
    if (consent != null || ice == null) {
      return;
    }
    byte[] key = ice.pwd().getBytes(StandardCharsets.UTF_8);
    consent = CONSENT.scheduleAtFixedRate(() -> {
      if (closed) {
        java.util.concurrent.ScheduledFuture<?> f = consent;
        if (f != null) {
          f.cancel(false);
        }
        return;
      }
      try {
        byte[] tid = new byte[12];
        random.nextBytes(tid);
        byte[] req = StunMessage.bindingRequest(tid, ice.ufrag() + ":" + localIce.ufrag(), 0x6e0001ffL,
            true, TIE_BREAKER, false, key);
        transmit(req, 0, req.length);
      } catch (IOException | RuntimeException e) {
        // the next one may get through
      }
    }, 5, 5, java.util.concurrent.TimeUnit.SECONDS);
  }

  private void handshake(byte[] serverFingerprint) throws IOException, TimeoutException {
    DtlsAssociation dtls = DtlsAssociation.connect(crypto, identity, serverFingerprint, dtlsTransport,
        localIce.ufrag(), SrtpProfile.AEAD_AES_128_GCM, SrtpProfile.AES_CM_128_HMAC_SHA1_80);
    try {
      SrtpKeys keys = dtls.keys().get(10, TimeUnit.SECONDS);
      srtp = new SrtpSession(keys);
      keepConsent();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IOException("DTLS failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    }
  }

  /**
   * Like {@link #connect} but over ICE-TCP: one TCP connection to the server's passive candidate carries STUN, DTLS
   * and SRTP, each packet prefixed by its 16-bit length (RFC 4571).
   */
  public void connectTcp(InetSocketAddress serverAddress, IceParameters serverIce, byte[] serverFingerprint)
      throws IOException, TimeoutException {
    this.server = serverAddress;
    this.serverIce = serverIce;
    java.net.Socket s = new java.net.Socket();
    s.setTcpNoDelay(true);
    s.connect(serverAddress, 5000);
    java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(s.getInputStream()));
    tcpOut = new java.io.DataOutputStream(new java.io.BufferedOutputStream(s.getOutputStream()));
    tcp = s;
    byte[] key = serverIce.pwd().getBytes(StandardCharsets.UTF_8);
    byte[] tid = new byte[12];
    random.nextBytes(tid);
    byte[] req = StunMessage.bindingRequest(tid, serverIce.ufrag() + ":" + localIce.ufrag(), 0x6e0001ffL, true,
        TIE_BREAKER, true, key);
    transmit(req, 0, req.length);
    s.setSoTimeout(5000);
    byte[] buf = new byte[PacketBuffer.CAPACITY];
    StunMessage m;
    try {
      while (true) {
        int len = in.readUnsignedShort();
        in.readFully(buf, 0, len);
        m = StunMessage.parse(buf, 0, len);
        if (m != null && m.type() != StunMessage.BINDING_SUCCESS
            && !java.util.Arrays.equals(m.transactionId(), tid)) {
          // Anything else the server sends on the connection (a full agent's own check back, RFC 8445
          // §7.2.5.2) may come before its answer to ours.
          dispatch(buf, len);
          continue;
        }
        break;
      }
    } catch (java.net.SocketTimeoutException e) {
      throw new TimeoutException("no ICE-TCP binding response from " + serverAddress);
    }
    if (m == null || m.type() != StunMessage.BINDING_SUCCESS || !m.verifyIntegrity(key)) {
      throw new IOException("ICE-TCP binding refused");
    }
    s.setSoTimeout(0);
    dtlsTransport = new PacketQueueTransport(this::transmit);
    reader = Thread.ofVirtual().name("peer-tcp-" + localIce.ufrag()).start(() -> readTcp(in));
    handshake(serverFingerprint);
  }

  private void readTcp(java.io.DataInputStream in) {
    byte[] buf = new byte[PacketBuffer.CAPACITY];
    try {
      while (!closed) {
        int len = in.readUnsignedShort();
        if (len > buf.length) {
          in.skipNBytes(len);
          continue;
        }
        in.readFully(buf, 0, len);
        dispatch(buf, len);
      }
    } catch (IOException e) {
      // closed
    }
  }

  /** Sends one packet over the current path: a datagram, or a length-prefixed frame on the TCP connection. */
  private void transmit(byte[] b, int off, int len) throws IOException {
    if (tcp != null) {
      synchronized (this) {
        tcpOut.writeShort(len);
        tcpOut.write(b, off, len);
        tcpOut.flush();
      }
    } else {
      socket.send(new DatagramPacket(b, off, len, server));
    }
  }

  /**
   * Moves to a new local port, as after a network change, and runs ICE again with the server's new credentials
   * (an ICE restart); DTLS and SRTP carry on.
   */
  public void moveAndRestartIce(IceParameters serverIce) throws IOException, TimeoutException {
    DatagramSocket fresh = openSocket();
    bind(fresh, server, serverIce);
    this.serverIce = serverIce;
    fresh.setSoTimeout(0);
    DatagramSocket old = socket;
    socket = fresh;
    old.close();
  }

  /**
   * A loopback socket with a receive buffer of 1 MiB (the kernel's default, about 200 KB, holds only some hundred
   * packets): on a loaded machine this peer's reader thread may be late, and a burst the router delivered must not
   * be lost in the peer's own socket and counted against the router.
   */
  private DatagramSocket openSocket() throws IOException {
    DatagramSocket s = new DatagramSocket(new InetSocketAddress(localBind, 0));
    s.setReceiveBufferSize(1 << 20);
    return s;
  }

  /** Connectivity checks until one nominated binding succeeds (RFC 8445 §7.2). */
  private void bind(DatagramSocket socket, InetSocketAddress serverAddress, IceParameters serverIce)
      throws IOException, TimeoutException {
    byte[] key = serverIce.pwd().getBytes(StandardCharsets.UTF_8);
    socket.setSoTimeout(200);
    boolean bound = false;
    byte[] buf = new byte[1500];
    for (int attempt = 0; attempt < 25 && !bound; attempt++) {
      byte[] tid = new byte[12];
      random.nextBytes(tid);
      byte[] req = StunMessage.bindingRequest(tid, serverIce.ufrag() + ":" + localIce.ufrag(), 0x6e0001ffL, true,
          TIE_BREAKER, true, key);
      socket.send(new DatagramPacket(req, req.length, serverAddress));
      try {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        socket.receive(p);
        StunMessage m = StunMessage.parse(buf, 0, p.getLength());
        byte[] answer = answerTo(m, serverAddress);
        if (answer != null) {
          socket.send(new DatagramPacket(answer, answer.length, serverAddress));
        }
        bound = m != null && m.type() == StunMessage.BINDING_SUCCESS && m.verifyIntegrity(key);
      } catch (SocketTimeoutException e) {
        // retransmit (RFC 5389 §7.2.1)
      }
    }
    if (!bound) {
      throw new TimeoutException("no ICE binding response from " + serverAddress);
    }
  }

  private void read() {
    byte[] buf = new byte[PacketBuffer.CAPACITY];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    while (!closed) {
      DatagramSocket current = socket;
      try {
        p.setLength(buf.length);
        current.receive(p);
        dispatch(buf, p.getLength());
      } catch (IOException e) {
        if (closed) {
          return;
        }
        // the socket was replaced by moveAndRestartIce: read from the new one
      }
    }
  }

  /**
   * A full ICE agent would check the path back and keep consent with binding requests of its own (RFC 8445
   * §7.2.5.2, RFC 7675): a valid one gets a success response signed with our password, as a browser answers. Our
   * router is lite and sends none; other servers may. A success response to one of our own consent checks, signed
   * with the server's password, counts as consent granted.
   */
  private byte[] answerTo(StunMessage m, InetSocketAddress from) {
    IceParameters theirs = serverIce;
    if (m != null && m.type() == StunMessage.BINDING_SUCCESS && theirs != null
        && m.verifyIntegrity(theirs.pwd().getBytes(StandardCharsets.UTF_8))) {
      consentGranted.incrementAndGet();
      return null;
    }
    byte[] key = localIce.pwd().getBytes(StandardCharsets.UTF_8);
    if (m == null || m.type() != StunMessage.BINDING_REQUEST || !m.verifyIntegrity(key)) {
      return null;
    }
    checksAnswered.incrementAndGet();
    return StunMessage.bindingSuccess(m.transactionId(), from, key);
  }

  /** How many of the server's own checks (path checks and consent) this peer answered. */
  public int checksAnswered() {
    return checksAnswered.get();
  }

  /** How many of this peer's consent checks the server answered with a valid success response (RFC 7675 §5.1). */
  public int consentGranted() {
    return consentGranted.get();
  }

  private void dispatch(byte[] buf, int len) {
    switch (PacketKind.of(buf, 0, len)) {
      case STUN -> {
        byte[] answer = answerTo(StunMessage.parse(buf, 0, len), server);
        if (answer != null) {
          try {
            transmit(answer, 0, answer.length);
          } catch (IOException e) {
            // the router asks again
          }
        }
      }
      case DTLS -> dtlsTransport.offer(buf, 0, len);
      case RTP -> onRtp(buf, len);
      case RTCP -> onRtcp(buf, len);
      default -> { }
    }
  }

  private void onRtp(byte[] buf, int len) {
    SrtpSession s = srtp;
    if (s == null) {
      return;
    }
    int seq = ((buf[2] & 0xFF) << 8) | (buf[3] & 0xFF);
    if (!toLose.isEmpty() && toLose.remove(seq)) {
      return; // simulated network loss: the sequence number is in the clear (RFC 3711 §3.1)
    }
    SrtpSink raw = srtpSink;
    if (raw != null) {
      raw.srtp(buf, len, System.nanoTime(), s);
      return;
    }
    synchronized (rxPacket) {
      rxPacket.copyFrom(buf, 0, len);
      if (s.unprotectRtp(rxPacket) == SrtpResult.OK) {
        rtpReceived.incrementAndGet();
        lastRtpLength = rxPacket.getLength();
        RtpSink sink = rtpSink;
        if (sink != null) {
          sink.rtp(rxPacket.getBuffer(), rxPacket.getLength(), System.nanoTime());
        }
        long ssrc = ((long) (buf[8] & 0xFF) << 24) | ((buf[9] & 0xFF) << 16) | ((buf[10] & 0xFF) << 8)
            | (buf[11] & 0xFF);
        perSsrc.merge(ssrc, 1L, Long::sum);
      }
    }
  }

  private void onRtcp(byte[] buf, int len) {
    SrtpSession s = srtp;
    if (s == null) {
      return;
    }
    synchronized (rxPacket) {
      rxPacket.copyFrom(buf, 0, len);
      if (s.unprotectRtcp(rxPacket) == SrtpResult.OK) {
        RtcpReports.read(rxPacket.getBuffer(), 0, rxPacket.getLength(), new RtcpReports.Sink() {
          @Override
          public void senderReport(long ssrc, long ntp, long rtpTimestamp, long packets, long octets) {
            senderReports.put(ssrc, RtcpReports.compactNtp(ntp));
          }

          @Override
          public void reportBlock(long reporter, int fraction, int lost, long source, long jitter, long lsr,
              long dlsr) {
            receiverReports.incrementAndGet();
          }

          @Override
          public void keyframeRequest(long mediaSsrc) {
            keyframeRequests.incrementAndGet();
          }
        });
      }
    }
  }

  /** Sends one RTP packet with {@code payloadLength} bytes of payload. */
  public void sendRtp(int payloadType, long ssrc, int seq, long timestamp, int payloadLength) throws IOException {
    send(payloadType, ssrc, seq, timestamp, payloadLength, -1, 0);
  }

  /**
   * Sends one RTP packet; when {@code extensionId > 0} it carries an RFC 6464 audio level ({@code level} -dBov) in a
   * one-byte header extension (RFC 8285 §4.2).
   */
  public void sendRtpWithAudioLevel(int payloadType, long ssrc, int seq, long timestamp, int extensionId, int level)
      throws IOException {
    send(payloadType, ssrc, seq, timestamp, 60, extensionId, level);
  }

  /** Sends one RTP packet carrying abs-send-time {@code value} (24 bits) under one-byte extension {@code extensionId}. */
  public void sendRtpWithAbsSendTime(int payloadType, long ssrc, int seq, long timestamp, int extensionId, int value)
      throws IOException {
    synchronized (txPacket) {
      byte[] b = txPacket.getBuffer();
      b[12] = (byte) 0xBE;
      b[13] = (byte) 0xDE;
      b[14] = 0;
      b[15] = 1; // one 32-bit word: the element's header byte and its three bytes
      b[16] = (byte) ((extensionId << 4) | 2);
      b[17] = (byte) (value >>> 16);
      b[18] = (byte) (value >>> 8);
      b[19] = (byte) value;
      writeFixedHeader(b, true, payloadType, seq, timestamp, ssrc);
      for (int i = 0; i < 60; i++) {
        b[20 + i] = (byte) i;
      }
      protectAndTransmit(20 + 60, 60);
    }
  }

  private void send(int payloadType, long ssrc, int seq, long timestamp, int payloadLength, int extensionId,
      int level) throws IOException {
    synchronized (txPacket) {
      byte[] b = txPacket.getBuffer();
      int header = writeExtensions(b, extensionId, level);
      writeFixedHeader(b, header > 12, payloadType, seq, timestamp, ssrc);
      for (int i = 0; i < payloadLength; i++) {
        b[header + i] = (byte) i;
      }
      protectAndTransmit(header + payloadLength, payloadLength);
    }
  }

  /**
   * Sends one RTP packet whose payload an encoder made (FFmpeg's VP8 or Opus) as this peer's own: our payload type,
   * SSRC, sequence number and timestamp, the encoder's marker bit (RFC 3550 §5.1; a VP8 frame's last packet, RFC
   * 7741 §4.1), and the transport-wide sequence number when this peer sends one, as {@link #sendRtp} and
   * {@link #sendLayer} do (no abs-send-time: only {@link #sendRtpWithAbsSendTime} sends that). The payload goes
   * out as it came: never stamped with the send time ({@link #stampSendTime}), which would break the picture or
   * the sound.
   */
  public void sendRtpPacket(int payloadType, long ssrc, int seq, long timestamp, boolean marker, byte[] payload,
      int offset, int length) throws IOException {
    sendRtpPacket(payloadType, ssrc, seq, timestamp, marker, payload, offset, length, -1, 0);
  }

  /** As {@link #sendRtpPacket}, with an RFC 6464 audio level ({@code level} -dBov) under {@code extensionId}. */
  public void sendRtpPacketWithAudioLevel(int payloadType, long ssrc, int seq, long timestamp, boolean marker,
      byte[] payload, int offset, int length, int extensionId, int level) throws IOException {
    sendRtpPacket(payloadType, ssrc, seq, timestamp, marker, payload, offset, length, extensionId, level);
  }

  private void sendRtpPacket(int payloadType, long ssrc, int seq, long timestamp, boolean marker, byte[] payload,
      int offset, int length, int extensionId, int level) throws IOException {
    if (length > PacketBuffer.CAPACITY - HEADER_AND_TAG_ROOM) {
      throw new IOException("an RTP payload of " + length + " bytes does not fit an SRTP packet");
    }
    synchronized (txPacket) {
      byte[] b = txPacket.getBuffer();
      int header = writeExtensions(b, extensionId, level);
      writeFixedHeader(b, header > 12, payloadType, seq, timestamp, ssrc);
      if (marker) {
        b[1] |= (byte) 0x80;
      }
      System.arraycopy(payload, offset, b, header, length);
      protectAndTransmit(header + length, 0);
    }
  }

  /**
   * The header extension block after the fixed header (RFC 8285 §4.2, one-byte form): the audio level when
   * {@code extensionId > 0}, the transport-wide sequence number when this peer sends one. Returns the header's
   * length: 12 when there is neither.
   */
  private int writeExtensions(byte[] b, int extensionId, int level) {
    int twcc = transportCcExtension;
    if (extensionId <= 0 && twcc <= 0) {
      return 12;
    }
    b[12] = (byte) 0xBE;
    b[13] = (byte) 0xDE;
    b[14] = 0;
    int at = 16;
    if (extensionId > 0) {
      b[at++] = (byte) (extensionId << 4); // length field 0 means one byte of data
      b[at++] = (byte) (0x80 | level);
    }
    at = putTransportSeq(b, at, twcc);
    int words = (at - 16 + 3) / 4;
    java.util.Arrays.fill(b, at, 16 + words * 4, (byte) 0);
    b[15] = (byte) words;
    return 16 + words * 4;
  }

  /** The 12-byte RTP header (RFC 3550 §5.1), version 2, with the X bit when an extension follows. */
  private static void writeFixedHeader(byte[] b, boolean extension, int payloadType, int seq, long timestamp,
                                       long ssrc) {
    b[0] = (byte) (extension ? 0x90 : 0x80);
    b[1] = (byte) payloadType;
    b[2] = (byte) (seq >>> 8);
    b[3] = (byte) seq;
    for (int i = 0; i < 4; i++) {
      b[4 + i] = (byte) (timestamp >>> (24 - 8 * i));
      b[8 + i] = (byte) (ssrc >>> (24 - 8 * i));
    }
  }

  /**
   * Sends the first {@code length} bytes of the packet buffer: stamps the send time at its end (when the last
   * {@code stampRoom} bytes are payload enough for it), SRTP-protects and transmits.
   */
  private void protectAndTransmit(int length, int stampRoom) throws IOException {
    byte[] b = txPacket.getBuffer();
    txPacket.set(0, length);
    stamp(b, length, stampRoom);
    if (srtp.protectRtp(txPacket) == SrtpResult.OK) {
      transmit(b, 0, txPacket.getLength());
    }
  }

  /**
   * Sends one VP8 packet (RFC 7741 descriptor; {@code keyframe} marks a keyframe start) carrying the simulcast
   * layer's rid in a one-byte header extension (RFC 8852).
   */
  public void sendVp8Layer(int payloadType, long ssrc, int seq, long timestamp, boolean keyframe, int ridExtensionId,
      String rid, int payloadLength) throws IOException {
    sendLayer(VideoCodec.VP8, payloadType, ssrc, seq, timestamp, keyframe, ridExtensionId, rid, payloadLength);
  }

  /**
   * One packet of a simulcast layer named by the rid extension: a whole frame whose payload starts as the codec's
   * keyframes or delta frames do (VP8 descriptor and frame tag; an H.264 IDR or non-IDR slice NAL unit).
   */
  public void sendLayer(VideoCodec codec, int payloadType, long ssrc, int seq, long timestamp, boolean keyframe,
      int ridExtensionId, String rid, int payloadLength) throws IOException {
    sendLayer(codec, payloadType, ssrc, seq, timestamp, keyframe, ridExtensionId, rid, payloadLength, true, false);
  }

  /**
   * As above, one packet of a frame of several: only the first starts the VP8 partition (S bit) and the last
   * carries the marker (RFC 7741 §4.1, §4.2), as a depacketizer (FFmpeg's) needs to put the frame together.
   */
  public void sendLayer(VideoCodec codec, int payloadType, long ssrc, int seq, long timestamp, boolean keyframe,
      int ridExtensionId, String rid, int payloadLength, boolean firstOfFrame, boolean lastOfFrame)
      throws IOException {
    sendLayer(codec, payloadType, ssrc, seq, timestamp, keyframe, ridExtensionId, rid, payloadLength, firstOfFrame,
        lastOfFrame, 360);
  }

  /**
   * As above, a VP8 keyframe saying its picture is {@code height} pixels high (and 16:9 wide), as a layer scaled
   * down by the publisher would: the router learns each layer's height from its keyframes.
   */
  public void sendLayer(VideoCodec codec, int payloadType, long ssrc, int seq, long timestamp, boolean keyframe,
      int ridExtensionId, String rid, int payloadLength, boolean firstOfFrame, boolean lastOfFrame, int height)
      throws IOException {
    int width = height * 16 / 9;
    synchronized (txPacket) {
      byte[] b = txPacket.getBuffer();
      byte[] r = rid.getBytes(StandardCharsets.US_ASCII);
      int twcc = transportCcExtension;
      int extWords = (1 + r.length + (twcc > 0 ? 3 : 0) + 3) / 4;
      writeFixedHeader(b, true, payloadType, seq, timestamp, ssrc);
      if (lastOfFrame) {
        b[1] |= (byte) 0x80;
      }
      b[12] = (byte) 0xBE;
      b[13] = (byte) 0xDE;
      b[14] = 0;
      b[15] = (byte) extWords;
      java.util.Arrays.fill(b, 16, 16 + extWords * 4, (byte) 0);
      b[16] = (byte) ((ridExtensionId << 4) | (r.length - 1));
      System.arraycopy(r, 0, b, 17, r.length);
      putTransportSeq(b, 17 + r.length, twcc);
      int pos = 16 + extWords * 4;
      if (codec == VideoCodec.H264) {
        b[pos] = (byte) (keyframe ? 0x65 : 0x41); // NAL unit header: nal_ref_idc 3, type 5 (IDR) or 1 (slice)
        b[pos + 1] = (byte) 0x88;
      } else {
        b[pos] = (byte) (firstOfFrame ? 0x10 : 0x00); // S=1 on a frame's first packet, PID=0
        b[pos + 1] = (byte) (keyframe ? 0x00 : 0x01); // VP8 frame tag: P=0 for a keyframe
      }
      for (int i = 2; i < payloadLength; i++) {
        b[pos + i] = (byte) i;
      }
      if (codec == VideoCodec.VP8 && keyframe && payloadLength >= 40) {
        // RFC 6386 §9.1: a keyframe's start code and size (640x360 unless told), so a recorder (FFmpeg) learns them;
        // the rest is still filler, not a decodable picture.
        int tag = 0x10 | (20 << 5); // P=0, version 0, show_frame, a first partition of 20 bytes (filler)
        b[pos + 1] = (byte) tag;
        b[pos + 2] = (byte) (tag >> 8);
        b[pos + 3] = (byte) (tag >> 16);
        b[pos + 4] = (byte) 0x9d;
        b[pos + 5] = 0x01;
        b[pos + 6] = 0x2a;
        b[pos + 7] = (byte) (width & 0xFF);
        b[pos + 8] = (byte) (width >> 8);
        b[pos + 9] = (byte) (height & 0xFF);
        b[pos + 10] = (byte) (height >> 8);
      }
      protectAndTransmit(pos + payloadLength, payloadLength - 2);
    }
  }

  /** Asks the server to resend {@code seq} and those flagged in {@code mask} (generic NACK). */
  public void sendNack(long mediaSsrc, int seq, int mask) throws IOException {
    byte[] b = new byte[64];
    sendRtcp(b, RtcpReports.writeNack(b, 0, 0xCAFE, mediaSsrc, seq, mask));
  }

  /** A receiver report about {@code sourceSsrc} echoing the server's last SR (LSR) after {@code dlsr}. */
  public void sendReceiverReport(long sourceSsrc, long lsr, long dlsr) throws IOException {
    sendReceiverReport(sourceSsrc, 0, lsr, dlsr);
  }

  /** A receiver report for {@code sourceSsrc} claiming {@code fractionLost}/256 lost (RFC 3550 §6.4.1). */
  public void sendReceiverReport(long sourceSsrc, int fractionLost, long lsr, long dlsr) throws IOException {
    byte[] b = new byte[128];
    sendRtcp(b, RtcpReports.writeReceiverReport(b, 0, 0xCAFE,
        new RtcpReports.Block(sourceSsrc, fractionLost, 0, 0, 0, lsr, dlsr)));
  }

  private void sendRtcp(byte[] packet, int len) throws IOException {
    synchronized (txPacket) {
      System.arraycopy(packet, 0, txPacket.getBuffer(), 0, len);
      txPacket.set(0, len);
      if (srtp.protectRtcp(txPacket) == SrtpResult.OK) {
        transmit(txPacket.getBuffer(), 0, txPacket.getLength());
      }
    }
  }

  /** RFC 8285 one-byte element with a 16-bit transport-wide sequence number; returns the next free offset. */
  private int putTransportSeq(byte[] b, int at, int extensionId) {
    if (extensionId <= 0) {
      return at;
    }
    int seq = transportSeq++ & 0xFFFF;
    b[at] = (byte) ((extensionId << 4) | 1); // two bytes of data
    b[at + 1] = (byte) (seq >>> 8);
    b[at + 2] = (byte) seq;
    return at + 3;
  }

  private void stamp(byte[] b, int end, int room) {
    if (stampSendTime && room >= 8) {
      long now = System.nanoTime();
      for (int i = 0; i < 8; i++) {
        b[end - 8 + i] = (byte) (now >>> (56 - 8 * i));
      }
    }
  }

  /** The send time a stamping peer put at the end of this RTP packet's payload. */
  public static long sendTimeOf(byte[] packet, int length) {
    long t = 0;
    for (int i = 0; i < 8; i++) {
      t = (t << 8) | (packet[length - 8 + i] & 0xFF);
    }
    return t;
  }

  /** Drops the first arrival of each of these sequence numbers, as a lossy network would. */
  public void loseOnce(int... seqs) {
    for (int seq : seqs) {
      toLose.add(seq);
    }
  }

  public long receiverReports() {
    return receiverReports.get();
  }

  /** The compact NTP time of the last SR received for {@code ssrc}, or 0. */
  public long lastSenderReport(long ssrc) {
    return senderReports.getOrDefault(ssrc, 0L);
  }

  public long rtpReceivedOn(long ssrc) {
    return perSsrc.getOrDefault(ssrc, 0L);
  }

  /** The decrypted length (header and payload) of the last RTP packet received. */
  public int lastRtpLength() {
    return lastRtpLength;
  }

  public long rtpReceived() {
    return rtpReceived.get();
  }

  public long keyframeRequests() {
    return keyframeRequests.get();
  }

  @Override
  public void close() {
    closed = true;
    java.util.concurrent.ScheduledFuture<?> f = consent;
    if (f != null) {
      f.cancel(false);
    }
    socket.close();
    DatagramSocket other = otherPort;
    if (other != null) {
      other.close();
    }
    java.net.Socket tcpSocket = tcp;
    if (tcpSocket != null) {
      try {
        tcpSocket.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
    PacketQueueTransport t = dtlsTransport;
    if (t != null) {
      t.close();
    }
  }
}
