package uk.co.lchat.media.router;

import java.util.concurrent.atomic.LongAdder;

/**
 * The router's counters. Plain fields are written only by the receive loop (single writer) and read by metrics
 * scrapes, which may see a value a moment old; adders are bumped from other threads too.
 */
public final class RouterCounters {
  long packetsReceived;
  long bytesReceived;
  long packetsSent;
  long bytesSent;
  long dropped;
  long sendDropped;
  long srtpFailures;
  long unknownSsrc;
  long stunRejected;
  /** Media that came on another verified path than the latched one, which then became the endpoint's path. */
  long pathsFollowed;
  long keyframeRequestsSent;
  long keyframeRequestsRelayed;
  long retransmissions;
  long nacksUnanswered;
  /** NACKs sent over relays for packets lost between routers, and the packets their RTX answers repaired. */
  long nacksSentUpstream;
  long repairedOverRelays;
  long duplicateRetransmissions;
  /** Simulcast receivers moved to the lowest layer because they reported heavy loss. */
  long lossDowngrades;
  /** REMBs received for simulcast streams (over relays: the far router's estimate for its receivers). */
  long rembsReceived;
  /** RTX copies sent to raise receivers' bandwidth estimates ({@link BandwidthProbe}). */
  long probePackets;
  long rtcpSent;
  long transportFeedbackSent;
  final LongAdder endpointsCreated = new LongAdder();
  final LongAdder endpointsClosed = new LongAdder();
  final LongAdder dtlsFailures = new LongAdder();
  final LongAdder iceSucceededUdp = new LongAdder();
  final LongAdder iceSucceededTcp = new LongAdder();
  final LongAdder relaysOpened = new LongAdder();
  long tcpConnectionsAccepted;
  final LongAdder internalErrors = new LongAdder();
  final LongAdder iceRestarts = new LongAdder();

  public long packetsReceived() {
    return packetsReceived;
  }

  public long bytesReceived() {
    return bytesReceived;
  }

  public long packetsSent() {
    return packetsSent;
  }

  public long bytesSent() {
    return bytesSent;
  }

  public long dropped() {
    return dropped;
  }

  public long sendDropped() {
    return sendDropped;
  }

  public long srtpFailures() {
    return srtpFailures;
  }

  public long unknownSsrc() {
    return unknownSsrc;
  }

  public long stunRejected() {
    return stunRejected;
  }

  public long pathsFollowed() {
    return pathsFollowed;
  }

  public long keyframeRequestsSent() {
    return keyframeRequestsSent;
  }

  public long keyframeRequestsRelayed() {
    return keyframeRequestsRelayed;
  }

  public long retransmissions() {
    return retransmissions;
  }

  public long nacksSentUpstream() {
    return nacksSentUpstream;
  }

  public long rembsReceived() {
    return rembsReceived;
  }

  public long probePackets() {
    return probePackets;
  }

  public long lossDowngrades() {
    return lossDowngrades;
  }

  public long repairedOverRelays() {
    return repairedOverRelays;
  }

  public long nacksUnanswered() {
    return nacksUnanswered;
  }

  public long transportFeedbackSent() {
    return transportFeedbackSent;
  }

  public long rtcpSent() {
    return rtcpSent;
  }

  public long endpointsCreated() {
    return endpointsCreated.sum();
  }

  public long endpointsClosed() {
    return endpointsClosed.sum();
  }

  public long dtlsFailures() {
    return dtlsFailures.sum();
  }

  public long iceSucceededUdp() {
    return iceSucceededUdp.sum();
  }

  public long iceSucceededTcp() {
    return iceSucceededTcp.sum();
  }

  /** ICE-TCP connections accepted (RFC 6544 passive candidate). */
  public long tcpConnectionsAccepted() {
    return tcpConnectionsAccepted;
  }

  public long relaysOpened() {
    return relaysOpened.sum();
  }

  public long iceRestarts() {
    return iceRestarts.sum();
  }

  public long internalErrors() {
    return internalErrors.sum();
  }
}
