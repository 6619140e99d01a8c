package uk.co.lchat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import uk.co.lchat.loadtest.Publishers.Publisher;
import uk.co.lchat.loadtest.Reception.OfferedTrack;

/** What a receiver should have got and did not: stalls, gaps, and what the router deliberately does not send. */
class ReceptionTest {
  private static final long SECOND = 1_000_000_000L;
  /** 50 packets/s, as Opus and the load tool's lowest video layer at 50 frames/s would send. */
  private static final long EVERY = 20_000_000L;
  private static final String ROOM = "r";
  private static final OfferedTrack ANN_VIDEO = new OfferedTrack(1001, "ann", "ann-1-q.h.f", true);
  private static final OfferedTrack BOB_VIDEO = new OfferedTrack(1002, "bob", "bob-1-q.h.f", true);

  private final Measurements m = new Measurements();
  private final Reception reception = new Reception(m);
  private Publishers publishers = publishers(sender("ann", true), sender("bob", true), receiver("me"));

  private static Publisher sender(String id, boolean publishing) {
    return new Publisher(id, ROOM, publishing, publishing);
  }

  private static Publisher receiver(String id) {
    return new Publisher(id, ROOM, false, false);
  }

  private static Publishers publishers(Publisher... ps) {
    return Publishers.of(Arrays.asList(ps));
  }

  /** Packets {@code fromSeq}, {@code fromSeq + 1}, ... of one stream, 20 ms apart from {@code start}. */
  private void flow(OfferedTrack t, int fromSeq, int count, long start) {
    for (int i = 0; i < count; i++) {
      reception.packet(t.ssrc(), t.video(), (fromSeq + i) & 0xFFFF, 0, start + i * EVERY);
    }
  }

  /** Report ticks once a second from {@code fromSecond} to {@code toSecond}. */
  private void ticks(int fromSecond, int toSecond) {
    for (int s = fromSecond; s <= toSecond; s++) {
      reception.countMissing(s * SECOND, publishers, ROOM, "me");
    }
  }

  @Test
  void aStreamThatStopsWhileStillOfferedIsCountedLostAtItsRate() {
    reception.offer(List.of(ANN_VIDEO));
    flow(ANN_VIDEO, 0, 100, 0); // 0 .. 1.98 s
    ticks(1, 2);
    assertEquals(0, m.lost.sum(), "nothing is missing while it flows");

    ticks(3, 6); // silent since 1.98 s, while Ann still publishes and the router still offers it

    assertEquals(50 * 4.02, m.lost.sum(), 2, "50 packets/s from its last packet to the last tick");
    assertEquals(100 + m.lost.sum(), m.expected.sum());
    assertEquals(m.lost.sum(), m.lostWhileStalled.sum());
  }

  @Test
  void aPauseShorterThanTheStallThresholdIsNotEstimated() {
    reception.offer(List.of(ANN_VIDEO));
    flow(ANN_VIDEO, 0, 100, 0);
    ticks(1, 2); // 20 ms after its last packet: flowing

    assertEquals(0, m.lost.sum());
  }

  @Test
  void aStreamThatResumesAfterAGapOnANewConnectionCountsTheGapOnce() {
    reception.offer(List.of(ANN_VIDEO));
    flow(ANN_VIDEO, 0, 100, 0);
    ticks(1, 4); // stalled: about 100 packets estimated
    assertTrue(m.lost.sum() > 90, "the stall was estimated: " + m.lost.sum());

    // A fresh offer (a new receiving connection to the same router) with the same SSRC, whose numbers continue.
    reception.offer(List.of(ANN_VIDEO));
    flow(ANN_VIDEO, 250, 50, 5 * SECOND);
    ticks(6, 6);

    assertEquals(150, m.lost.sum(), "sequence numbers 100..249 never came, counted once");
    assertEquals(300, m.expected.sum());
  }

  @Test
  void aGapShorterThanTheStallThresholdCountsFromSequenceNumbers() {
    reception.offer(List.of(ANN_VIDEO));
    flow(ANN_VIDEO, 0, 50, 0);
    flow(ANN_VIDEO, 80, 50, 1_600_000_000L); // 30 missing, the stream silent for 0.62 s
    ticks(1, 3);

    assertEquals(30, m.lost.sum());
    assertEquals(130, m.expected.sum());
  }

  @Test
  void aStreamNoLongerOfferedIsNotLost() {
    reception.offer(List.of(ANN_VIDEO, BOB_VIDEO));
    flow(ANN_VIDEO, 0, 100, 0);
    flow(BOB_VIDEO, 0, 100, 0);
    ticks(1, 2);

    reception.offer(List.of(BOB_VIDEO)); // last-N leaves Ann's video out
    flow(BOB_VIDEO, 100, 200, 2 * SECOND);
    ticks(3, 6);

    assertEquals(0, m.lost.sum());
  }

  @Test
  void aTrackThatComesBackToTheOfferStartsAfresh() {
    reception.offer(List.of(ANN_VIDEO));
    flow(ANN_VIDEO, 0, 100, 0);
    reception.offer(List.of());
    ticks(1, 4);

    // Back among the last N, same SSRC: its numbers moved on while the router deliberately did not forward it.
    reception.offer(List.of(ANN_VIDEO));
    flow(ANN_VIDEO, 250, 50, 5 * SECOND);
    ticks(5, 6);

    assertEquals(0, m.lost.sum());
    assertEquals(150, m.expected.sum());
  }

  @Test
  void aStreamWhoseSenderStoppedPublishingIsNotLost() {
    reception.offer(List.of(ANN_VIDEO));
    flow(ANN_VIDEO, 0, 100, 0);
    ticks(1, 2);

    publishers = publishers(sender("ann", false), receiver("me")); // left, or closed its camera
    ticks(3, 6);

    assertEquals(0, m.lost.sum(), "an offer the router has not yet withdrawn does not make it lost");
  }

  @Test
  void aStallAfterTheSenderPublishesAgainCountsOnlyFromThen() {
    reception.offer(List.of(ANN_VIDEO));
    flow(ANN_VIDEO, 0, 100, 0);
    publishers = publishers(sender("ann", false), receiver("me"));
    ticks(1, 4);

    publishers = publishers(sender("ann", true), receiver("me"));
    ticks(5, 7);

    assertEquals(50 * 3, m.lost.sum(), 2, "from the tick at 4 s, when it was last not expected, to 7 s");
  }

  @Test
  void aReceiverWhoseConnectionDiedLosesEveryStreamItWasReceivingUntilTheNewOneDelivers() {
    reception.offer(List.of(ANN_VIDEO, BOB_VIDEO));
    flow(ANN_VIDEO, 0, 100, 0);
    flow(BOB_VIDEO, 0, 100, 0);
    ticks(1, 3); // its router is gone: nothing since 1.98 s

    // Another router's fresh offer: the same tracks under its own SSRCs, not flowing yet.
    OfferedTrack annMoved = new OfferedTrack(2001, "ann", ANN_VIDEO.trackId(), true);
    OfferedTrack bobMoved = new OfferedTrack(2002, "bob", BOB_VIDEO.trackId(), true);
    reception.offer(List.of(annMoved, bobMoved));
    ticks(4, 5);
    long lostBeforeDelivery = m.lost.sum();
    assertEquals(2 * 50 * 3.02, lostBeforeDelivery, 4, "both tracks at their rates from 1.98 s to 5 s");

    flow(annMoved, 7000, 100, 5 * SECOND + EVERY);
    flow(bobMoved, 9000, 100, 5 * SECOND + EVERY);
    ticks(6, 7);

    assertEquals(lostBeforeDelivery, m.lost.sum(), "the new streams flow: nothing more is missing");
  }

  @Test
  void aTrackThatNeverDeliveredHasNoRateAndIsNotCounted() {
    reception.offer(List.of(ANN_VIDEO));
    ticks(1, 5);

    assertEquals(0, m.lost.sum());
    assertEquals(0, m.expected.sum());
  }

  @Test
  void aStalledAudioSlotIsLostWhileTheRoomHasSourcesEnoughToFillIt() {
    List<OfferedTrack> slots = audioSlots(3);
    publishers = publishers(sender("ann", true), sender("bob", true), sender("cat", true), receiver("me"));
    reception.offer(slots);
    for (OfferedTrack s : slots) {
      flow(s, 0, 100, 0);
    }
    flow(slots.get(0), 100, 200, 2 * SECOND);
    flow(slots.get(1), 100, 200, 2 * SECOND);
    ticks(1, 5); // slot 2 stopped at 1.98 s although three others talk

    assertEquals(50 * 3.02, m.lost.sum(), 2);
  }

  @Test
  void anAudioSlotLeftEmptyForWantOfSourcesIsNotLost() {
    List<OfferedTrack> slots = audioSlots(3);
    publishers = publishers(sender("ann", true), sender("bob", true), sender("cat", true), receiver("me"));
    reception.offer(slots);
    for (OfferedTrack s : slots) {
      flow(s, 0, 100, 0);
    }
    ticks(1, 2);
    publishers = publishers(sender("ann", true), sender("bob", true), receiver("me")); // Cat left
    flow(slots.get(0), 100, 200, 2 * SECOND);
    flow(slots.get(2), 100, 200, 2 * SECOND);
    ticks(3, 5); // the slot that carried Cat stays in the offer, empty

    assertEquals(0, m.lost.sum());
  }

  /** The router's {@code n} audio slots, as its offers carry them. */
  private static List<OfferedTrack> audioSlots(int n) {
    List<OfferedTrack> slots = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      slots.add(new OfferedTrack(3000 + i, "lchat-audio", "lchat-audio-" + i, false));
    }
    return slots;
  }
}
