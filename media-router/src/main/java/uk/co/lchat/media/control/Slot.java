package uk.co.lchat.media.control;

import java.util.Objects;

import uk.co.lchat.media.router.Endpoint;
import uk.co.lchat.media.router.MediaRouter;
import uk.co.lchat.media.router.Publication;
import uk.co.lchat.media.router.SimulcastSource;
import uk.co.lchat.media.router.StreamRewriter;
import uk.co.lchat.media.router.Subscription;
import uk.co.lchat.media.sdp.Codec;
import uk.co.lchat.media.sdp.OutgoingTrack;

/**
 * One m-section of a participant's receiving connection and the track it carries now (null once the source is
 * gone: the section is offered inactive). A video or non-Opus section carries one track for as long as the room
 * sends it; an audio slot ({@link AudioSlots}) keeps its own outgoing stream and switches between sources.
 */
final class Slot {
  final String mid;
  final String kind;
  TrackInfo track;
  Codec codec;
  int rtxPayloadType = -1;
  long rtxSsrc = -1;
  Subscription subscription;
  SimulcastSource wiredTo;
  /** The last offer had this slot inactive; once that offer is answered the slot may carry another track. */
  boolean inactiveOffered;
  boolean reusable;
  /** The tallest picture the receiver wants of this slot's video ({@link VideoConstraints}). */
  private int maxHeight = MediaRouter.ANY_HEIGHT;
  /** An audio slot's fixed outgoing stream (null for other slots), and the track id it carries now. */
  final StreamRewriter rewriter;
  String source;

  Slot(String mid, String kind) {
    this(mid, kind, null);
  }

  Slot(String mid, String kind, StreamRewriter rewriter) {
    this.mid = mid;
    this.kind = kind;
    this.rewriter = rewriter;
  }

  boolean isAudioSlot() {
    return rewriter != null;
  }

  /** The slot carries {@code t} from the next offer on (a new section, or an inactive one the client has seen). */
  void carry(TrackInfo t, Codec codec, int rtxPayloadType, long rtxSsrc) {
    reusable = false;
    inactiveOffered = false;
    track = t;
    this.codec = codec;
    this.rtxPayloadType = rtxPayloadType;
    this.rtxSsrc = rtxSsrc;
  }

  /** The slot's source is gone: it goes inactive in the next offer. */
  void release(MediaRouter router) {
    if (subscription != null) {
      router.unsubscribe(subscription);
    }
    track = null;
    subscription = null;
    reusable = false;
  }

  /**
   * Subscribes the slot to its track here (published locally, or arrived over a relay), or asks the relay for it.
   * The offer does not change, only what feeds the slot.
   */
  void wire(MediaRouter router, LocalTracks tracks, Endpoint receiver) {
    SimulcastSource src = tracks.simulcast(track.trackId());
    Publication p = src == null ? tracks.publicationOf(track) : null;
    if (subscription != null) {
      if ((p != null && subscription.publication() == p) || (src != null && wiredTo == src)) {
        return;
      }
      router.unsubscribe(subscription);
      subscription = null;
      wiredTo = null;
    }
    if (p != null) {
      subscription = router.subscribe(p, receiver, codec.payloadType(), null, false, rtxPayloadType, rtxSsrc);
    } else if (src != null) {
      subscription = router.subscribe(src, receiver, codec.payloadType(), null, codec.is("VP8"), rtxPayloadType,
          rtxSsrc);
      wiredTo = src;
    }
    if (subscription != null && maxHeight != MediaRouter.ANY_HEIGHT) {
      router.setMaxHeight(subscription, maxHeight);
    }
    if (p == null && src == null) {
      tracks.need(track); // published on another node: it comes over a relay, then this slot is wired
    }
  }

  /**
   * The receiver's limit on this video slot's picture, applied to what feeds it now and to whatever feeds it later.
   * No effect on audio.
   */
  void constrain(MediaRouter router, int height) {
    if (!kind.equals("video") || height == maxHeight) {
      return;
    }
    maxHeight = height;
    if (subscription != null) {
      router.setMaxHeight(subscription, height);
    }
  }

  /** An audio slot carries {@code next} (here as {@code p}; null: nothing) from now on. */
  void carryAudio(String next, Publication p, MediaRouter router, Endpoint receiver) {
    if (Objects.equals(next, source) && (subscription == null ? p == null : subscription.publication() == p)) {
      return;
    }
    if (subscription != null) {
      router.unsubscribe(subscription);
      subscription = null;
    }
    source = next;
    if (p != null) {
      subscription = router.subscribe(p, receiver, codec.payloadType(), rewriter, false, -1, -1);
    }
  }

  /** The slot as the next offer describes it; an empty slot is offered inactive. */
  OutgoingTrack offered() {
    inactiveOffered = track == null;
    if (track == null) {
      return new OutgoingTrack(mid, kind, codec, -1, null, null);
    }
    return new OutgoingTrack(mid, kind, codec, track.ssrc(), track.participantId(), track.trackId(), rtxPayloadType,
        rtxSsrc);
  }

  /** The client answered the offer: a slot it saw go inactive may carry another track. */
  void answered() {
    reusable = inactiveOffered && track == null;
  }
}
