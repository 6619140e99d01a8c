package uk.co.lchat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;

/**
 * A simulated participant whose signaling node stops without a drain (no {@code reconnect}, the socket simply
 * drops) reopens its connection to another node it was given and is back in the room by itself: resumed as the
 * same participant when the room has not yet seen its old session end, else (the room watches sessions and lets
 * a participant whose session ended leave) joined as a new one.
 */
class SignalingDropIT extends InJvmNodes {
  @Test
  void aParticipantWhoseSignalingNodeStopsIsBackInTheRoomThroughAnotherNode() throws Exception {
    nodes.addAll(TestNodes.cluster(2, seeds -> TestNodes.config(0, seeds)));
    LchatNode stays = nodes.get(0);
    LchatNode stops = nodes.get(1);
    Measurements m = new Measurements();

    // A room that lives on the node that stays, so only Ann's signaling connection is lost with the other.
    String room = null;
    SimParticipant bob = null;
    for (int i = 0; i < 20 && room == null; i++) {
      SimParticipant candidate = join(stays, "Bob", "drop-" + i, true, false, m);
      if (TestNodes.hostOf(nodes, "drop-" + i) == 0) {
        room = "drop-" + i;
        bob = candidate;
      } else {
        candidate.close();
        everyone.remove(candidate);
      }
    }
    assertTrue(room != null, "no room landed on the first node in 20 tries");
    SimParticipant ann = new SimParticipant(HTTP, base(stops), List.of(base(stays), base(stops)), "Ann", true,
        false, m);
    everyone.add(ann);
    ann.join(room);
    String annId = ann.id();

    stops.close(); // no drain: its sockets drop
    nodes.remove(stops);

    Talkers.await("Ann reconnected through the node that stays", 60, () -> ann.reconnects() == 1);
    System.out.printf("signaling drop: Ann came back %s%n", annId.equals(ann.id()) ? "as the same participant"
        : "as a new participant (the room had seen her session end)");
    assertEquals(1, m.reconnects.sum());
    assertEquals(0, m.reconnectsGivenUp.sum());

    SimParticipant dan = join(stays, "Dan", room, false, false, m);
    List<String> ids = new ArrayList<>();
    for (JsonNode p : dan.joined().path("room").path("participants")) {
      ids.add(p.path("id").asText());
    }
    assertTrue(ids.contains(ann.id()), "Ann is in the roster: " + ids);
    assertTrue(ids.contains(bob.id()), "and Bob: " + ids);
    assertEquals(3, ids.size(), "Ann once, Bob and Dan: " + ids);
  }

  private static URI base(LchatNode node) {
    return URI.create("http://127.0.0.1:" + node.httpPort());
  }
}
