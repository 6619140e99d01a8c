package uk.co.lchat.loadtest;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How a run measures, and what it runs against: {@code server} "lchat" (the nodes at --url) or "janus" (a Janus
 * VideoRoom at --url, for the side-by-side comparison); the address the simulated peers bind; which received
 * packets are decrypted; simulcast or one video stream; the seconds before the measurement window opens (JIT
 * warm-up, DTLS handshakes); and the server processes whose CPU is read from /proc over the window.
 */
record Measuring(String server, InetAddress localAddress, DecryptionSample decryption, boolean simulcast,
                 Duration warmup, List<Long> serverPids) {
  boolean janus() {
    return server.equals("janus");
  }

  static final class Builder {
    String server = "lchat";
    String localAddress = "127.0.0.1";
    DecryptionSample decryption = DecryptionSample.DEFAULT;
    boolean simulcast = true;
    Duration warmup = Duration.ZERO;
    final List<Long> serverPids = new ArrayList<>();

    Measuring build() {
      if (!server.equals("lchat") && !server.equals("janus")) {
        throw new IllegalArgumentException("--server is lchat or janus, not " + server);
      }
      try {
        return new Measuring(server, InetAddress.getByName(localAddress), decryption, simulcast, warmup,
            List.copyOf(serverPids));
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("--local-address " + localAddress + ": " + e.getMessage());
      }
    }
  }
}
