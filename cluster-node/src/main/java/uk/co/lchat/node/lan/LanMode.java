package uk.co.lchat.node.lan;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;

import uk.co.lchat.node.tls.HttpsRedirect;
import uk.co.lchat.node.tls.ServerCertificate;

/**
 * LAN mode ({@code lchat.lan}, {@code bin/lchat run --lan}): a meeting on the local network with no other step.
 * It finds the machine's LAN addresses, makes sure {@link LanCertificates} has a certificate for them, and turns
 * the node's settings into HTTPS on those addresses with that certificate, media bound and advertised there too.
 * Cluster remoting stays where {@code lchat.node.host} puts it (loopback): LAN mode is one node.
 */
public final class LanMode {
  private final List<InetAddress> addresses;
  private final LanCertificates.Kept certificates;

  private LanMode(List<InetAddress> addresses, LanCertificates.Kept certificates) {
    this.addresses = List.copyOf(addresses);
    this.certificates = certificates;
  }

  /**
   * With {@code lchat.lan.enabled}: detects (or reads) the addresses and prepares the certificates, else null.
   * Throws IllegalArgumentException, saying what to do, when there is no address or the data directory is unusable.
   */
  public static LanMode prepare(Config root) {
    Config lan = root.getConfig("lchat.lan");
    if (!lan.getBoolean("enabled")) {
      return null;
    }
    List<InetAddress> addresses = addresses(lan.getStringList("addresses"));
    Path dir = Path.of(lan.getString("data-dir"));
    try {
      return new LanMode(addresses, LanCertificates.ensure(dir, addresses, hostname(), Clock.systemUTC()));
    } catch (IOException e) {
      throw new IllegalArgumentException("LAN mode: " + e.getMessage() + " (set lchat.lan.data-dir to a directory"
          + " this user may write)");
    }
  }

  static List<InetAddress> addresses(List<String> configured) {
    List<InetAddress> addresses = new ArrayList<>();
    if (!configured.isEmpty()) {
      for (String a : configured) {
        try {
          addresses.add(InetAddress.getByName(a));
        } catch (UnknownHostException e) {
          throw new IllegalArgumentException("lchat.lan.addresses: " + a + " is not an address");
        }
      }
      return addresses;
    }
    addresses = detect();
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException("LAN mode found no network address on this machine but loopback: connect"
          + " it to the network, or name the address in lchat.lan.addresses");
    }
    return addresses;
  }

  /** The IPv4 addresses of interfaces that are up, but loopback and link-local, in interface order. */
  static List<InetAddress> detect() {
    List<InetAddress> found = new ArrayList<>();
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nic.isUp() || nic.isLoopback()) {
          continue;
        }
        for (InetAddress a : Collections.list(nic.getInetAddresses())) {
          if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
            found.add(a);
          }
        }
      }
    } catch (SocketException e) {
      return List.of();
    }
    return found;
  }

  private static String hostname() {
    try {
      String name = InetAddress.getLocalHost().getHostName();
      return name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
    } catch (UnknownHostException e) {
      return "";
    }
  }

  /** Where HTTP(S) and media bind: the one address, or every interface when there are several. */
  public String bindHost() {
    return addresses.size() == 1 ? addresses.get(0).getHostAddress() : "0.0.0.0";
  }

  public List<InetAddress> addresses() {
    return addresses;
  }

  public LanCertificates.Kept certificates() {
    return certificates;
  }

  /** {@code root} with HTTPS, binding and advertised media addresses set for LAN mode. */
  public Config applyTo(Config root) {
    List<String> advertised = root.getStringList("lchat.media.advertised-addresses");
    if (advertised.isEmpty()) {
      advertised = addresses.stream().map(InetAddress::getHostAddress).toList();
    }
    return root
        .withValue("lchat.http.bind-host", ConfigValueFactory.fromAnyRef(bindHost()))
        .withValue("lchat.media.bind-host", ConfigValueFactory.fromAnyRef(bindHost()))
        .withValue("lchat.media.advertised-addresses", ConfigValueFactory.fromIterable(advertised))
        .withValue("lchat.http.tls.enabled", ConfigValueFactory.fromAnyRef(true))
        .withValue("lchat.http.tls.certificate",
            ConfigValueFactory.fromAnyRef(certificates.serverCertificate().toString()))
        .withValue("lchat.http.tls.private-key", ConfigValueFactory.fromAnyRef(certificates.serverKey().toString()))
        .withValue("lchat.http.tls.chain", ConfigValueFactory.fromAnyRef(""))
        // No HSTS: browsers ignore it for IP addresses, and for the machine's name it would make every other
        // plain-HTTP service there unreachable from that browser for as long as the header said.
        .withValue("lchat.http.tls.hsts.max-age", ConfigValueFactory.fromAnyRef("0s"));
  }

  /** What the person who started the node needs: where to point browsers, and how to check the certificate. */
  public String banner(int httpsPort, int redirectPort) {
    StringBuilder b = new StringBuilder("\nLunar Chat is on your network (LAN mode). Open on any computer or phone"
        + " here:\n");
    for (InetAddress a : addresses) {
      b.append("    https://").append(a.getHostAddress()).append(httpsPort == 443 ? "" : ":" + httpsPort)
          .append("/\n");
    }
    if (redirectPort > 0) {
      b.append("  (http://").append(addresses.get(0).getHostAddress()).append(':').append(redirectPort)
          .append("/ leads there too)\n");
    }
    b.append("The certificate comes from this machine's own authority, which browsers do not know yet:\n")
        .append("  - trust it once on each device: import ").append(certificates.caCertificate());
    if (redirectPort > 0) {
      b.append(" (download it from http://").append(addresses.get(0).getHostAddress()).append(':')
          .append(redirectPort).append('/').append(HttpsRedirect.CA_PATH).append(')');
    }
    b.append(" as a certificate authority\n")
        .append("      CA SHA-256 fingerprint:          ").append(ServerCertificate.fingerprint(certificates.ca()))
        .append('\n')
        .append("  - or accept the browser's warning after checking that it shows this certificate\n")
        .append("      server SHA-256 fingerprint:      ")
        .append(ServerCertificate.fingerprint(certificates.server())).append('\n');
    if (certificates.newCa()) {
      b.append("  (a new authority was made: devices that trusted an earlier one must import this one)\n");
    } else if (certificates.newServer()) {
      b.append("  (a new server certificate for these addresses, from the same authority)\n");
    }
    return b.toString();
  }
}
