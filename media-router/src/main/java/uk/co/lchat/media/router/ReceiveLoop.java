package uk.co.lchat.media.router;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import uk.co.lchat.media.srtp.PacketBuffer;

/**
 * The router's one platform thread and the sockets it serves: the UDP media port and, with ICE-TCP, the TCP
 * listener on the same port number and its connections (RFC 6544, RFC 4571 framing). It reads datagrams and frames
 * into one receive buffer and hands each to the {@link Handler}; it runs the tasks other threads queue (the only way
 * they change forwarding state, so the packet path takes no locks); and every 100 ms it ticks, unless the handler
 * has nothing to tick for.
 *
 * <p>Queued tasks run before each packet is handled, after it was taken off the socket: a command issued before the
 * packet was sent (a subscription, say) is then in force for it. Without that a subscribe queued while the loop was
 * already reading would miss the packets right after it.
 */
final class ReceiveLoop implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReceiveLoop.class);
  static final long TICK_NANOS = 100_000_000L;
  /** Datagrams read per wake-up before TCP, the send backlog and the tick get their turn. */
  private static final int DATAGRAMS_PER_WAKE = 512;
  /** A connection that never proved it knows an endpoint's ICE password holds a socket for nothing. */
  private static final long TCP_ANONYMOUS_NANOS = 10_000_000_000L;
  private static final int MAX_TCP_CONNECTIONS = 4096;

  /** What the loop does with what it reads, and on its clock. Called on the loop thread. */
  interface Handler {
    /** One packet of {@code length} bytes at the start of {@link #received()}, from UDP ({@code via} null) or TCP. */
    void packet(InetSocketAddress from, int length, IceTcpConnection via);

    /** Every {@link #TICK_NANOS}, unless {@link #idle}. */
    void tick(long nowNanos);

    /** Nothing to tick for (no endpoint, no relay): the loop then sleeps until a packet or a task comes. */
    boolean idle();

    /** An ICE-TCP connection closed (the peer went, or it failed). */
    void connectionClosed(IceTcpConnection c);
  }

  private final RouterCounters counters;
  private final DatagramChannel channel;
  private final Selector selector;
  private final SelectionKey udpKey;
  /** Listens for ICE-TCP on the media port number; null when ICE-TCP is off or the port was taken. */
  private final ServerSocketChannel tcpListener;
  private final List<IceTcpConnection> tcpConnections = new ArrayList<>();
  private final ByteBuffer rx = ByteBuffer.allocate(PacketBuffer.CAPACITY);
  private final PacketBuffer received = new PacketBuffer(rx.array());
  private final IceTcpConnection.FrameSink tcpFrames;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final SocketSender sender;
  private final Thread thread;
  private final Handler handler;
  private volatile boolean running = true;
  private long lastTickNanos;

  /** Binds the UDP port (and the TCP one with {@code iceTcp}); {@link #start} runs the loop. */
  ReceiveLoop(String bindHost, int port, boolean iceTcp, PacketBuffer tx, RouterCounters counters, Handler handler)
      throws IOException {
    this.counters = counters;
    this.handler = handler;
    this.tcpFrames = (c, buf, len) -> handler.packet(c.remote, len, c);
    this.channel = DatagramChannel.open();
    channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 * 1024 * 1024);
    channel.setOption(StandardSocketOptions.SO_SNDBUF, 4 * 1024 * 1024);
    channel.bind(new InetSocketAddress(bindHost, port));
    channel.configureBlocking(false);
    this.selector = Selector.open();
    this.udpKey = channel.register(selector, SelectionKey.OP_READ);
    this.tcpListener = iceTcp ? listenTcp(bindHost, port()) : null;
    this.sender = new SocketSender(channel, udpKey, this, tx, counters);
    this.thread = Thread.ofPlatform().name("media-router-" + port()).daemon().unstarted(this::run);
  }

  private ServerSocketChannel listenTcp(String host, int port) {
    try {
      ServerSocketChannel server = ServerSocketChannel.open();
      server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      server.bind(new InetSocketAddress(host, port), 128);
      server.configureBlocking(false);
      server.register(selector, SelectionKey.OP_ACCEPT);
      return server;
    } catch (IOException e) {
      LOG.warn("ICE-TCP disabled: cannot listen on tcp {}:{}: {}", host, port, e.toString());
      return null;
    }
  }

  void start() {
    thread.start();
  }

  int port() {
    try {
      return ((InetSocketAddress) channel.getLocalAddress()).getPort();
    } catch (IOException e) {
      return -1;
    }
  }

  /** Whether ICE-TCP is on (the TCP port could be bound). */
  boolean tcpEnabled() {
    return tcpListener != null;
  }

  SocketSender sender() {
    return sender;
  }

  /** The receive buffer: the packet {@link Handler#packet} is told about starts at its offset 0. */
  PacketBuffer received() {
    return received;
  }

  /** Runs {@code task} on the loop thread, between packets (any thread). */
  void enqueue(Runnable task) {
    tasks.add(task);
    selector.wakeup();
  }

  /** Applies the tasks queued so far. */
  private void runTasks() {
    Runnable task;
    while ((task = tasks.poll()) != null) {
      task.run();
    }
  }

  private void run() {
    while (running) {
      try {
        // Sleeps until the next tick at the latest, and with nothing to tick for until something comes: on this
        // kind of machine every wake-up of a thread costs a fifth of a millisecond (issue #21, an idle node).
        if (handler.idle() && tcpConnections.isEmpty() && tasks.isEmpty()) {
          selector.select();
        } else {
          long untilTick = lastTickNanos + TICK_NANOS - System.nanoTime();
          selector.select(Math.max(1, untilTick / 1_000_000));
        }
        for (SelectionKey key : selector.selectedKeys()) {
          if (!key.isValid()) {
            continue;
          }
          if (key.attachment() instanceof IceTcpConnection c) {
            serviceTcp(c, key);
          } else if (key.isAcceptable()) {
            acceptTcp();
          }
        }
        selector.selectedKeys().clear();
        runTasks();
        for (int i = 0; i < DATAGRAMS_PER_WAKE; i++) {
          rx.clear();
          SocketAddress from = channel.receive(rx);
          if (from == null) {
            break;
          }
          runTasks();
          handler.packet((InetSocketAddress) from, rx.position(), null);
        }
        sender.drainBacklog();
        long now = System.nanoTime();
        if (now - lastTickNanos >= TICK_NANOS) {
          lastTickNanos = now;
          handler.tick(now);
          closeAnonymousTcp(now);
        }
      } catch (IOException e) {
        if (running) {
          LOG.warn("media router receive loop: {}", e.toString());
        }
      } catch (RuntimeException e) {
        // A bug on one packet must not stop the node's media; count it and go on.
        counters.internalErrors.increment();
        LOG.error("media router: unexpected error on a packet", e);
      }
    }
  }

  // ---- ICE-TCP (RFC 6544, RFC 4571 framing) -----------------------------------------------------------------------

  private void acceptTcp() {
    try {
      SocketChannel sc;
      while ((sc = tcpListener.accept()) != null) {
        if (tcpConnections.size() >= MAX_TCP_CONNECTIONS) {
          sc.close();
          continue;
        }
        sc.configureBlocking(false);
        sc.setOption(StandardSocketOptions.TCP_NODELAY, true);
        SelectionKey key = sc.register(selector, SelectionKey.OP_READ);
        IceTcpConnection c = new IceTcpConnection(sc, key, System.nanoTime());
        key.attach(c);
        tcpConnections.add(c);
        counters.tcpConnectionsAccepted++;
      }
    } catch (IOException e) {
      LOG.debug("ICE-TCP accept: {}", e.toString());
    }
  }

  private void serviceTcp(IceTcpConnection c, SelectionKey key) {
    try {
      if (key.isReadable()) {
        runTasks();
      }
      if (key.isReadable() && !c.read(rx.array(), tcpFrames)) {
        closeTcp(c);
        return;
      }
      if (key.isValid() && key.isWritable()) {
        c.flush();
      }
    } catch (IOException e) {
      closeTcp(c);
    }
  }

  private void closeAnonymousTcp(long now) {
    for (int i = tcpConnections.size() - 1; i >= 0; i--) {
      IceTcpConnection c = tcpConnections.get(i);
      if (c.endpoint == null && now - c.openedNanos > TCP_ANONYMOUS_NANOS) {
        closeTcp(c);
      }
    }
  }

  /** Closes the connection and tells the handler. */
  void closeTcp(IceTcpConnection c) {
    if (c.closed) {
      return;
    }
    c.close();
    tcpConnections.remove(c);
    handler.connectionClosed(c);
  }

  @Override
  public void close() {
    running = false;
    selector.wakeup();
    try {
      thread.join(2000);
      selector.close();
      channel.close();
      if (tcpListener != null) {
        tcpListener.close();
      }
      for (IceTcpConnection c : tcpConnections) {
        c.close();
      }
    } catch (IOException e) {
      LOG.debug("closing media socket", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
