package uk.co.lchat.media.ice;

import java.beans.PropertyChangeEvent;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.List;
import java.util.logging.Level;

import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.Agent;
import org.ice4j.ice.CandidatePair;
import org.ice4j.ice.CandidateType;
import org.ice4j.ice.Component;
import org.ice4j.ice.HostCandidate;
import org.ice4j.ice.IceMediaStream;
import org.ice4j.ice.IceProcessingState;
import org.ice4j.ice.KeepAliveStrategy;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.RemoteCandidate;
import org.ice4j.ice.harvest.CandidateHarvester;
import org.ice4j.ice.harvest.HarvestStatistics;
import org.ice4j.socket.IceSocketWrapper;
import org.ice4j.socket.IceUdpSocketWrapper;
import org.jitsi.config.JitsiConfig;
import org.jitsi.utils.logging2.LoggerImpl;

import uk.co.lchat.media.sdp.IceParameters;

/**
 * One endpoint's ICE agent, ice4j's {@link Agent} in the controlled role (RFC 8445 full ICE, as Jitsi Videobridge
 * runs it): it owns the endpoint's credentials, answers the peer's connectivity checks, sends triggered checks back,
 * accepts the peer's nomination and keeps consent (RFC 7675) on the selected pair. Its one host candidate is the
 * node's shared media port ({@link AgentSocket}); the router's loop hands it this endpoint's STUN and sends what it
 * answers, so every endpoint shares one UDP port and ICE-TCP connections work the same way.
 */
public final class IceAgent {
  /** What the router hears from the agent; called on ice4j's threads. */
  public interface Listener {
    /** A consent check on the selected path succeeded (RFC 7675 §5.1). */
    void consentRefreshed();

    /** ICE failed: no path works. */
    void failed();
  }

  /** Where the agent's STUN goes: the router, which owns the port. */
  public interface Output {
    void send(byte[] message, InetSocketAddress to);
  }

  private static final java.util.logging.Logger ICE4J_LOG = java.util.logging.Logger.getLogger("org.ice4j");

  static {
    // ice4j would otherwise look for an EC2 metadata service (a request to 169.254.169.254) when it builds its
    // harvesters; our candidates are the node's configured addresses, nothing is discovered.
    System.setProperty("ice4j.harvest.mapping.aws.enabled", "false");
    System.setProperty("ice4j.harvest.mapping.aws.force", "false");
    // RFC 7675 §5.1: a consent check every 5 s on average (ice4j randomizes it by ±20 %; its default is 15 s).
    System.setProperty("ice4j.consent-freshness.interval", "5 seconds");
    com.typesafe.config.ConfigFactory.invalidateCaches();
    JitsiConfig.Companion.reloadNewConfig();
    // One INFO line per agent and candidate is too much for a node with a thousand endpoints.
    ICE4J_LOG.setLevel(Level.WARNING);
  }

  private final Agent agent;
  private final IceMediaStream stream;
  private final Component component;
  private final AgentSocket socket;
  private final Listener listener;
  private volatile boolean remoteSet;
  private volatile InetSocketAddress selected;

  /**
   * @param local the node's first advertised media address and port (what the peer sends to)
   * @param output sends the agent's STUN out of the node's media port
   */
  public IceAgent(InetSocketAddress local, Output output, Listener listener) throws IOException {
    this.listener = listener;
    this.socket = new AgentSocket(local, output);
    this.agent = new Agent(new LoggerImpl(IceAgent.class.getName()));
    agent.setControlling(false);
    agent.setUseDynamicPorts(false);
    agent.setPerformConsentFreshness(true);
    agent.addCandidateHarvester(new SharedPortHarvester());
    agent.addStateChangeListener(this::stateChanged);
    stream = agent.createMediaStream("media");
    // ALL_SUCCEEDED: after ICE processing terminates, ice4j answers checks only on the selected pair unless every
    // succeeded pair is kept; a browser with two addresses can re-nominate the other pair later, and its consent
    // checks there must still be answered, or it would drop the connection.
    component = agent.createComponent(stream, KeepAliveStrategy.ALL_SUCCEEDED, false);
    stream.addPairChangeListener(this::pairChanged);
  }

  public IceParameters local() {
    return new IceParameters(agent.getLocalUfrag(), agent.getLocalPassword());
  }

  /**
   * The peer's credentials and candidates from its SDP (RFC 8839 §5.4, §5.1); starts the checks the first time.
   * Candidates ice4j cannot reach directly (mDNS names, TCP active) are skipped: the peer's own checks reveal its
   * address as a peer-reflexive candidate anyway (RFC 8445 §7.3.1.3).
   */
  public void setRemote(IceParameters remote, List<String> candidates) {
    if (remote == null || remote.ufrag() == null || remote.pwd() == null) {
      return;
    }
    if (remoteSet && remote.ufrag().equals(stream.getRemoteUfrag())) {
      return;
    }
    stream.setRemoteUfrag(remote.ufrag());
    stream.setRemotePassword(remote.pwd());
    for (String line : candidates) {
      RemoteCandidate c = parse(line);
      if (c != null) {
        component.addRemoteCandidate(c);
      }
    }
    remoteSet = true;
    if (!agent.isStarted()) {
      agent.startConnectivityEstablishment();
    }
  }

  /** A STUN message from the peer at {@code from}; false when the agent is gone or behind. */
  public boolean deliver(byte[] b, int off, int len, InetSocketAddress from) {
    return socket.offer(b, off, len, from);
  }

  /** The path ice4j selected, or null before the peer nominated one. */
  public InetSocketAddress selected() {
    return selected;
  }

  public IceProcessingState state() {
    return agent.getState();
  }

  public void close() {
    agent.free();
    socket.close();
  }

  private void pairChanged(PropertyChangeEvent evt) {
    if (!(evt.getSource() instanceof CandidatePair pair) || pair.getParentComponent() != component) {
      return;
    }
    switch (evt.getPropertyName()) {
      case IceMediaStream.PROPERTY_PAIR_NOMINATED -> {
        TransportAddress remote = pair.getRemoteCandidate().getTransportAddress();
        InetSocketAddress path = new InetSocketAddress(remote.getAddress(), remote.getPort());
        selected = path;
      }
      case IceMediaStream.PROPERTY_PAIR_CONSENT_FRESHNESS_CHANGED -> {
        if (pair == component.getSelectedPair()) {
          listener.consentRefreshed();
        }
      }
      default -> { }
    }
  }

  private void stateChanged(PropertyChangeEvent evt) {
    if (Agent.PROPERTY_ICE_PROCESSING_STATE.equals(evt.getPropertyName())
        && evt.getNewValue() == IceProcessingState.FAILED) {
      listener.failed();
    }
  }

  /** An SDP candidate line (RFC 8839 §5.1) as an ice4j remote candidate, or null when unusable here. */
  private RemoteCandidate parse(String line) {
    String[] f = line.startsWith("candidate:") ? line.substring(10).split(" ") : line.split(" ");
    if (f.length < 8 || !"1".equals(f[1]) || !"udp".equalsIgnoreCase(f[2]) || !"typ".equals(f[6])) {
      return null;
    }
    String host = f[4];
    if (!host.matches("[0-9.]+|[0-9a-fA-F:]+")) {
      return null; // an mDNS name (RFC 8445 §5.1.1.1 hides host addresses): never resolved by DNS here
    }
    try {
      long priority = Long.parseLong(f[3]);
      int port = Integer.parseInt(f[5]);
      CandidateType type = switch (f[7]) {
        case "host" -> CandidateType.HOST_CANDIDATE;
        case "srflx" -> CandidateType.SERVER_REFLEXIVE_CANDIDATE;
        case "prflx" -> CandidateType.PEER_REFLEXIVE_CANDIDATE;
        case "relay" -> CandidateType.RELAYED_CANDIDATE;
        default -> null;
      };
      if (type == null || port <= 0 || port > 65535) {
        return null;
      }
      TransportAddress address = new TransportAddress(InetAddress.getByName(host), port, Transport.UDP);
      return new RemoteCandidate(address, component, type, f[0], priority, null);
    } catch (NumberFormatException | UnknownHostException e) {
      return null;
    }
  }

  /**
   * The host candidate on the shared port. {@link AgentSocket} only ever carries STUN, so the candidate and the STUN
   * stack use it directly, without ice4j's multiplexing sockets (each of which would hold a descriptor of its own,
   * one of them never released on close).
   */
  private final class SharedPortCandidate extends HostCandidate {
    final IceUdpSocketWrapper wrapper;

    SharedPortCandidate(Component c) {
      this(new IceUdpSocketWrapper(socket), c);
    }

    private SharedPortCandidate(IceUdpSocketWrapper wrapper, Component c) {
      super(wrapper, c, Transport.UDP);
      this.wrapper = wrapper;
    }

    @Override
    public IceSocketWrapper getStunSocket(TransportAddress serverAddress) {
      return wrapper;
    }
  }

  /** Gives the agent its one host candidate: the node's shared port, through {@link AgentSocket}. */
  private final class SharedPortHarvester implements CandidateHarvester {
    private final HarvestStatistics statistics = new HarvestStatistics();

    @Override
    public Collection<LocalCandidate> harvest(Component c) {
      SharedPortCandidate candidate = new SharedPortCandidate(c);
      c.addLocalCandidate(candidate);
      candidate.getStunStack().addSocket(candidate.wrapper);
      return List.of(candidate);
    }

    @Override
    public HarvestStatistics getHarvestStatistics() {
      return statistics;
    }

    @Override
    public boolean isHostHarvester() {
      return true;
    }
  }
}
