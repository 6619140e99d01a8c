package uk.co.lchat.media.router;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocalThread;

import uk.co.lchat.media.srtp.PacketBuffer;

/**
 * The router's one platform thread and the sockets it serves: a single-thread Netty event loop (epoll where its
 * library loads, NIO elsewhere) with the UDP media port and, with ICE-TCP, the {@link IceTcpServer} on the same
 * port number. It copies each datagram and frame into one receive buffer and hands it to the {@link Handler}; it
 * runs the tasks other threads queue (the only way they change forwarding state, so the packet path takes no
 * locks); and every 100 ms it ticks, unless the handler has nothing to tick for.
 *
 * <p>Over epoll a read burst is taken {@link #DATAGRAMS_PER_RECVMMSG} datagrams to a recvmmsg call into one pooled
 * buffer, and what the burst's packets send leaves when the burst ends ({@link SocketSender}), as few sendmmsg calls.
 * Reading allocates no buffers in steady state (the pooled one is copied into the receive buffer and given back);
 * Netty's envelope of each datagram and its source address are the per-packet garbage, as the JDK's address was.
 *
 * <p>Queued tasks run before each packet is handled, after it was taken off the socket: a command issued before the
 * packet was sent (a subscription, say) is then in force for it. Netty's own task queue runs only after a whole read
 * burst, so the loop keeps its own queue and drains it before every packet.
 */
final class ReceiveLoop implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReceiveLoop.class);
  static final long TICK_NANOS = 100_000_000L;
  /** Datagrams read per wake-up before TCP, the tasks and the tick get their turn. */
  private static final int DATAGRAMS_PER_WAKE = 512;
  /** Datagrams one recvmmsg call may return. */
  static final int DATAGRAMS_PER_RECVMMSG = 16;
  /** One byte more than any packet of ours, so a datagram that filled its slot was too long and is dropped. */
  private static final int DATAGRAM_SLOT = PacketBuffer.CAPACITY + 1;
  private static final boolean EPOLL = Epoll.isAvailable();

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
  private final Handler handler;
  private final EventLoopGroup group;
  private final EventLoop eventLoop;
  private final Channel udp;
  /** ICE-TCP on the media port number; null when ICE-TCP is off or the port was taken. */
  private final IceTcpServer tcp;
  private final PacketBuffer received = new PacketBuffer();
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final Runnable runQueued = this::runQueued;
  private final Runnable tick = this::tick;
  private final SocketSender sender;
  private volatile boolean started;
  // loop-owned
  private long lastTickNanos;
  private boolean tickScheduled;

  /** Binds the UDP port (and the TCP one with {@code iceTcp}); {@link #start} lets packets in. */
  ReceiveLoop(String bindHost, int port, boolean iceTcp, boolean batchSends, RouterCounters counters,
      Handler handler) throws IOException {
    this(bindHost, port, iceTcp, batchSends, SocketSender.UDP_PENDING_LIMIT, counters, handler);
  }

  /** As above, with {@code udpPendingLimit} bytes at most written to the UDP port and not yet taken by it. */
  ReceiveLoop(String bindHost, int port, boolean iceTcp, boolean batchSends, int udpPendingLimit,
      RouterCounters counters, Handler handler) throws IOException {
    this.counters = counters;
    this.handler = handler;
    IoHandlerFactory io = EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    this.group = new MultiThreadIoEventLoopGroup(1, loopThreads("media-router-" + port), io);
    this.eventLoop = group.next();
    Bootstrap udpBootstrap = new Bootstrap()
        .group(group)
        .channel(EPOLL ? EpollDatagramChannel.class : NioDatagramChannel.class)
        .option(ChannelOption.SO_RCVBUF, 4 * 1024 * 1024)
        .option(ChannelOption.SO_SNDBUF, 4 * 1024 * 1024)
        .option(ChannelOption.AUTO_READ, false)
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(udpPendingLimit, udpPendingLimit))
        .option(ChannelOption.RCVBUF_ALLOCATOR,
            new FixedRecvByteBufAllocator(EPOLL ? DATAGRAM_SLOT * DATAGRAMS_PER_RECVMMSG : DATAGRAM_SLOT)
                .maxMessagesPerRead(DATAGRAMS_PER_WAKE))
        .handler(new DatagramReader());
    if (EPOLL) {
      // Slices of the read buffer, one per datagram: a buffer of several slots makes epoll read with recvmmsg.
      udpBootstrap.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, DATAGRAM_SLOT);
    }
    ChannelFuture bound = udpBootstrap.bind(bindHost, port).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw new IOException("cannot bind the media port udp " + bindHost + ":" + port, bound.cause());
    }
    this.udp = bound.channel();
    this.sender = new SocketSender(udp, this, batchSends, counters);
    Class<? extends ServerChannel> tcpChannel = EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    this.tcp = iceTcp ? IceTcpServer.listen(group, tcpChannel, bindHost, port(), SocketSender.TCP_PENDING_LIMIT,
        received.getBuffer(), counters, new TcpEvents()) : null;
    String name = "media-router-" + port();
    eventLoop.execute(() -> Thread.currentThread().setName(name));
  }

  /** The loop's one thread: a daemon, so a router left open does not keep the JVM alive. */
  private static ThreadFactory loopThreads(String name) {
    return r -> {
      Thread t = new FastThreadLocalThread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** Lets packets and connections in, and starts the clock. */
  void start() {
    started = true;
    udp.config().setAutoRead(true);
    if (tcp != null) {
      tcp.start();
    }
    eventLoop.execute(this::scheduleTick);
    // With nothing scheduled Netty's epoll loop (4.2.18) still wakes every second; a task an hour away is its
    // deadline instead, so an idle loop sleeps until a packet, a task or the next tick.
    eventLoop.scheduleAtFixedRate(() -> { }, 1, 1, TimeUnit.HOURS);
  }

  int port() {
    return udp.localAddress() instanceof InetSocketAddress a ? a.getPort() : -1;
  }

  /** Whether ICE-TCP is on (the TCP port could be bound). */
  boolean tcpEnabled() {
    return tcp != null;
  }

  /** Which of Netty's transports the sockets use: "epoll" (recvmmsg, sendmmsg) or "nio". */
  static String transportName() {
    return EPOLL ? "epoll" : "nio";
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
    try {
      eventLoop.execute(runQueued);
    } catch (RejectedExecutionException e) {
      // The router is closed: nothing runs any more.
    }
  }

  /** Applies the tasks queued so far; true if there were any. */
  private boolean runTasks() {
    Runnable task = tasks.poll();
    if (task == null) {
      return false;
    }
    do {
      try {
        task.run();
      } catch (RuntimeException e) {
        counters.internalErrors.increment();
        LOG.error("media router: unexpected error in a queued task", e);
      }
    } while ((task = tasks.poll()) != null);
    return true;
  }

  /** Netty runs this for each enqueue: what the tasks sent leaves now, and the clock runs again. */
  private void runQueued() {
    if (runTasks()) {
      sender.flush();
      scheduleTick();
    }
  }

  /** One packet from the receive buffer to the handler, after the tasks queued before it. */
  private void handle(InetSocketAddress from, int length, IceTcpConnection via) {
    runTasks();
    if (via != null && via.closed) {
      return; // a task closed the connection
    }
    try {
      handler.packet(from, length, via);
    } catch (RuntimeException e) {
      // A bug on one packet must not stop the node's media; count it and go on.
      counters.internalErrors.increment();
      LOG.error("media router: unexpected error on a packet", e);
    }
  }

  /** After a read burst: what its packets sent leaves, and the clock runs if it slept. */
  private void burstDone() {
    sender.flush();
    scheduleTick();
  }

  /**
   * Schedules the next tick, at most {@link #TICK_NANOS} after the last one. The loop thread sleeps until then, and
   * with nothing to tick for until something comes: on this kind of machine every wake-up of a thread costs a fifth
   * of a millisecond (issue #21, an idle node).
   */
  private void scheduleTick() {
    if (tickScheduled || !started) {
      return;
    }
    tickScheduled = true;
    long delay = Math.max(0, lastTickNanos + TICK_NANOS - System.nanoTime());
    eventLoop.schedule(tick, delay, TimeUnit.NANOSECONDS);
  }

  private void tick() {
    tickScheduled = false;
    runTasks();
    long now = System.nanoTime();
    lastTickNanos = now;
    try {
      handler.tick(now);
      if (tcp != null) {
        tcp.closeAnonymous(now);
      }
    } catch (RuntimeException e) {
      counters.internalErrors.increment();
      LOG.error("media router: unexpected error in a tick", e);
    }
    sender.flush();
    if (!handler.idle() || (tcp != null && tcp.hasConnections()) || !tasks.isEmpty()) {
      scheduleTick();
    }
  }

  /** Closes an ICE-TCP connection and tells the handler. */
  void closeTcp(IceTcpConnection c) {
    if (tcp != null) {
      tcp.close(c);
    }
  }

  @Override
  public void close() {
    started = false;
    try {
      eventLoop.submit(() -> {
        if (tcp != null) {
          tcp.shutdown();
        }
        udp.close();
      }).await(2, TimeUnit.SECONDS);
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(2, TimeUnit.SECONDS);
    } catch (RejectedExecutionException e) {
      // closed already
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The UDP port's end of its pipeline. */
  private final class DatagramReader extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof DatagramPacket datagram)) {
        ReferenceCountUtil.release(msg);
        return;
      }
      ByteBuf content = datagram.content();
      int length = content.readableBytes();
      if (length >= DATAGRAM_SLOT) {
        counters.dropped++; // longer than any packet of ours: its end was cut off
        datagram.release();
        return;
      }
      content.getBytes(content.readerIndex(), received.getBuffer(), 0, length);
      InetSocketAddress from = datagram.sender();
      datagram.release();
      handle(from, length, null);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      burstDone();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("media port: {}", cause.toString());
    }
  }

  /** What the ICE-TCP server hands the loop. */
  private final class TcpEvents implements IceTcpServer.Listener {
    @Override
    public void frame(IceTcpConnection from, int length) {
      handle(from.remote, length, from);
    }

    @Override
    public void readComplete() {
      burstDone();
    }

    @Override
    public void closed(IceTcpConnection c) {
      handler.connectionClosed(c);
    }
  }
}
