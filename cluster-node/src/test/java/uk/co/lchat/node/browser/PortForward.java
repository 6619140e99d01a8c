package uk.co.lchat.node.browser;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A TCP port whose connections are carried, byte for byte, to somewhere this process cannot listen itself: the
 * node's HTTP port on loopback, for pages inside a {@link NetworkNamespace}; a browser's control port on the
 * namespace's own loopback, for the test.
 */
final class PortForward implements AutoCloseable {
  /** Where one accepted connection goes. */
  private interface Upstream {
    Pipe open() throws IOException;
  }

  /** Both directions of one upstream connection. */
  private record Pipe(InputStream in, OutputStream out, AutoCloseable closer) {}

  private final ServerSocket listener;
  private final Upstream upstream;
  private volatile boolean closed;

  private PortForward(ServerSocket listener, Upstream upstream) {
    this.listener = listener;
    this.upstream = upstream;
    Thread.ofVirtual().name("forward-" + listener.getLocalPort()).start(this::accept);
  }

  /** Listens on {@code listen} (port 0: any) and connects each client to {@code target}. */
  static PortForward toAddress(InetSocketAddress listen, InetSocketAddress target) throws IOException {
    ServerSocket s = new ServerSocket();
    s.bind(listen);
    return new PortForward(s, () -> {
      Socket up = new Socket();
      up.setTcpNoDelay(true);
      up.connect(target, 5000);
      return new Pipe(up.getInputStream(), up.getOutputStream(), up);
    });
  }

  /**
   * Listens on a free loopback port here and connects each client to the same port number on the namespace's
   * loopback, through a shell started inside it (bash's /dev/tcp) whose standard streams carry the bytes. The same
   * number, because a server that checks the Host header (Firefox's remote agent does, against DNS rebinding) must
   * see its own port there.
   */
  static PortForward intoNamespace(NetworkNamespace ns) throws IOException {
    ServerSocket s = new ServerSocket();
    s.bind(new InetSocketAddress("127.0.0.1", 0));
    int port = s.getLocalPort();
    return new PortForward(s, () -> {
      Process p = ns.start(ns.command("bash", "-c",
          "exec 3<>/dev/tcp/127.0.0.1/" + port + " || exit 1; cat <&3 & cat >&3; kill $! 2>/dev/null")
          .redirectError(ProcessBuilder.Redirect.DISCARD));
      return new Pipe(p.getInputStream(), p.getOutputStream(), p::destroyForcibly);
    });
  }

  int port() {
    return listener.getLocalPort();
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        client.setTcpNoDelay(true);
        Pipe up = upstream.open();
        InputStream fromClient = client.getInputStream();
        OutputStream toClient = client.getOutputStream();
        Thread.ofVirtual().start(() -> pump(fromClient, up.out(), client, up));
        Thread.ofVirtual().start(() -> pump(up.in(), toClient, client, up));
      } catch (IOException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  /** Copies until either side ends, then closes both. */
  private static void pump(InputStream in, OutputStream out, Socket client, Pipe up) {
    byte[] buf = new byte[16 * 1024];
    try {
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // one side ended
    } finally {
      try {
        client.close();
        up.closer().close();
      } catch (Exception e) {
        // closed already
      }
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    listener.close();
  }
}
