package uk.co.lchat.metrics;

import java.util.List;

/**
 * One node's raw figures at one moment: cumulative counters (which rates are computed from) and current values.
 * Filled by the node once a second from its media router, conference tracker and signaling.
 *
 * @param timestampMillis when the sample was taken (epoch milliseconds)
 * @param bytesReceived all bytes the media router received (UDP and ICE-TCP)
 * @param bytesSent all bytes it sent
 * @param packetsReceived packets it received
 * @param packetsSent packets it sent
 * @param packetsSendDropped packets it meant to send but dropped: the socket's backlog was full or the kernel refused
 *     them (a send that failed is never counted as sent)
 * @param rtpExpected RTP packets publishers sent to this node, from sequence numbers
 * @param rtpLost of those, never received
 * @param uploadLoss mean loss fraction receivers report for the streams we send them (RTCP receiver reports)
 * @param jitterMillis mean RFC 3550 interarrival jitter of incoming streams
 * @param rttMillis mean round-trip time to receivers (RTCP SR/RR)
 * @param rttSamples each outgoing stream's RTT (ms), for the histogram
 * @param jitterSamples each incoming stream's jitter (ms), for the histogram
 * @param conferenceSizes participants of each conference with participants on this node
 * @param conferencesCreated conferences that started on this node
 * @param failedConferences ended conferences where nobody's media connected
 * @param partiallyFailedConferences ended conferences where some participants' media never connected
 * @param conferenceSeconds summed lifetime of ended conferences
 * @param audioChannels incoming plus outgoing audio streams
 * @param videoChannels incoming plus outgoing video streams
 * @param videoStreams video streams being sent to receivers
 * @param lossControlledSeconds publisher-seconds with incoming loss under 2 %
 * @param lossLimitedSeconds publisher-seconds with loss 2-10 %
 * @param lossDegradedSeconds publisher-seconds with loss over 10 %
 * @param dataChannelMessagesReceived WebRTC data channel messages received (none: data channels are not offered)
 * @param dataChannelMessagesSent data channel messages sent
 * @param signalingMessagesReceived messages received on signaling WebSockets
 * @param signalingMessagesSent messages sent on them
 * @param iceSucceededUdp transports whose ICE completed over UDP
 * @param iceSucceededTcp transports whose ICE completed over TCP
 * @param relays relay links to other nodes' media routers
 * @param relayStreamsIn streams received over those links (each once per link, however many receivers here)
 * @param relayStreamsOut streams sent over them
 * @param threads live JVM threads
 * @param processCpuLoad this process's CPU use over all cores (0..1), or -1 when unknown
 * @param endpoints media transports open on this node
 * @param receiveStages each stage of the router's receive chains, in order
 */
public record NodeSample(long timestampMillis, long bytesReceived, long bytesSent, long packetsReceived,
                         long packetsSent, long packetsSendDropped, long rtpExpected, long rtpLost, double uploadLoss, double jitterMillis,
                         double rttMillis, double[] rttSamples, double[] jitterSamples, int[] conferenceSizes,
                         long conferencesCreated, long failedConferences, long partiallyFailedConferences,
                         long conferenceSeconds, int audioChannels, int videoChannels, int videoStreams,
                         long lossControlledSeconds, long lossLimitedSeconds, long lossDegradedSeconds,
                         long dataChannelMessagesReceived, long dataChannelMessagesSent,
                         long signalingMessagesReceived, long signalingMessagesSent, long iceSucceededUdp,
                         long iceSucceededTcp, int relays, int relayStreamsIn, int relayStreamsOut, int threads,
                         double processCpuLoad, int endpoints, int egresses,
                         List<ReceiveStageSample> receiveStages) {
  public NodeSample {
    receiveStages = List.copyOf(receiveStages);
  }

  public int conferences() {
    return conferenceSizes.length;
  }

  public int participants() {
    int n = 0;
    for (int s : conferenceSizes) {
      n += s;
    }
    return n;
  }

  public int largestConference() {
    int max = 0;
    for (int s : conferenceSizes) {
      max = Math.max(max, s);
    }
    return max;
  }
}
