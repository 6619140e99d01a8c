package uk.co.lchat.media.router;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import uk.co.lchat.media.ice.IceAgent;
import uk.co.lchat.media.ice.StunMessage;
import uk.co.lchat.media.sdp.IceParameters;

/**
 * Which transport a datagram on the shared port belongs to, and where each transport's media goes (RFC 8445 on one
 * port for every endpoint). A binding request names its endpoint by ufrag (§7.3); once it verifies, the path it came
 * on is known to belong to that endpoint, and media is latched to the first such path, then to the peer's latest
 * nomination, and follows any verified path the peer's handshake or authenticated media arrives on. The endpoint's
 * ice4j agent answers and checks back; its STUN goes out through here. Relays are latched to their address from the
 * start. The ufrag table is shared with control threads; everything else is loop-owned.
 */
final class IceRouting {
  private static final Logger LOG = LoggerFactory.getLogger(IceRouting.class);

  private final ReceiveLoop loop;
  private final SocketSender sender;
  private final RouterCounters counters;
  /** The local address agents see as their host candidate: the first advertised address on the media port. */
  private final InetSocketAddress agentAddress;
  private final ConcurrentHashMap<String, Endpoint> byUfrag = new ConcurrentHashMap<>();
  // loop-owned
  /** The transport whose media is latched to each UDP address. */
  private final Map<InetSocketAddress, Transport> byAddress = new HashMap<>();
  /** UDP addresses that sent an endpoint a valid check: its agent's STUN answers from there go to that endpoint. */
  private final Map<InetSocketAddress, Endpoint> checkedFrom = new HashMap<>();

  IceRouting(ReceiveLoop loop, RouterCounters counters, InetSocketAddress agentAddress) {
    this.loop = loop;
    this.sender = loop.sender();
    this.counters = counters;
    this.agentAddress = agentAddress;
  }

  // ---- endpoints and their agents (any thread) --------------------------------------------------------------------

  /** What one endpoint's agent reports, handed to the loop thread. */
  final class AgentEvents implements IceAgent.Listener {
    volatile Endpoint endpoint;

    @Override
    public void consentRefreshed() {
      Endpoint e = endpoint;
      if (e != null) {
        loop.enqueue(() -> e.lastConsentNanos = System.nanoTime());
      }
    }

    @Override
    public void failed() {
      LOG.debug("ICE failed for {}: no checked path both ways", endpoint);
    }
  }

  /** A new agent with fresh credentials (RFC 8839 §5.4) whose STUN goes out on the loop. */
  IceAgent newAgent(AgentEvents events) {
    try {
      return new IceAgent(agentAddress, (message, to) -> loop.enqueue(() -> sendAgentStun(message, to)), events);
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot start an ICE agent", ex);
    }
  }

  /** Binding requests with the endpoint's ufrag are its own from now on. */
  void register(Endpoint e) {
    byUfrag.put(e.ice.ufrag(), e);
  }

  /**
   * ICE restart (RFC 8445 §2.4): a new agent and fresh credentials for the endpoint; the DTLS association and SRTP
   * keys stay. The old credentials stop working at once; the path is latched again when the peer's checks with the
   * new ones arrive.
   */
  IceParameters restart(Endpoint e) {
    AgentEvents events = new AgentEvents();
    events.endpoint = e;
    IceAgent agent = newAgent(events);
    IceAgent previous = e.agent;
    // The peer's next SDP brings its new credentials; until then its old ones are the best guess (a peer that
    // moved without restarting keeps them).
    if (e.remoteIce != null) {
      agent.setRemote(e.remoteIce, List.of());
    }
    IceParameters fresh = agent.local();
    IceParameters old = e.ice;
    e.agent = agent;
    e.icePassword = fresh.pwd().getBytes(StandardCharsets.UTF_8);
    e.ice = fresh;
    byUfrag.put(fresh.ufrag(), e);
    byUfrag.remove(old.ufrag(), e);
    if (previous != null) {
      previous.close();
    }
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
   * §14.5, §14.7) checks the path for its endpoint, may move its media there, and goes to its agent, which answers
   * and checks back. Other STUN (answers to the agent's own checks and consent requests) goes to the endpoint whose
   * peer checked from that address or connection.
   */
  void stun(InetSocketAddress from, byte[] buf, int len, IceTcpConnection via) {
    StunMessage m = StunMessage.parse(buf, 0, len);
    if (m == null) {
      counters.dropped++;
      return;
    }
    if (m.type() != StunMessage.BINDING_REQUEST) {
      Endpoint e = via != null ? via.checkedBy : checkedFrom.get(from);
      IceAgent agent = e == null ? null : e.agent;
      if (agent == null || !agent.deliver(buf, 0, len, from)) {
        counters.dropped++;
      }
      return;
    }
    String username = m.username();
    int colon = username == null ? -1 : username.indexOf(':');
    Endpoint e = colon > 0 ? byUfrag.get(username.substring(0, colon)) : null;
    if (e == null || e.agent == null || !m.verifyFingerprint()) {
      counters.stunRejected++;
      return;
    }
    if (!m.verifyIntegrity(e.icePassword)) {
      counters.stunRejected++;
      sender.sendStun(StunMessage.bindingError(m.transactionId(), 401, "Unauthorized", null), from, via);
      return;
    }
    e.lastConsentNanos = System.nanoTime();
    if (via == null) {
      checkedFrom.put(from, e);
    } else {
      via.checkedBy = e;
    }
    // Media starts on the first verified path, so DTLS need not wait for the agent's check back, and moves when
    // the peer nominates another one (or checks from a new one after an ICE restart).
    boolean samePath = from.equals(e.remote) && e.tcp == via;
    if (e.remote == null || (m.useCandidate() && !samePath) || (!e.nominated && !samePath && e.srtp != null)) {
      latch(e, from, via);
    }
    if (m.useCandidate()) {
      e.nominated = true;
    }
    if (!e.agent.deliver(buf, 0, len, from)) {
      counters.dropped++;
    }
  }

  /** Sends the endpoint's media to this path from now on. */
  private void latch(Endpoint e, InetSocketAddress path, IceTcpConnection via) {
    if (e.remote != null && e.tcp == null) {
      byAddress.remove(e.remote, e);
    }
    e.udpQueue.clear();
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

  /** An agent's STUN for its peer: over the ICE-TCP connection the peer's checks came on, else over UDP. */
  private void sendAgentStun(byte[] message, InetSocketAddress to) {
    sender.sendStun(message, to, loop.connectionFrom(to));
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
