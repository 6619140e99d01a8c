package uk.co.lchat.media.ice;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.DatagramSocketImpl;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The node's shared media port as one endpoint's ice4j agent sees it. The router's receive loop owns the real
 * socket: it queues in the STUN messages that belong to this endpoint, and what ice4j sends goes back out through
 * the router (over UDP, or the ICE-TCP connection the peer reached us on). ice4j reads it from its own thread.
 */
final class AgentSocket extends DatagramSocket {
  private static final int QUEUE = 64;
  /** Queued on close so a reader blocked in {@link #receive} returns at once. */
  private static final DatagramPacket CLOSED = new DatagramPacket(new byte[0], 0);

  private final InetSocketAddress local;
  private final IceAgent.Output output;
  private final ArrayBlockingQueue<DatagramPacket> inbound = new ArrayBlockingQueue<>(QUEUE);
  private volatile boolean closed;

  AgentSocket(InetSocketAddress local, IceAgent.Output output) throws SocketException {
    super(new NoDescriptor());
    this.local = local;
    this.output = output;
  }

  /** A STUN message from the router's loop; false when the queue is full (ice4j is behind) or closed. */
  boolean offer(byte[] b, int off, int len, InetSocketAddress from) {
    return !closed && inbound.offer(new DatagramPacket(Arrays.copyOfRange(b, off, off + len), len, from));
  }

  @Override
  public void receive(DatagramPacket p) throws IOException {
    DatagramPacket next;
    try {
      while ((next = inbound.poll(250, TimeUnit.MILLISECONDS)) == null) {
        if (closed) {
          throw new SocketException("closed");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SocketException("interrupted");
    }
    if (next == CLOSED) {
      throw new SocketException("closed");
    }
    int room = p.getData().length - p.getOffset();
    int n = Math.min(next.getLength(), room);
    System.arraycopy(next.getData(), 0, p.getData(), p.getOffset(), n);
    p.setLength(n);
    p.setSocketAddress(next.getSocketAddress());
  }

  @Override
  public void send(DatagramPacket p) throws IOException {
    if (closed) {
      throw new SocketException("closed");
    }
    output.send(Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength()),
        (InetSocketAddress) p.getSocketAddress());
  }

  @Override
  public InetAddress getLocalAddress() {
    return local.getAddress();
  }

  @Override
  public int getLocalPort() {
    return local.getPort();
  }

  @Override
  public SocketAddress getLocalSocketAddress() {
    return local;
  }

  @Override
  public boolean isBound() {
    return true;
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  /**
   * The socket implementation under this object: none. Every method ice4j uses is overridden above, so the JDK's
   * own socket (a descriptor per object) is never needed; anything that reaches it fails plainly.
   */
  private static final class NoDescriptor extends DatagramSocketImpl {
    private static SocketException unsupported() {
      return new SocketException("the router owns the media port");
    }

    @Override
    protected void create() {
    }

    @Override
    protected void bind(int port, InetAddress address) throws SocketException {
      throw unsupported();
    }

    @Override
    protected void send(DatagramPacket p) throws IOException {
      throw unsupported();
    }

    @Override
    protected int peek(InetAddress i) throws IOException {
      throw unsupported();
    }

    @Override
    protected int peekData(DatagramPacket p) throws IOException {
      throw unsupported();
    }

    @Override
    protected void receive(DatagramPacket p) throws IOException {
      throw unsupported();
    }

    @Override
    @SuppressWarnings("deprecation")
    protected void setTTL(byte ttl) throws IOException {
      throw unsupported();
    }

    @Override
    @SuppressWarnings("deprecation")
    protected byte getTTL() throws IOException {
      throw unsupported();
    }

    @Override
    protected void setTimeToLive(int ttl) throws IOException {
      throw unsupported();
    }

    @Override
    protected int getTimeToLive() throws IOException {
      throw unsupported();
    }

    @Override
    protected void join(InetAddress group) throws IOException {
      throw unsupported();
    }

    @Override
    protected void leave(InetAddress group) throws IOException {
      throw unsupported();
    }

    @Override
    protected void joinGroup(SocketAddress group, java.net.NetworkInterface nif) throws IOException {
      throw unsupported();
    }

    @Override
    protected void leaveGroup(SocketAddress group, java.net.NetworkInterface nif) throws IOException {
      throw unsupported();
    }

    @Override
    protected void close() {
    }

    @Override
    public void setOption(int optionId, Object value) throws SocketException {
      throw unsupported();
    }

    @Override
    public Object getOption(int optionId) throws SocketException {
      throw unsupported();
    }
  }

  @Override
  public void close() {
    closed = true;
    inbound.clear();
    inbound.offer(CLOSED);
    super.close();
  }
}
