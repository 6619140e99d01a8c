package uk.co.lchat.node.pageshare;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;

import org.junit.jupiter.api.Test;

/** The addresses a shared page's check never fetches from on a wildcard's say-so. */
class PrivateAddressesTest {
  private static boolean isPrivate(String literal) throws Exception {
    return PrivateAddresses.isPrivate(InetAddress.getByName(literal));
  }

  @Test
  void theNodesOwnAndItsNetworksAddressesArePrivate() throws Exception {
    for (String a : new String[] {"127.0.0.1", "127.8.9.10", "0.0.0.0", "10.1.2.3", "172.16.0.1", "172.31.255.255",
        "192.168.1.1", "169.254.169.254", "100.64.0.1", "100.127.255.254", "192.0.0.8", "198.18.0.1",
        "224.0.0.1", "240.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1",
        "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "2002:c0a8:101::1", "::10.0.0.1"}) {
      assertTrue(isPrivate(a), a);
    }
  }

  @Test
  void publicAddressesAreNot() throws Exception {
    for (String a : new String[] {"93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1",
        "2606:4700::1111", "64:ff9b::808:808", "2002:808:808::1"}) {
      assertFalse(isPrivate(a), a);
    }
  }
}
