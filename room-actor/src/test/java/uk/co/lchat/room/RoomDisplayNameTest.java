package uk.co.lchat.room;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import uk.co.lchat.room.RoomProtocol.*;

/** A participant renames itself in the meeting: checked as at join, unique in the room, not over its token's name. */
class RoomDisplayNameTest {
  static final ActorTestKit kit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  private static List<String> names(RosterChanged roster) {
    return roster.participants().stream().map(ParticipantView::displayName).toList();
  }

  @Test
  void aNewNameReachesEveryoneAndAClashGetsASuffix() {
    RoomTestSupport r = new RoomTestSupport(kit, RoomTestSupport.defaultConfig());
    var ann = r.join("Ann");
    var bob = r.join("Bob");
    ann.drain();
    bob.drain();
    bob.send(new SetDisplayName(bob.id, "  Robert  "));
    assertEquals(List.of("Ann", "Robert"), names(ann.expect(RosterChanged.class)));
    assertEquals(List.of("Ann", "Robert"), names(bob.expect(RosterChanged.class)));
    bob.send(new SetDisplayName(bob.id, "ann"));
    assertEquals(List.of("Ann", "ann (2)"), names(ann.expect(RosterChanged.class)));
    bob.drain();
    // A change of case of one's own name is no clash with oneself.
    ann.send(new SetDisplayName(ann.id, "ANN"));
    assertEquals(List.of("ANN", "ann (2)"), names(bob.expect(RosterChanged.class)));
    ann.drain();
    // The same name again changes nothing, so nobody hears of it.
    ann.send(new SetDisplayName(ann.id, "ANN"));
    ann.expectNothing();
    bob.expectNothing();
  }

  @Test
  void anUnacceptableNameIsRefusedAndTheOldOneKept() {
    RoomTestSupport r = new RoomTestSupport(kit, RoomTestSupport.defaultConfig());
    var ann = r.join("Ann");
    var bob = r.join("Bob");
    ann.drain();
    bob.drain();
    bob.send(new SetDisplayName(bob.id, "Bob\u202Eevil"));
    assertEquals("invalid_name", bob.expect(CommandRejected.class).code());
    bob.send(new SetDisplayName(bob.id, " "));
    assertEquals("invalid_name", bob.expect(CommandRejected.class).code());
    ann.expectNothing();
    ann.send(new SetDisplayName(ann.id, "Anne"));
    assertEquals(List.of("Anne", "Bob"), names(bob.expect(RosterChanged.class)));
  }

  @Test
  void aNameFromTheJoinTokenCannotBeChanged() {
    RoomTestSupport r = new RoomTestSupport(kit, RoomTestSupport.defaultConfig());
    var ann = r.joinWith(null, RoomTestSupport.identity("user-1", "Ann Example", false));
    ann.drain();
    ann.send(new SetDisplayName(ann.id, "Someone else"));
    assertEquals("forbidden", ann.expect(CommandRejected.class).code());
    ann.expectNothing();
  }
}
