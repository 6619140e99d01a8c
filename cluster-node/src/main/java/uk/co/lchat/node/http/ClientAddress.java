package uk.co.lchat.node.http;

import java.net.InetAddress;

import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.RemoteAddress;

/**
 * Who is asking, as far as the node can tell: the peer's IP address as the socket saw it
 * (pekko.http.server.remote-address-attribute), never a forwarded-for header, which a client writes itself. What
 * passcode guessing is counted by, for WebSocket joins and WHIP/WHEP alike.
 */
public final class ClientAddress {
  private ClientAddress() {}

  /** The address, or null when unknown. */
  public static String of(HttpRequest request) {
    return request.getAttribute(AttributeKeys.remoteAddress)
        .flatMap(RemoteAddress::getAddress)
        .map(InetAddress::getHostAddress)
        .orElse(null);
  }
}
