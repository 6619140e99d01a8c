package uk.co.lchat.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import uk.co.lchat.room.Moderation.Ruling;
import uk.co.lchat.room.RoomProtocol.MediaKind;
import uk.co.lchat.room.RoomProtocol.Role;

/** Who may do what to whom, without an actor: each check's ruling. */
class ModerationTest {
  private final Roster roster = new Roster();
  private final Participant mod = roster.add("t1", "Mod", Role.MODERATOR, null, null);
  private final Participant ann = roster.add("t2", "Ann", Role.PARTICIPANT, null, null);
  private final Participant bob = roster.add("t3", "Bob", Role.PARTICIPANT, null, null);
  private final Participant viewer = roster.add("t4", "Vic", Role.VIEWER, null, null);

  private static void assertAllowed(Participant by, Participant target, Ruling r) {
    Ruling.Allowed a = assertInstanceOf(Ruling.Allowed.class, r);
    assertSame(by, a.by());
    assertSame(target, a.target());
  }

  private static void assertRefused(Participant by, String code, String message, Ruling r) {
    assertEquals(new Ruling.Refused(by, code, message), r);
  }

  @Test
  void onlyModeratorsChangeTheRoomAndSomeoneWhoLeftIsNotAnswered() {
    Moderation m = new Moderation(roster, false, true);
    assertAllowed(mod, mod, m.changeRoom(mod.id));
    assertRefused(ann, "forbidden", "Only a moderator can do that.", m.changeRoom(ann.id));
    assertInstanceOf(Ruling.Ignored.class, m.changeRoom("gone"));
  }

  @Test
  void controllerModeLetsParticipantsControlOthersButNeverViewersAndNeverChangeTheRoom() {
    Moderation m = new Moderation(roster, false, true);
    assertRefused(ann, "forbidden", "Only a moderator can do that.", m.control(ann.id, bob.id));
    assertTrue(m.setControllerMode(true));
    assertFalse(m.setControllerMode(true), "already on");
    assertAllowed(ann, bob, m.control(ann.id, bob.id));
    assertTrue(m.mayControl(ann));
    assertFalse(m.mayControl(viewer));
    assertRefused(viewer, "forbidden", "Only a moderator can do that.", m.control(viewer.id, ann.id));
    assertRefused(ann, "forbidden", "Only a moderator can do that.", m.changeRoom(ann.id));
  }

  @Test
  void aTargetWhoIsNotInTheRoomIsNotFound() {
    Moderation m = new Moderation(roster, false, true);
    assertRefused(mod, "not_found", "That participant is not in the meeting.", m.control(mod.id, "gone"));
    assertRefused(mod, "not_found", "That participant is not in the meeting.", m.grantModerator(mod.id, "gone"));
  }

  @Test
  void nobodyRemovesThemselves() {
    Moderation m = new Moderation(roster, false, true);
    assertRefused(mod, "invalid", "Leave the meeting instead of removing yourself.", m.remove(mod.id, mod.id));
    assertAllowed(mod, ann, m.remove(mod.id, ann.id));
    assertRefused(ann, "forbidden", "Only a moderator can do that.", m.remove(ann.id, ann.id));
  }

  @Test
  void aMuteRequestMustSayWhichMediaOnceItIsAllowedAtAll() {
    Moderation m = new Moderation(roster, false, true);
    assertRefused(mod, "invalid", "Say which media to mute: audio or video.", m.requestMute(mod.id, ann.id, null));
    assertRefused(ann, "forbidden", "Only a moderator can do that.", m.requestMute(ann.id, bob.id, null));
    assertAllowed(mod, ann, m.requestMute(mod.id, ann.id, MediaKind.VIDEO));
  }

  @Test
  void everyoneLowersTheirOwnHandButOnlyControllersLowerOthers() {
    Moderation m = new Moderation(roster, false, true);
    assertAllowed(ann, ann, m.lowerHand(ann.id, ann.id));
    assertRefused(ann, "forbidden", "Only a moderator can do that.", m.lowerHand(ann.id, bob.id));
    assertAllowed(mod, bob, m.lowerHand(mod.id, bob.id));
    assertInstanceOf(Ruling.Ignored.class, m.lowerHand("gone", bob.id));
  }

  @Test
  void admittingFromTheLobbyIsForControllersAndSaysSo() {
    Moderation m = new Moderation(roster, false, true);
    assertAllowed(mod, mod, m.admitOrDeny(mod.id));
    assertRefused(ann, "forbidden", "Only a moderator can admit or deny.", m.admitOrDeny(ann.id));
    m.setControllerMode(true);
    assertAllowed(ann, ann, m.admitOrDeny(ann.id));
  }

  @Test
  void onlyModeratorsMakeModeratorsAndAViewerCannotBeOne() {
    Moderation m = new Moderation(roster, true, true);
    assertRefused(ann, "forbidden", "Only a moderator can do that.", m.grantModerator(ann.id, bob.id));
    assertRefused(mod, "invalid", "A viewer cannot be a moderator.", m.grantModerator(mod.id, viewer.id));
    assertAllowed(mod, ann, m.grantModerator(mod.id, ann.id));
    assertFalse(Moderation.mayBeModerator(viewer));
  }

  @Test
  void promotingMakesAModeratorOnce() {
    Moderation m = new Moderation(roster, false, true);
    assertTrue(m.promote(ann));
    assertEquals(Role.MODERATOR, ann.role);
    assertFalse(m.promote(ann));
  }

  @Test
  void whenTheLastModeratorLeavesTheEarliestParticipantLeadsInOpenModeOnly() {
    Moderation open = new Moderation(roster, false, true);
    roster.remove(mod.id);
    assertSame(ann, open.promoteIfLeaderless());
    assertEquals(Role.MODERATOR, ann.role);
    assertNull(open.promoteIfLeaderless(), "there is a moderator now");

    Roster withTokens = new Roster();
    Participant guest = withTokens.add("t", "Guest", Role.PARTICIPANT, null, null);
    assertNull(new Moderation(withTokens, false, false).promoteIfLeaderless());
    assertEquals(Role.PARTICIPANT, guest.role);
  }
}
