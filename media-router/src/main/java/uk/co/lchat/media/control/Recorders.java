package uk.co.lchat.media.control;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import uk.co.lchat.media.control.MediaRouterProtocol.RecordTrack;
import uk.co.lchat.media.router.MediaRouter;
import uk.co.lchat.media.router.PlainRtpSink;
import uk.co.lchat.media.router.Publication;
import uk.co.lchat.media.router.SimulcastSource;
import uk.co.lchat.media.router.Subscription;

/**
 * Recorders' sinks on this router (egress): each takes one track, published here or over a relay from another
 * node, as plain RTP to a recorder's loopback port ({@link PlainRtpSink}). A simulcast track goes as one layer at a
 * time under one SSRC, as to any receiver. A track from another node is wired when the relay brings it.
 */
final class Recorders {
  private static final class Recorder {
    final RecordTrack order;
    final PlainRtpSink sink;
    Subscription subscription;

    Recorder(RecordTrack order, PlainRtpSink sink) {
      this.order = order;
      this.sink = sink;
    }
  }

  private final MediaRouter router;
  private final LocalTracks tracks;
  private final Map<String, Recorder> bySink = new HashMap<>();

  Recorders(MediaRouter router, LocalTracks tracks) {
    this.router = router;
    this.tracks = tracks;
  }

  /** Starts (or restarts) a recorder's sink; IllegalArgumentException for a port not on loopback. */
  void record(RecordTrack m) throws IOException {
    stop(m.sinkId());
    Recorder r = new Recorder(m, new PlainRtpSink(new InetSocketAddress(InetAddress.getLoopbackAddress(), m.port())));
    bySink.put(m.sinkId(), r);
    TrackInfo t = m.track();
    SimulcastSource src = tracks.simulcast(t.trackId());
    if (src != null) {
      r.subscription = router.subscribe(src, r.sink, m.payloadType(), null, "VP8".equalsIgnoreCase(t.codec()), -1,
          -1);
      return;
    }
    Publication p = tracks.publicationOf(t);
    if (p != null) {
      r.subscription = router.subscribe(p, r.sink, m.payloadType());
    } else {
      tracks.need(t); // published on another node: it comes over the relay, and trackRelayed wires it
    }
  }

  /** A track from another node arrived over a relay: recorders waiting for it get it now. */
  void trackRelayed(String trackId, Publication arrived) {
    for (Recorder r : bySink.values()) {
      if (r.subscription == null && r.order.track().trackId().equals(trackId)) {
        r.subscription = router.subscribe(arrived, r.sink, r.order.payloadType());
      }
    }
  }

  /** Tracks recorders here take over relays (they must not be released). */
  Set<String> relayedTrackIds() {
    Set<String> ids = new HashSet<>();
    for (Recorder r : bySink.values()) {
      String id = r.order.track().trackId();
      if (tracks.published(id) == null && tracks.simulcast(id) == null) {
        ids.add(id);
      }
    }
    return ids;
  }

  /** Ends the recorder's sink; true if there was one. The caller releases the relayed tracks nobody uses now. */
  boolean stop(String sinkId) {
    Recorder r = bySink.remove(sinkId);
    if (r == null) {
      return false;
    }
    if (r.subscription != null) {
      router.unsubscribe(r.subscription);
    }
    r.sink.close();
    return true;
  }

  /** Every sink ends (the router stops). */
  void stopAll() {
    for (String id : Set.copyOf(bySink.keySet())) {
      stop(id);
    }
  }

  int size() {
    return bySink.size();
  }
}
