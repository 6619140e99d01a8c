package uk.co.lchat.media.router;

import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.ReferenceCountUtil;

/**
 * ICE-TCP on the media port number (RFC 6544, our candidates are {@code tcptype passive}): the listener and its
 * connections, Netty channels on the router's one event loop, each framing packets by RFC 4571. It keeps the limits
 * a listener open to anyone needs: at most {@link #MAX_CONNECTIONS} connections, and one that never proved it knows
 * an endpoint's ICE password is closed after {@link #ANONYMOUS_NANOS}. Loop-owned, apart from {@link #listen}.
 */
final class IceTcpServer {
  private static final Logger LOG = LoggerFactory.getLogger(IceTcpServer.class);
  /** A connection that never proved it knows an endpoint's ICE password holds a socket for nothing. */
  static final long ANONYMOUS_NANOS = 10_000_000_000L;
  static final int MAX_CONNECTIONS = 4096;

  /** What the server tells the loop. Called on the loop thread. */
  interface Listener {
    /** A frame of {@code length} bytes arrived on {@code from}, copied to the start of the receive buffer. */
    void frame(IceTcpConnection from, int length);

    /** A connection's read burst ended: what its packets made may be flushed. */
    void readComplete();

    /** A connection closed: the peer went, it failed, or {@link #close(IceTcpConnection)} closed it. */
    void closed(IceTcpConnection c);
  }

  private final List<IceTcpConnection> connections = new ArrayList<>();
  private final byte[] scratch;
  private final RouterCounters counters;
  private final Listener events;
  private final IceTcpConnection.FrameSink frames;
  private Channel listener;

  private IceTcpServer(byte[] scratch, RouterCounters counters, Listener events) {
    this.scratch = scratch;
    this.counters = counters;
    this.events = events;
    this.frames = events::frame;
  }

  /**
   * Listens on tcp {@code host:port} on {@code loop}, taking no connection before {@link #start}; null (and logged)
   * when the port cannot be bound. Frames are copied to {@code scratch}; each connection holds at most
   * {@code pendingLimit} bytes not yet taken by its socket.
   */
  static IceTcpServer listen(EventLoopGroup loop, Class<? extends ServerChannel> channelType, String host, int port,
      int pendingLimit, byte[] scratch, RouterCounters counters, Listener events) {
    IceTcpServer server = new IceTcpServer(scratch, counters, events);
    ChannelFuture bound = new ServerBootstrap()
        .group(loop)
        .channel(channelType)
        .option(ChannelOption.SO_REUSEADDR, true)
        .option(ChannelOption.SO_BACKLOG, 128)
        .option(ChannelOption.AUTO_READ, false)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(pendingLimit, pendingLimit))
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(server.new Connection());
          }
        })
        .bind(host, port)
        .awaitUninterruptibly();
    if (!bound.isSuccess()) {
      LOG.warn("ICE-TCP disabled: cannot listen on tcp {}:{}: {}", host, port, bound.cause().toString());
      return null;
    }
    server.listener = bound.channel();
    return server;
  }

  /** Starts accepting connections (any thread). */
  void start() {
    listener.config().setAutoRead(true);
  }

  /** Whether any connection is open (the tick has anonymous ones to look after). */
  boolean hasConnections() {
    return !connections.isEmpty();
  }

  /** Closes connections that stayed anonymous too long. */
  void closeAnonymous(long nowNanos) {
    for (int i = connections.size() - 1; i >= 0; i--) {
      IceTcpConnection c = connections.get(i);
      if (c.endpoint == null && nowNanos - c.openedNanos > ANONYMOUS_NANOS) {
        close(c);
      }
    }
  }

  /** Closes the connection and tells the listener, once. */
  void close(IceTcpConnection c) {
    if (!connections.remove(c)) {
      return;
    }
    c.close();
    events.closed(c);
  }

  /** Stops listening and closes every connection. */
  void shutdown() {
    listener.close();
    for (IceTcpConnection c : List.copyOf(connections)) {
      close(c);
    }
  }

  /** One accepted connection's end of the pipeline. */
  private final class Connection extends ChannelInboundHandlerAdapter {
    private IceTcpConnection c;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      if (connections.size() >= MAX_CONNECTIONS) {
        ctx.close();
        return;
      }
      c = new IceTcpConnection(ctx.channel(), System.nanoTime());
      connections.add(c);
      counters.tcpConnectionsAccepted++;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (c == null || !(msg instanceof ByteBuf bytes)) {
        ReferenceCountUtil.release(msg);
        return;
      }
      counters.dropped += c.read(bytes, scratch, frames);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      events.readComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (c != null) {
        c.released();
        close(c);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("ICE-TCP connection {}: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }
  }
}
