package uk.co.lchat.node.stats;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import uk.co.lchat.media.control.ConferenceTracker;
import uk.co.lchat.media.router.MediaRouter;
import uk.co.lchat.media.router.RouterCounters;
import uk.co.lchat.media.router.RouterStatistics;
import uk.co.lchat.media.router.StageCount;
import uk.co.lchat.metrics.NodeSample;
import uk.co.lchat.metrics.ReceiveStageSample;
import uk.co.lchat.node.signaling.SignalingCounters;

/** Reads this node's media router, conferences and signaling into one {@link NodeSample}. */
public final class NodeSampler implements Supplier<NodeSample> {
  private final MediaRouter router;
  private final ConferenceTracker conferences;
  private final SignalingCounters signaling;
  private final java.util.function.IntSupplier egresses;

  /** {@code egresses}: how many recordings run on this node. */
  public NodeSampler(MediaRouter router, ConferenceTracker conferences, SignalingCounters signaling,
                     java.util.function.IntSupplier egresses) {
    this.router = router;
    this.conferences = conferences;
    this.signaling = signaling;
    this.egresses = egresses;
  }

  @Override
  public NodeSample get() {
    RouterCounters c = router.counters();
    RouterStatistics s = router.statistics();
    int relayIn = 0;
    int relayOut = 0;
    for (MediaRouter.RelayStatus r : router.relays()) {
      relayIn += r.streamsIn();
      relayOut += r.streamsOut();
    }
    ConferenceTracker.Snapshot conf = conferences.snapshot();
    return new NodeSample(System.currentTimeMillis(), c.bytesReceived(), c.bytesSent(), c.packetsReceived(),
        c.packetsSent(), c.sendDropped(), s.rtpExpectedTotal(), s.rtpLostTotal(), s.uploadLoss(), s.meanJitterMillis(),
        s.meanRttMillis(), s.rttMillis(), s.jitterMillis(), conf.sizes(), conf.created(), conf.failed(),
        conf.partiallyFailed(), conf.completedSeconds(), s.audioPublications() + s.audioSubscriptions(),
        s.videoPublications() + s.videoSubscriptions(), s.videoSubscriptions(), s.lossControlledSeconds(),
        s.lossLimitedSeconds(), s.lossDegradedSeconds(), 0, 0, signaling.messagesReceived(),
        signaling.messagesSent(), c.iceSucceededUdp(), c.iceSucceededTcp(), router.relayCount(),
        relayIn, relayOut, ManagementFactory.getThreadMXBean().getThreadCount(), processCpuLoad(),
        router.endpointCount(), egresses.getAsInt(), receiveStages());
  }

  private List<ReceiveStageSample> receiveStages() {
    List<ReceiveStageSample> out = new ArrayList<>();
    for (StageCount c : router.receiveStages()) {
      out.add(new ReceiveStageSample(c.chain(), c.stage(), c.packets(), c.dropped()));
    }
    return out;
  }

  private final JvmCpu jvm = new JvmCpu();
  private final FfmpegCpu recorders = new FfmpegCpu();

  /**
   * The node's share of the machine's CPU: the JVM's own and its FFmpeg children's ({@link FfmpegCpu}: the
   * recordings, which the JVM's figure leaves out), so the autoscaler and /stats see what recording costs a node.
   * Finding the children walks every process on the machine, so it is done only while a recording runs.
   */
  private double processCpuLoad() {
    double own = jvm.shareSinceLastCall();
    if (own < 0) {
      return own;
    }
    return Math.min(1.0, own + (egresses.getAsInt() > 0 ? recorders.shareSinceLastCall() : recorders.forget()));
  }
}
