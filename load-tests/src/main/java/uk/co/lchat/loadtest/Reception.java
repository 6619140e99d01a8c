package uk.co.lchat.loadtest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import uk.co.lchat.media.control.MediaRouterActor;
import uk.co.lchat.media.sdp.MediaDescription;
import uk.co.lchat.media.sdp.SessionDescription;

/**
 * What one simulated receiver should be getting, and what of it never came: the loss figure counts every packet a
 * stream should have carried and did not, not only the holes between sequence numbers that did arrive.
 *
 * <p>"Should have carried" follows what the router says it sends and what the senders (in this JVM, see
 * {@link Publishers}) send. The router does not forward everything by design: last-N leaves some video out and the
 * audio slots carry only the loudest few, and it says so in its offers (a track leaves the offer, a slot keeps its
 * m-section but gets no source). So a track is expected while it is in the receiver's latest offer and its sender
 * publishes it; an audio slot (msid {@value MediaRouterActor#AUDIO_SLOTS_STREAM}) is expected while the room has
 * enough other audio senders to fill it, since the router fills min(slots, sources) of them. Counting the router's
 * SSRCs against the senders' sent counts would not work: the router forwards one simulcast layer of three under its
 * own SSRC and sequence numbers, and an audio slot's source changes.
 *
 * <p>Two ways of counting, which never count one packet twice:
 * <ul>
 *   <li>Sequence numbers (in {@link ReceivedStream}), per SSRC. The streams are kept across the receiver's
 *   connections (a fresh offer from the same router keeps each track's SSRC and its numbers continue), so the gap
 *   of a stream that resumes counts.</li>
 *   <li>Stalls, at each report tick: an expected track that delivered nothing for over {@link #STALL_NANOS} counts
 *   as losing packets at its measured rate from its last packet on. A track keeps its rate and last packet when its
 *   SSRC changes (its sender or this receiver moved to another router), so a whole-receiver outage (its receiving
 *   connection dead, then replaced) counts every track it was receiving until the new streams deliver. If the same
 *   SSRC resumes, its sequence gap replaces the estimate as far as it covers it.</li>
 * </ul>
 * A track that has never delivered has no measured rate and is not counted; a track that leaves the offer starts
 * afresh when it comes back (its numbers moved on while it was deliberately not forwarded).
 */
final class Reception {
  /** Longer than any deliberate pause in a flowing stream (a simulcast switch waits for a keyframe). */
  static final long STALL_NANOS = 1_000_000_000L;

  /** One sending m-section of an offer: its SSRC and msid. */
  record OfferedTrack(long ssrc, String streamId, String trackId, boolean video) {
    String msid() {
      return streamId + " " + trackId;
    }

    boolean audioSlot() {
      return streamId.equals(MediaRouterActor.AUDIO_SLOTS_STREAM);
    }
  }

  /** An offered track across the SSRCs it has had, and how far its stalls have been counted. */
  private static final class Track {
    OfferedTrack offered;
    /** Of the SSRCs before the current one, while the current one has delivered nothing. */
    long carriedLastArrival;
    double carriedRate;
    long countedUntil;
    double fraction;
    long lastArrival;
    double rate;

    Track(OfferedTrack offered) {
      this.offered = offered;
    }

    void carry(ReceivedStream previous) {
      if (previous != null && previous.arrived()) {
        carriedLastArrival = previous.lastArrival();
        carriedRate = previous.packetsPerSecond();
      }
    }

    /** Sets {@link #lastArrival} and {@link #rate} from the current stream, or what was carried. */
    void observe(ReceivedStream current) {
      boolean delivered = current != null && current.arrived();
      lastArrival = delivered ? current.lastArrival() : carriedLastArrival;
      double measured = delivered ? current.packetsPerSecond() : 0;
      rate = measured > 0 ? measured : carriedRate;
    }

    boolean known() {
      return lastArrival != 0 && rate > 0;
    }

    boolean flowing(long now) {
      return lastArrival != 0 && now - lastArrival <= STALL_NANOS;
    }
  }

  private final Measurements measurements;
  private final Map<Long, ReceivedStream> streams = new ConcurrentHashMap<>();
  private Map<String, Track> tracks = new LinkedHashMap<>();

  Reception(Measurements measurements) {
    this.measurements = measurements;
  }

  /** The sending sections of a router's offer. */
  static List<OfferedTrack> tracksOf(SessionDescription offer) {
    List<OfferedTrack> out = new ArrayList<>();
    for (MediaDescription m : offer.media()) {
      if (!m.sends() || m.ssrcs().isEmpty()) {
        continue; // inactive: the router sends nothing here
      }
      long ssrc = m.ssrcs().get(0);
      String[] msid = m.ssrcMsid().getOrDefault(ssrc, "? " + m.mid()).split(" ", 2);
      out.add(new OfferedTrack(ssrc, msid[0], msid.length > 1 ? msid[1] : m.mid(), m.kind().equals("video")));
    }
    return out;
  }

  /** The router's latest offer: from now on the receiver expects these tracks and no others. */
  synchronized void offer(List<OfferedTrack> offered) {
    Map<String, Track> next = new LinkedHashMap<>();
    for (OfferedTrack o : offered) {
      Track t = tracks.remove(o.msid());
      if (t == null) {
        t = new Track(o);
        streams.put(o.ssrc(), new ReceivedStream(o.video()));
      } else if (t.offered.ssrc() != o.ssrc()) {
        t.carry(streams.remove(t.offered.ssrc()));
        streams.put(o.ssrc(), new ReceivedStream(o.video()));
      }
      t.offered = o;
      next.put(o.msid(), t);
    }
    for (Track gone : tracks.values()) {
      streams.remove(gone.offered.ssrc());
    }
    tracks = next;
  }

  /** A media packet (not a retransmission) that arrived on any of the receiver's connections. */
  void packet(long ssrc, boolean video, int seq, long sendNanos, long arrivalNanos) {
    ReceivedStream s = streams.get(ssrc);
    if (s == null) {
      // Not (yet) in an offer, e.g. forwarded a moment before its offer is read: measured all the same.
      s = streams.computeIfAbsent(ssrc, k -> new ReceivedStream(video));
    }
    s.packet(seq, sendNanos, arrivalNanos, measurements);
  }

  /**
   * The report tick: counts as lost what each expected track that has stalled should have carried since it was
   * last counted. {@code room} and {@code self} are this receiver's.
   */
  synchronized void countMissing(long now, Publishers publishers, String room, String self) {
    List<Track> slots = new ArrayList<>();
    int slotsFlowing = 0;
    for (Track t : tracks.values()) {
      t.observe(streams.get(t.offered.ssrc()));
      if (t.offered.audioSlot()) {
        slots.add(t);
        slotsFlowing += t.flowing(now) ? 1 : 0;
      } else {
        count(t, now, publishers.publishes(t.offered.streamId(), t.offered.video()));
      }
    }
    // Which slot the router left empty is not known, only how many it fills: the shortfall is taken from the
    // stalled slots that stopped most recently.
    int shortfall = Math.min(slots.size(), publishers.audioSourcesFor(room, self)) - slotsFlowing;
    slots.sort(Comparator.comparingLong((Track t) -> t.lastArrival).reversed());
    for (Track t : slots) {
      if (t.flowing(now)) {
        continue;
      }
      boolean expected = shortfall > 0 && t.known();
      if (expected) {
        shortfall--;
      }
      count(t, now, expected);
    }
  }

  private void count(Track t, long now, boolean expected) {
    if (!t.known()) {
      return;
    }
    if (!expected) {
      t.countedUntil = now; // deliberately not sent: a later stall counts from here, not from its last packet
      return;
    }
    if (now - t.lastArrival <= STALL_NANOS) {
      return;
    }
    long from = Math.max(t.lastArrival, t.countedUntil);
    double missing = t.rate * (now - from) / 1e9 + t.fraction;
    long whole = (long) missing;
    t.fraction = missing - whole;
    t.countedUntil = now;
    if (whole <= 0) {
      return;
    }
    measurements.expected.add(whole);
    measurements.lost.add(whole);
    measurements.lostWhileStalled.add(whole);
    ReceivedStream current = streams.get(t.offered.ssrc());
    if (current != null && current.arrived()) {
      current.estimated(whole);
    }
  }
}
