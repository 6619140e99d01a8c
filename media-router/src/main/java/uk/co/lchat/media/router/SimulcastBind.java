package uk.co.lchat.media.router;

/**
 * A packet of an SSRC not seen before may be the first of a simulcast layer, named by its rid (RFC 8852): the layer
 * is bound to the SSRC, and the track's receivers choose their layer again now that there is one more. Never drops.
 */
final class SimulcastBind extends ReceiveStage {
  private final KeyframeRequests keyframeRequests;

  SimulcastBind(KeyframeRequests keyframeRequests) {
    super("simulcast_bind");
    this.keyframeRequests = keyframeRequests;
  }

  @Override
  boolean process(ReceivedPacket in) {
    if (in.publication != null) {
      return true;
    }
    for (SimulcastSource src : in.transport.simulcast) {
      Publication layer = src.bind(in.rtp);
      if (layer != null) {
        in.publication = layer;
        for (Subscription s : src.subscriptions) {
          s.chooseLayer(keyframeRequests);
        }
        return true;
      }
    }
    return true;
  }
}
