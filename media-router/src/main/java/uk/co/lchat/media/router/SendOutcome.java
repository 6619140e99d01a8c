package uk.co.lchat.media.router;

import io.netty.channel.Channel;
import io.netty.channel.DefaultChannelPromise;

/**
 * How one write on the router's sockets ended, counted when the socket took it or refused it: with batched sends a
 * packet leaves, or fails, after {@link SocketSender#send} returned, so only then is it known to be sent. Media
 * (SRTP, SRTCP) counts as sent; every failure, media or STUN or DTLS, counts as a send dropped. Completed on the loop
 * thread, so the plain counters keep their single writer.
 */
final class SendOutcome extends DefaultChannelPromise {
  private final RouterCounters counters;
  private final int length;
  private final boolean media;

  SendOutcome(Channel channel, RouterCounters counters, int length, boolean media) {
    super(channel);
    this.counters = counters;
    this.length = length;
    this.media = media;
  }

  @Override
  public boolean trySuccess(Void result) {
    boolean first = super.trySuccess(result);
    if (first && media) {
      counters.packetsSent++;
      counters.bytesSent += length;
    }
    return first;
  }

  @Override
  public boolean tryFailure(Throwable cause) {
    boolean first = super.tryFailure(cause);
    if (first) {
      counters.sendDropped++;
    }
    return first;
  }
}
