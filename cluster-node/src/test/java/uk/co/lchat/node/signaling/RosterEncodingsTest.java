package uk.co.lchat.node.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import uk.co.lchat.room.RoomProtocol.ChatDelivered;
import uk.co.lchat.room.RoomProtocol.ParticipantView;
import uk.co.lchat.room.RoomProtocol.Role;
import uk.co.lchat.room.RoomProtocol.RosterChanged;
import uk.co.lchat.room.RoomProtocol.RosterDelta;

class RosterEncodingsTest {
  private static ParticipantView view(String id, boolean muted) {
    return new ParticipantView(id, "Name " + id, Role.PARTICIPANT, muted, false, false, 1);
  }

  @Test
  void equalDeltasAsAnotherNodeWouldSendThemAreEncodedOnceAndAsTheCodecWould() {
    // Two equal values built apart, as two members' copies deserialized from another node's room are.
    RosterDelta first = new RosterDelta(new ArrayList<>(List.of(view("a1", false), view("a2", true))), List.of("gone"));
    RosterDelta copy = new RosterDelta(new ArrayList<>(List.of(view("a1", false), view("a2", true))), List.of("gone"));
    String json = RosterEncodings.encode(first);
    assertEquals(SignalingCodec.encode(first), json);
    assertSame(json, RosterEncodings.encode(copy), "the second member's copy reuses the first encoding");
  }

  @Test
  void aDeltaThatDiffersInOneFieldGetsItsOwnText() {
    RosterDelta muted = new RosterDelta(List.of(view("b1", true)), List.of());
    RosterDelta unmuted = new RosterDelta(List.of(view("b1", false)), List.of());
    String a = RosterEncodings.encode(muted);
    String b = RosterEncodings.encode(unmuted);
    assertNotEquals(a, b);
    assertEquals(SignalingCodec.encode(unmuted), b);
  }

  @Test
  void anOldEncodingIsForgottenOnceManyNewerOnesCameAndStillEncodesRight() {
    RosterChanged old = new RosterChanged(List.of(view("c0", false)));
    String first = RosterEncodings.encode(old);
    for (int i = 1; i <= 100; i++) {
      RosterEncodings.encode(new RosterChanged(List.of(view("c" + i, false))));
    }
    String again = RosterEncodings.encode(new RosterChanged(List.of(view("c0", false))));
    assertEquals(first, again);
  }

  @Test
  void onlyRosterEventsAreShared() {
    assertTrue(RosterEncodings.shared(new RosterDelta(List.of(), List.of())));
    assertTrue(RosterEncodings.shared(new RosterChanged(List.of())));
    assertFalse(RosterEncodings.shared(new ChatDelivered(null)));
  }
}
