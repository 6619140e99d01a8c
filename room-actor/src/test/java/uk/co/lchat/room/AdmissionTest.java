package uk.co.lchat.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import uk.co.lchat.room.Admission.Entry;
import uk.co.lchat.room.RoomProtocol.AuthMode;
import uk.co.lchat.room.RoomProtocol.Identity;
import uk.co.lchat.room.RoomProtocol.Join;
import uk.co.lchat.room.RoomProtocol.Role;

/** The access rules of each auth mode, as a pure decision: no actor, no clock. */
class AdmissionTest {
  private static final Identity GUEST_TOKEN = new Identity("u-1", "Ann", false, null);
  private static final Identity MODERATOR_TOKEN = new Identity("u-2", "Bob", true, null);

  private static Join join(String sessionToken, Identity identity) {
    return new Join(sessionToken, "typed", null, false, null).withIdentity(identity);
  }

  @Test
  void openModeNeedsNoTokenAndMakesTheFirstInTheModerator() {
    Admission a = new Admission(AuthMode.OPEN);
    assertNull(a.refusal(join("s1", null)));
    assertEquals(Role.MODERATOR, a.role(null, false, false));
    assertEquals(Role.PARTICIPANT, a.role(null, false, true));
    assertTrue(a.promotesWhenLeaderless());
  }

  @Test
  void tokenModeRefusesAJoinWithoutATokenAndMakesModeratorsOnlyByToken() {
    Admission a = new Admission(AuthMode.TOKEN);
    assertEquals("token_required", a.refusal(join("s1", null)));
    assertNull(a.refusal(join("s1", GUEST_TOKEN)));
    assertEquals(Role.PARTICIPANT, a.role(GUEST_TOKEN, false, false), "first in, but the token says participant");
    assertEquals(Role.MODERATOR, a.role(MODERATOR_TOKEN, false, true));
    assertEquals(Role.VIEWER, a.role(MODERATOR_TOKEN, true, false), "a viewer receives only, whatever the token");
    assertFalse(a.promotesWhenLeaderless());
  }

  @Test
  void aTokenThatDidNotVerifyIsRefusedWithItsOwnCodeFirst() {
    Admission a = new Admission(AuthMode.OPEN);
    Join expired = new Join("s1", "Ann", null, false, null, "p1", null, null, "token_expired");
    assertEquals("token_expired", a.refusal(expired));
  }

  @Test
  void aTokenStandsInForThePasscodeButAJoinWithoutOneNeedsIt() {
    Admission a = new Admission(AuthMode.OPEN);
    assertTrue(a.needsPasscode(join("s1", null), true));
    assertFalse(a.needsPasscode(join("s1", GUEST_TOKEN), true));
    assertFalse(a.needsPasscode(join("s1", null), false));
  }

  @Test
  void theLobbyHoldsEveryoneButModeratorsByToken() {
    Admission open = new Admission(AuthMode.OPEN);
    assertEquals(Entry.LOBBY, open.entry(GUEST_TOKEN, true, true));
    assertEquals(Entry.ENTER, open.entry(MODERATOR_TOKEN, true, true));
    assertEquals(Entry.ENTER, open.entry(null, true, false), "open mode: nobody in to admit, the first enters");
    Admission token = new Admission(AuthMode.TOKEN);
    assertEquals(Entry.LOBBY, token.entry(GUEST_TOKEN, true, false),
        "with tokens a moderator will come: the lobby holds even the first");
  }

  @Test
  void tokenToCreateGuestsWaitForTheHostUntilATokenHolderOpensTheRoom() {
    Admission a = new Admission(AuthMode.TOKEN_TO_CREATE);
    assertNull(a.refusal(join("s1", null)), "a guest is not refused");
    assertEquals(Entry.WAIT_FOR_HOST, a.entry(null, false, false));
    assertTrue(a.entered(GUEST_TOKEN), "the first token holder opens the room");
    assertFalse(a.entered(MODERATOR_TOKEN), "it is open already");
    assertEquals(Entry.ENTER, a.entry(null, false, true));
    assertEquals(Entry.LOBBY, a.entry(null, true, true));
  }

  @Test
  void theServerApiOpensATokenToCreateRoom() {
    Admission a = new Admission(AuthMode.TOKEN_TO_CREATE);
    a.openByServer();
    assertEquals(Entry.ENTER, a.entry(null, false, false));
  }

  @Test
  void aRemovalBansTheSessionAndTheSubjectAndBothSurviveARestore() {
    Admission a = new Admission(AuthMode.OPEN);
    a.ban("s1", "u-1");
    assertEquals("banned", a.refusal(join("s2", GUEST_TOKEN)), "a new session with the same subject");
    assertEquals("removed", a.refusal(join("s1", null)), "the same session without a token");
    Admission next = new Admission(AuthMode.OPEN);
    next.restore(a.bannedTokens(), a.bannedSubjects(), a.opened());
    assertEquals("banned", next.refusal(join("s3", GUEST_TOKEN)));
    assertEquals(List.of("u-1"), next.bannedSubjects());
  }
}
