package uk.co.lchat.node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;

import org.junit.jupiter.api.Test;

class ConnectionGateTest {

  @Test
  void anAddressGetsItsShareAndAPlaceBackWhenOneCloses() throws Exception {
    ConnectionGate gate = new ConnectionGate(2);
    InetAddress a = InetAddress.getByName("192.0.2.1");
    InetAddress b = InetAddress.getByName("192.0.2.2");
    assertTrue(gate.admit(a));
    assertTrue(gate.admit(a));
    assertFalse(gate.admit(a), "a third connection from one address is refused");
    assertTrue(gate.admit(b), "another address is not affected");
    assertEquals(3, gate.openConnections());
    assertEquals(1, gate.refusedConnections());
    gate.release(a);
    assertTrue(gate.admit(a), "a closed connection frees its place");
  }

  @Test
  void ipv6ClientsCountByTheirSlash64() throws Exception {
    ConnectionGate gate = new ConnectionGate(1);
    assertTrue(gate.admit(InetAddress.getByName("2001:db8:1:2::1")));
    assertFalse(gate.admit(InetAddress.getByName("2001:db8:1:2:ffff::9")), "same /64, another address");
    assertTrue(gate.admit(InetAddress.getByName("2001:db8:1:3::1")), "another /64");
  }
}
