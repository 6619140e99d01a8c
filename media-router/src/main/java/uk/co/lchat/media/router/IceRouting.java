package uk.co.lchat.media.router;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import uk.co.lchat.media.ice.StunMessage;
import uk.co.lchat.media.sdp.IceParameters;

/**
 * The router's ICE, lite (RFC 8445 §2.5), on one port for every endpoint: which transport a datagram belongs to,
 * and where each transport's media goes. A binding request names its endpoint by ufrag (§7.3); once it verifies, it
 * is answered here (the browser is always the controlling agent and nominates; we send no checks of our own) and
 * the path it came on is known to belong to that endpoint. Media is latched to the first such path, then to the
 * peer's latest nomination, and follows any verified path the peer's handshake or authenticated media arrives on.
 * Relays are latched to their address from the start. The ufrag table is shared with control threads; everything
 * else is loop-owned.
 */
final class IceRouting {
  private static final String ICE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

  private final ReceiveLoop loop;
  private final SocketSender sender;
  private final RouterCounters counters;
  private final SecureRandom random = new SecureRandom();
  private final ConcurrentHashMap<String, Endpoint> byUfrag = new ConcurrentHashMap<>();
  // loop-owned
  /** The transport whose media is latched to each UDP address. */
  private final Map<InetSocketAddress, Transport> byAddress = new HashMap<>();
  /** UDP addresses that sent an endpoint a verified check: media from there may move the endpoint's path there. */
  private final Map<InetSocketAddress, Endpoint> checkedFrom = new HashMap<>();

  IceRouting(ReceiveLoop loop, RouterCounters counters) {
    this.loop = loop;
    this.sender = loop.sender();
    this.counters = counters;
  }

  // ---- endpoints' credentials (any thread) ------------------------------------------------------------------------

  /** ICE credentials of RFC 8839 §5.4's sizes (ufrag 8 and password 24 ice-chars: 48 and 144 random bits). */
  IceParameters freshCredentials() {
    return new IceParameters(randomToken(8), randomToken(24));
  }

  private String randomToken(int length) {
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append(ICE_CHARS.charAt(random.nextInt(ICE_CHARS.length())));
    }
    return sb.toString();
  }

  /** Binding requests with the endpoint's ufrag are its own from now on. */
  void register(Endpoint e) {
    byUfrag.put(e.ice.ufrag(), e);
  }

  /**
   * ICE restart (RFC 8445 §2.4): fresh credentials for the endpoint; the DTLS association and SRTP keys stay. The old
   * credentials stop working at once; the path is latched again when the peer's checks with the new ones arrive.
   */
  IceParameters restart(Endpoint e) {
    IceParameters fresh = freshCredentials();
    IceParameters old = e.ice;
    e.icePassword = fresh.pwd().getBytes(StandardCharsets.UTF_8);
    e.ice = fresh;
    byUfrag.put(fresh.ufrag(), e);
    byUfrag.remove(old.ufrag(), e);
    loop.enqueue(() -> e.nominated = false);
    return fresh;
  }

  /** The endpoint is closing: its ufrag means nothing any more. */
  void unregister(Endpoint e) {
    byUfrag.remove(e.ice.ufrag(), e);
  }

  // ---- the loop ---------------------------------------------------------------------------------------------------

  /** A relay's media is its address's from the start: there is no ICE between routers. */
  void latch(Relay relay) {
    byAddress.put(relay.remote, relay);
  }

  /** Forgets every path of a closed transport. */
  void forget(Transport t) {
    if (t.remote != null) {
      byAddress.remove(t.remote, t);
    }
    checkedFrom.values().removeIf(v -> v == t);
  }

  /** The transport latched to this path: a UDP address, or an ICE-TCP connection that is its endpoint's path. */
  Transport latched(InetSocketAddress from, IceTcpConnection via) {
    if (via == null) {
      return byAddress.get(from);
    }
    Endpoint e = via.endpoint;
    return e != null && e.tcp == via ? e : null;
  }

  /** The endpoint whose peer sent a verified binding request on this path (latched or not), or null. */
  Endpoint verified(InetSocketAddress from, IceTcpConnection via) {
    Endpoint e = via == null ? checkedFrom.get(from) : via.checkedBy;
    return e == null || e.closed ? null : e;
  }

  /**
   * The peer sends on a verified path other than the latched one: that path becomes the endpoint's. A controlling
   * agent may nominate several pairs and use the one of highest priority (RFC 8445 §8.1.1); Firefox nominates every
   * pair it checks against our ice-lite, so its last nomination is often not the pair its DTLS and media use. Media
   * goes where the peer's media comes from: its handshake before SRTP keys exist, authenticated SRTP after.
   */
  void follow(Endpoint e, InetSocketAddress from, IceTcpConnection via) {
    latch(e, from, via);
    counters.pathsFollowed++;
  }

  /**
   * STUN on the shared port. A binding request that verifies (ufrag, FINGERPRINT, MESSAGE-INTEGRITY: RFC 8489
   * §14.5, §14.7) checks the path for its endpoint, renews its consent, may move its media there, and is answered.
   * A lite agent sends no requests, so no other STUN is for us.
   */
  void stun(InetSocketAddress from, byte[] buf, int len, IceTcpConnection via) {
    StunMessage m = StunMessage.parse(buf, 0, len);
    if (m == null) {
      counters.dropped++;
      return;
    }
    if (m.type() == StunMessage.BINDING_INDICATION) {
      return; // a keepalive (RFC 5389 §10.1): nothing to answer
    }
    if (m.type() != StunMessage.BINDING_REQUEST) {
      counters.dropped++; // a lite agent sends no requests, so a response is not for us
      return;
    }
    String username = m.username();
    int colon = username == null ? -1 : username.indexOf(':');
    Endpoint e = colon > 0 ? byUfrag.get(username.substring(0, colon)) : null;
    if (e == null || !m.verifyFingerprint()) {
      counters.stunRejected++;
      return;
    }
    if (!m.verifyIntegrity(e.icePassword)) {
      counters.stunRejected++;
      sender.sendStun(StunMessage.bindingError(m.transactionId(), 401, "Unauthorized", null), from, via);
      return;
    }
    if (m.iceControlled()) {
      // A lite agent is always controlled (RFC 8445 §6.1.1), so a peer claiming to be controlled has the roles
      // wrong: 487 tells it to switch (§7.3.1.1), and the check proves nothing until it does.
      counters.stunRejected++;
      sender.sendStun(StunMessage.bindingError(m.transactionId(), 487, "Role Conflict", e.icePassword), from, via);
      return;
    }
    e.lastConsentNanos = System.nanoTime();
    if (via == null) {
      checkedFrom.put(from, e);
    } else {
      via.checkedBy = e;
    }
    // Media starts on the first verified path and moves when the peer nominates another one (or checks from a new
    // one after an ICE restart).
    boolean samePath = from.equals(e.remote) && e.tcp == via;
    if (e.remote == null || (m.useCandidate() && !samePath) || (!e.nominated && !samePath && e.srtp != null)) {
      latch(e, from, via);
    }
    if (m.useCandidate()) {
      e.nominated = true;
    }
    // RFC 8445 §7.3.1: the success response carries the address the check came from (XOR-MAPPED-ADDRESS, which
    // the peer may learn a peer-reflexive candidate from) and is signed with our password. Each later check on
    // the pair, consent checks included (RFC 7675 §5.1), is answered the same way and renews consent.
    sender.sendStun(StunMessage.bindingSuccess(m.transactionId(), from, e.icePassword), from, via);
  }

  /** Sends the endpoint's media to this path from now on. */
  private void latch(Endpoint e, InetSocketAddress path, IceTcpConnection via) {
    if (e.remote != null && e.tcp == null) {
      byAddress.remove(e.remote, e);
    }
    e.remote = path;
    e.tcp = via;
    if (via == null) {
      byAddress.put(path, e);
    } else {
      via.endpoint = e;
    }
    if (!e.nominated) {
      (via == null ? counters.iceSucceededUdp : counters.iceSucceededTcp).increment();
    }
  }

  /** The connection closed: its endpoint, if it was latched there, has no path until ICE finds a new one. */
  void connectionClosed(IceTcpConnection c) {
    Endpoint e = c.endpoint;
    if (e != null && e.tcp == c) {
      e.tcp = null;
      e.remote = null;
      e.nominated = false;
    }
  }
}
