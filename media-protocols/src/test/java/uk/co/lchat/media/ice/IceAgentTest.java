package uk.co.lchat.media.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import uk.co.lchat.media.sdp.IceParameters;

/**
 * The router's ICE agent (ice4j, controlled) against a controlling peer played by the test: it answers the peer's
 * checks, checks the path back with the peer's credentials, and selects the path the peer nominates.
 */
class IceAgentTest {
  private static final InetSocketAddress NODE = new InetSocketAddress("127.0.0.1", 10000);
  private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 40000);
  private static final IceParameters PEER_ICE = new IceParameters("peerUfrag", "peerPasswordOf22CharsAtLeast");

  private final SecureRandom random = new SecureRandom();
  private final BlockingQueue<Sent> sent = new LinkedBlockingQueue<>();
  private volatile CountDownLatch consent = new CountDownLatch(1);
  /** Messages {@link #connectPeer} saw going to another address than the peer's. */
  private int elsewhere;
  private IceAgent agent;

  private record Sent(byte[] message, InetSocketAddress to) {}

  @AfterEach
  void close() {
    if (agent != null) {
      agent.close();
    }
  }

  private IceAgent agent() throws Exception {
    agent = new IceAgent(NODE, (m, to) -> sent.add(new Sent(m, to)), new IceAgent.Listener() {
      @Override
      public void consentRefreshed() {
        consent.countDown();
      }

      @Override
      public void failed() {
      }
    });
    return agent;
  }

  private byte[] check(IceParameters local, boolean nominate) {
    byte[] tid = new byte[12];
    random.nextBytes(tid);
    return StunMessage.bindingRequest(tid, local.ufrag() + ":" + PEER_ICE.ufrag(), 0x6e0001ffL, true,
        random.nextLong() & Long.MAX_VALUE, nominate, local.pwd().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Plays the controlling peer until the agent selects its path: nominates, answers the agent's checks (signed with
   * the peer's password, as RFC 8445 §7.2.2 says they must be) and nominates again once they succeed. Returns
   * whether the agent answered the peer's own check.
   */
  private boolean connectPeer(IceAgent a) throws Exception {
    IceParameters local = a.local();
    a.setRemote(PEER_ICE, List.of("candidate:1 1 udp 2122260223 127.0.0.1 40000 typ host",
        "candidate:2 1 udp 2122260222 peer-host.local 40001 typ host"));
    byte[] request = check(local, true);
    assertTrue(a.deliver(request, 0, request.length, PEER));
    byte[] localKey = local.pwd().getBytes(StandardCharsets.UTF_8);
    boolean answered = false;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while ((a.selected() == null || !answered) && System.nanoTime() < deadline) {
      Sent s = sent.poll(100, TimeUnit.MILLISECONDS);
      if (s == null) {
        continue;
      }
      if (!PEER.equals(s.to())) {
        elsewhere++;
        continue;
      }
      StunMessage m = StunMessage.parse(s.message(), 0, s.message().length);
      assertNotNull(m);
      if (m.type() == StunMessage.BINDING_SUCCESS) {
        assertTrue(m.verifyIntegrity(localKey), "answers are signed with the node's password");
        assertEquals(PEER, m.xorMappedAddress());
        answered = true;
      } else if (m.type() == StunMessage.BINDING_REQUEST) {
        assertTrue(answerAsPeer(a, m));
        byte[] nominate = check(local, true);
        a.deliver(nominate, 0, nominate.length, PEER);
      }
    }
    return answered;
  }

  /** Answers one of the agent's checks as the peer would, if it is one: addressed to the peer and validly signed. */
  private boolean answerAsPeer(IceAgent a, StunMessage m) {
    byte[] peerKey = PEER_ICE.pwd().getBytes(StandardCharsets.UTF_8);
    if (!(PEER_ICE.ufrag() + ":" + a.local().ufrag()).equals(m.username()) || !m.verifyIntegrity(peerKey)
        || !m.iceControlled()) {
      return false;
    }
    byte[] ok = StunMessage.bindingSuccess(m.transactionId(), NODE, peerKey);
    a.deliver(ok, 0, ok.length, PEER);
    return true;
  }

  @Test
  void answersChecksChecksBackAndSelectsTheNominatedPath() throws Exception {
    IceAgent a = agent();
    IceParameters local = a.local();
    assertTrue(local.ufrag().length() >= 4 && local.pwd().length() >= 22, "RFC 8839 §5.4 lengths");
    assertTrue(connectPeer(a), "the peer's check was answered");
    assertEquals(0, elsewhere, "only the peer's address is contacted: the mDNS candidate never");
    assertEquals(PEER, a.selected(), "the nominated pair was selected");
  }

  /** RFC 7675: once a path is selected, the agent itself asks the peer for consent every few seconds. */
  @Test
  void keepsConsentOnTheSelectedPathWithItsOwnChecks() throws Exception {
    IceAgent a = agent();
    connectPeer(a);
    assertEquals(PEER, a.selected());
    Thread.sleep(200);
    sent.clear();
    consent = new CountDownLatch(1);
    int answered = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (consent.getCount() > 0 && System.nanoTime() < deadline) {
      Sent s = sent.poll(100, TimeUnit.MILLISECONDS);
      if (s != null) {
        StunMessage m = StunMessage.parse(s.message(), 0, s.message().length);
        assertEquals(PEER, s.to());
        if (m != null && m.type() == StunMessage.BINDING_REQUEST && answerAsPeer(a, m)) {
          answered++;
        }
      }
    }
    assertTrue(answered > 0, "the agent sent a consent check after selection");
    assertTrue(consent.await(1, TimeUnit.SECONDS), "its answer refreshed consent");
  }

  /**
   * A browser with two addresses may nominate one path and later move to the other; the agent must keep answering
   * checks there even after its own processing has terminated, or the browser's consent on its new path fails.
   */
  @Test
  void afterCompletionChecksOnAnotherWorkingPathAreStillAnswered() throws Exception {
    InetSocketAddress second = new InetSocketAddress("127.0.0.1", 40002);
    IceAgent a = agent();
    IceParameters local = a.local();
    a.setRemote(PEER_ICE, List.of());
    // The second path is checked (and checked back) first, without nomination.
    byte[] probe = check(local, false);
    a.deliver(probe, 0, probe.length, second);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    boolean secondChecked = false;
    while (!secondChecked && System.nanoTime() < deadline) {
      Sent s = sent.poll(100, TimeUnit.MILLISECONDS);
      if (s != null && s.to().equals(second)) {
        StunMessage m = StunMessage.parse(s.message(), 0, s.message().length);
        if (m != null && m.type() == StunMessage.BINDING_REQUEST) {
          byte[] ok = StunMessage.bindingSuccess(m.transactionId(), NODE, PEER_ICE.pwd().getBytes(StandardCharsets.UTF_8));
          a.deliver(ok, 0, ok.length, second);
          secondChecked = true;
        }
      }
    }
    assertTrue(secondChecked, "the agent checked the second path back");
    connectPeer(a);
    assertEquals(PEER, a.selected());
    // ice4j terminates processing a few seconds after completing.
    while (a.state() != org.ice4j.ice.IceProcessingState.TERMINATED && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(org.ice4j.ice.IceProcessingState.TERMINATED, a.state());
    sent.clear();
    byte[] renominate = check(local, true);
    a.deliver(renominate, 0, renominate.length, second);
    boolean answered = false;
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (!answered && System.nanoTime() < until) {
      Sent s = sent.poll(100, TimeUnit.MILLISECONDS);
      if (s != null && s.to().equals(second)) {
        StunMessage m = StunMessage.parse(s.message(), 0, s.message().length);
        answered = m != null && m.type() == StunMessage.BINDING_SUCCESS;
      }
    }
    assertTrue(answered, "the check on the other path was answered after termination");
  }

  @Test
  void aCheckWithTheWrongPasswordIsNotAnsweredWithSuccess() throws Exception {
    IceAgent a = agent();
    IceParameters local = a.local();
    a.setRemote(PEER_ICE, List.of());
    IceParameters forged = new IceParameters(local.ufrag(), "notThePasswordButLongEnough");
    byte[] request = check(forged, true);
    a.deliver(request, 0, request.length, PEER);
    Sent s;
    while ((s = sent.poll(1, TimeUnit.SECONDS)) != null) {
      StunMessage m = StunMessage.parse(s.message(), 0, s.message().length);
      assertTrue(m == null || m.type() != StunMessage.BINDING_SUCCESS, "a forged check must not succeed");
    }
    assertEquals(null, a.selected());
  }

  /**
   * Agents share the router's port: none of them may hold a socket descriptor of its own (ice4j's own socket
   * classes each open one, and one of those was never released), or a node with thousands of connections runs out.
   */
  @Test
  void agentsHoldNoSocketDescriptors() throws Exception {
    java.nio.file.Path fds = java.nio.file.Path.of("/proc/self/fd");
    org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isDirectory(fds), "needs Linux /proc");
    agent().close();
    long before = sockets(fds);
    List<IceAgent> agents = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      agents.add(agent());
    }
    long open = sockets(fds);
    agents.forEach(IceAgent::close);
    assertTrue(open - before < 5, "20 agents opened " + (open - before) + " socket descriptors");
  }

  private static long sockets(java.nio.file.Path fds) throws java.io.IOException {
    try (var list = java.nio.file.Files.list(fds)) {
      return list.filter(p -> {
        try {
          return java.nio.file.Files.readSymbolicLink(p).toString().startsWith("socket:");
        } catch (java.io.IOException e) {
          return false;
        }
      }).count();
    }
  }

  @Test
  void theCredentialsAreFreshPerAgent() throws Exception {
    IceParameters first = agent().local();
    agent.close();
    IceParameters second = agent().local();
    assertTrue(!first.ufrag().equals(second.ufrag()) && !first.pwd().equals(second.pwd()));
  }
}
