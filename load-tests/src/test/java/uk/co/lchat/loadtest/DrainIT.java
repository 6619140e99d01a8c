package uk.co.lchat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;

/**
 * A node leaving a two-node cluster gracefully (what SIGTERM and scale-in do): the participants whose media and
 * signaling were on it carry on through the other node without anybody doing anything, losing well under a second
 * of audio; the room, which lived on the leaving node, keeps its roster and chat.
 */
class DrainIT extends InJvmNodes {
  @Test
  void participantsOnALeavingNodeContinueOnTheOtherWithTheRoomIntact() throws Exception {
    nodes.addAll(TestNodes.cluster(2, seeds -> TestNodes.config(0, seeds)));
    LchatNode stays = nodes.get(0);
    LchatNode leaves = nodes.get(1);
    Measurements m = new Measurements();

    // A room that lives on the leaving node, with Ann there (signaling and media) from the start.
    String room = null;
    SimParticipant ann = null;
    for (int i = 0; i < 20 && room == null; i++) {
      SimParticipant candidate = join(leaves, "Ann", "drain-" + i, true, false, m);
      if (TestNodes.hostOf(nodes, "drain-" + i) == 1) {
        room = "drain-" + i;
        ann = candidate;
      } else {
        candidate.close();
        everyone.remove(candidate);
      }
    }
    assertTrue(room != null, "no room landed on the second node in 20 tries");
    SimParticipant bob = join(stays, "Bob", room, true, false, m);
    SimParticipant cat = join(leaves, "Cat", room, true, false, m);
    List<SimParticipant> talkers = List.of(ann, bob, cat);
    Thread sender = Talkers.send(talkers, false, () -> sending);
    Talkers.awaitHearingEachOther(talkers, "before the drain", 20);
    ann.chat("said before the node left");
    Thread.sleep(300);
    talkers.forEach(SimParticipant::resetGaps);

    leaves.shutdownGracefully().toCompletableFuture().get(90, TimeUnit.SECONDS);
    nodes.remove(leaves);

    Talkers.awaitHearingEachOther(talkers, "after the drain", 20);
    Thread.sleep(1000);
    for (SimParticipant p : List.of(ann, cat)) {
      assertEquals(1, p.mediaMoves(), p.id() + " moved its media once");
      assertEquals(1, p.reconnects(), p.id() + " moved its signaling once");
    }
    assertEquals(0, bob.mediaMoves(), "Bob's media was not on the leaving node");
    assertEquals(0, bob.reconnects());
    for (SimParticipant p : talkers) {
      long gapMillis = p.longestAudioGapNanos() / 1_000_000;
      System.out.printf("drain: %s heard a longest audio gap of %d ms%n", p.id(), gapMillis);
      assertTrue(gapMillis < 1000, p.id() + " lost " + gapMillis + " ms of audio during the move");
    }

    // The room moved with its state: a newcomer sees the same three people (same ids) and the chat.
    SimParticipant dan = join(stays, "Dan", room, true, false, m);
    JsonNode joined = dan.joined();
    List<String> ids = new ArrayList<>();
    joined.path("room").path("participants").forEach(p -> ids.add(p.path("id").asText()));
    assertEquals(List.of(ann.id(), bob.id(), cat.id(), dan.id()), ids);
    assertEquals("said before the node left",
        joined.path("room").path("chatHistory").path(0).path("text").asText());
    sending = false;
    sender.join(2000);
  }
}
