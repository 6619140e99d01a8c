package uk.co.lchat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import uk.co.lchat.media.router.MediaRouter;
import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestCertificates;
import uk.co.lchat.node.TestNodes;

/**
 * Cluster remoting over TLS (Artery tls-tcp, mutual authentication), which carries relay links' SRTP keys: two
 * nodes holding certificates from the cluster's CA form a cluster and relay a room's media between them; a node
 * with a certificate from another CA, or for another cluster's name, or with no TLS at all, never becomes a
 * member.
 */
class RemotingTlsIT extends InJvmNodes {
  /**
   * How long a node that must not join is given to try: a joining node asks its seed again every 5 s
   * (pekko.cluster.seed-node-timeout), and the two nodes with the right certificates join within seconds.
   */
  private static final Duration REFUSED_FOR = Duration.ofSeconds(20);
  @TempDir
  static Path dir;
  private static TestCertificates.Authority ca;
  private static String seed;

  @BeforeAll
  static void startTwoTlsNodes() throws Exception {
    ca = TestCertificates.Authority.create("lchat cluster CA");
    List<Config> tls = List.of(ca.issue(dir.resolve("node0"), "lchat-cluster").config(),
        ca.issue(dir.resolve("node1"), "lchat-cluster").config());
    int[] next = {0};
    nodes.addAll(TestNodes.cluster(2, seeds -> tls.get(next[0]++).withFallback(TestNodes.config(0, seeds))));
    seed = "127.0.0.1:" + port(nodes.get(0));
  }

  private static int port(LchatNode node) {
    return Cluster.get(node.system()).selfMember().address().getPort().get();
  }

  private static List<Address> members(LchatNode node) {
    List<Address> addresses = new ArrayList<>();
    for (Member m : Cluster.get(node.system()).state().getMembers()) {
      addresses.add(m.address());
    }
    return addresses;
  }

  @Test
  void nodesWithTheClustersCertificatesFormAClusterOverTlsAndRelayARoomsMedia() throws Exception {
    for (LchatNode node : nodes) {
      assertEquals("tls-tcp", node.system().settings().config().getString("pekko.remote.artery.transport"));
      assertEquals(2, TestNodes.upMembers(node), "both nodes Up");
    }
    Measurements m = new Measurements();
    SimParticipant ann = join(nodes.get(0), "Ann", "tls-room", true, true, m);
    SimParticipant bob = join(nodes.get(1), "Bob", "tls-room", true, true, m);
    List<SimParticipant> talkers = List.of(ann, bob);
    Thread sender = Talkers.send(talkers, true, () -> sending);
    // Ann's router and Bob's are on different nodes: each hears the other only through the relay link, whose SRTP
    // keys crossed the TLS remoting.
    Talkers.awaitHearingEachOther(talkers, "Ann and Bob on different TLS nodes", 60);
    for (LchatNode node : nodes) {
      List<MediaRouter.RelayStatus> relays = node.mediaRouter().relays();
      assertEquals(1, relays.size(), "one relay link on each node: " + relays);
      assertTrue(relays.get(0).streamsIn() >= 2 && relays.get(0).packetsIn() > 0,
          "the far participant's audio and video arrive over the link: " + relays);
    }
    sending = false;
    sender.join(2000);
  }

  @Test
  void theRemotingPortSpeaksTls13WithTheNodesCertificate() throws Exception {
    // A client holding a certificate from the cluster's CA, as a node would: the server asks for it (mutual
    // authentication) and presents its own.
    KeyStore own = ca.issue(dir.resolve("client"), "lchat-cluster").keyStore();
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(own, new char[0]);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(own);
    SSLContext context = SSLContext.getInstance("TLSv1.3");
    context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port(nodes.get(1))), 10_000);
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      assertEquals("TLSv1.3", socket.getSession().getProtocol());
      X509Certificate presented = (X509Certificate) socket.getSession().getPeerCertificates()[0];
      assertEquals("CN=lchat-cluster", presented.getSubjectX500Principal().getName());
      assertEquals(ca.certificate().getSubjectX500Principal(), presented.getIssuerX500Principal());
    }
  }

  @Test
  void aNodeWithACertificateFromAnotherAuthorityNeverJoins() throws Exception {
    TestCertificates.NodeFiles rogue = TestCertificates.Authority.create("another CA")
        .issue(dir.resolve("rogue"), "lchat-cluster");
    neverJoins(rogue.config(), "a certificate from another CA");
  }

  @Test
  void aNodeWhoseCertificateFromTheSameAuthorityNamesAnotherClusterNeverJoins() throws Exception {
    // Pekko's PEM engine also requires a subject name (CN or SAN) in common with the node's own certificate, so
    // one CA may serve several clusters.
    neverJoins(ca.issue(dir.resolve("stranger"), "another-cluster").config(), "another cluster's name");
  }

  @Test
  void aNodeWithoutTlsNeverJoins() throws Exception {
    neverJoins(ConfigFactory.parseMap(Map.of("lchat.cluster.tls.enabled", false)), "no TLS");
  }

  /** Starts a node with {@code config} seeded by the TLS cluster and watches it stay out for REFUSED_FOR. */
  private static void neverJoins(Config config, String why) throws Exception {
    try (LchatNode outsider = LchatNode.start(config.withFallback(TestNodes.config(0, List.of(seed))))) {
      Address address = Cluster.get(outsider.system()).selfMember().address();
      long deadline = System.nanoTime() + REFUSED_FOR.toNanos();
      while (System.nanoTime() < deadline) {
        assertEquals(0, TestNodes.upMembers(outsider), "the node with " + why + " sees no member Up");
        for (LchatNode node : nodes) {
          assertTrue(!members(node).contains(address), "the cluster let in the node with " + why + ": "
              + members(node));
          assertEquals(2, TestNodes.upMembers(node), "the cluster stays the two TLS nodes");
        }
        Thread.sleep(250);
      }
    }
  }
}
