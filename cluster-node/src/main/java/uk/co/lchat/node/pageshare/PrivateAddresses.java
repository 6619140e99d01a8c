package uk.co.lchat.node.pageshare;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Addresses a node must not fetch a shared page from on a participant's say-so: its own and its network's. A
 * participant chooses the URL, so without this rule a meeting link could make the node request its loopback
 * services, a cloud's metadata endpoint (169.254.169.254) or hosts on the private network behind it (server-side
 * request forgery). Covered: unspecified, loopback, link-local, private (RFC 1918), shared address space
 * (RFC 6598), IETF protocol assignments, benchmarking (RFC 2544), reserved and broadcast IPv4 ranges, multicast,
 * IPv6 unique-local (RFC 4193) and site-local, and IPv4 addresses inside IPv6 (IPv4-mapped addresses come as
 * IPv4 already; NAT64 (RFC 6052) and 6to4 (RFC 3056) are judged by the IPv4 address they carry).
 */
public final class PrivateAddresses {
  private PrivateAddresses() {}

  public static boolean isPrivate(InetAddress a) {
    if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
        || a.isMulticastAddress()) {
      return true;
    }
    byte[] b = a.getAddress();
    if (a instanceof Inet4Address) {
      int first = b[0] & 0xff;
      int second = b[1] & 0xff;
      return first == 0                                   // "this network"
          || (first == 100 && second >= 64 && second < 128) // RFC 6598 shared address space (carrier NAT)
          || (first == 192 && second == 0 && (b[2] & 0xff) == 0) // RFC 6890 IETF protocol assignments
          || (first == 198 && (second == 18 || second == 19)) // RFC 2544 benchmarking
          || first >= 240;                                  // reserved, and the broadcast address
    }
    if (a instanceof Inet6Address) {
      if ((b[0] & 0xfe) == 0xfc) {
        return true; // RFC 4193 unique local fc00::/7
      }
      if (b[0] == 0x20 && b[1] == 0x02) {
        return isPrivate(v4(b, 2)); // 6to4 2002:V4ADDR::/48
      }
      boolean nat64 = b[0] == 0x00 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b;
      boolean compatible = true;
      for (int i = 0; i < 12; i++) {
        compatible &= b[i] == 0;
      }
      if (nat64 || compatible) {
        return isPrivate(v4(b, 12)); // 64:ff9b::/96 (RFC 6052) and the deprecated ::V4ADDR
      }
    }
    return false;
  }

  private static InetAddress v4(byte[] b, int at) {
    try {
      return InetAddress.getByAddress(new byte[] {b[at], b[at + 1], b[at + 2], b[at + 3]});
    } catch (UnknownHostException e) {
      throw new IllegalStateException("four bytes are always an IPv4 address", e);
    }
  }
}
