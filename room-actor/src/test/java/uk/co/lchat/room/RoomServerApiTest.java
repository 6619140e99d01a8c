package uk.co.lchat.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static uk.co.lchat.room.RoomTestSupport.identity;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import uk.co.lchat.room.RoomProtocol.*;

/** The commands of the server API at the room: create before anyone joins, inspect, moderate, message, end. */
class RoomServerApiTest {
  static final ActorTestKit kit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  private final TestProbe<ServerAnswer> api = kit.createTestProbe();

  private static RoomSetup setup(String passcode, boolean lobby, int max, int lastN, Map<String, Boolean> features,
                                 long emptyTimeoutMillis) {
    return new RoomSetup(passcode, lobby, max, lastN, features == null ? null : new LinkedHashMap<>(features),
        emptyTimeoutMillis);
  }

  private ServerReply reply() {
    return api.expectMessageClass(ServerReply.class);
  }

  private RoomDetails details(RoomTestSupport r) {
    r.room.tell(new GetDetails(api.ref()));
    return api.expectMessageClass(RoomDetails.class);
  }

  @Test
  void aRoomCreatedBeforeAnyoneJoinsWaitsWithItsSettingsForItsFirstParticipant() {
    RoomTestSupport r = new RoomTestSupport(kit, RoomTestSupport.defaultConfig());
    r.room.tell(new CreateRoom(setup("moon-42", false, 2, 3, Map.of("chat", false), 0), api.ref()));
    assertEquals(Outcome.DONE, reply().outcome());
    RoomDetails waiting = details(r);
    assertTrue(waiting.exists());
    assertTrue(waiting.waitingForFirstParticipant());
    assertEquals(2, waiting.maxParticipants());
    assertEquals(3, waiting.settings().lastN());
    assertFalse(waiting.settings().features().get("chat"));
    assertTrue(waiting.settings().passcodeSet());

    var eve = r.client();
    r.knock(eve, "Eve", null);
    assertEquals("passcode_required", eve.expect(JoinRefused.class).code());
    var ann = r.join("Ann", "moon-42");
    var bob = r.join("Bob", "moon-42");
    var cat = r.client();
    r.knock(cat, "Cat", "moon-42");
    assertEquals("room_full", cat.expect(JoinRefused.class).code(), "the room's own limit of 2");
    assertFalse(details(r).waitingForFirstParticipant());
    assertEquals(2, details(r).participants().size());
    assertTrue(ann.id != null && bob.id != null);
  }

  @Test
  void creatingARoomThatIsInUseIsRefusedAsExisting() {
    RoomTestSupport r = new RoomTestSupport(kit, RoomTestSupport.defaultConfig());
    r.join("Ann");
    r.room.tell(new CreateRoom(setup(null, false, 0, -1, null, 0), api.ref()));
    assertEquals(Outcome.EXISTS, reply().outcome());
  }

  @Test
  void aSetupTheDeploymentDoesNotAllowIsInvalid() {
    RoomTestSupport r = new RoomTestSupport(kit, RoomTestSupport.defaultConfig());
    r.room.tell(new CreateRoom(setup(null, false, 5000, -1, null, 0), api.ref()));
    assertEquals(Outcome.INVALID, reply().outcome());
    r = new RoomTestSupport(kit, RoomTestSupport.defaultConfig());
    r.room.tell(new CreateRoom(setup(null, false, 0, -1, Map.of("recording", true), 0), api.ref()));
    ServerReply refused = reply();
    assertEquals(Outcome.INVALID, refused.outcome());
    assertTrue(refused.message().contains("recording"), refused.message());
    r = new RoomTestSupport(kit, RoomTestSupport.defaultConfig());
    r.room.tell(new CreateRoom(setup(null, false, 0, -1, Map.of("teleport", true), 0), api.ref()));
    assertEquals(Outcome.INVALID, reply().outcome());
  }

  @Test
  void aCreatedRoomNobodyEntersEndsAfterItsEmptyTimeout() {
    RoomTestSupport r = new RoomTestSupport(kit, RoomTestSupport.defaultConfig());
    r.room.tell(new CreateRoom(setup(null, false, 0, -1, null, 300), api.ref()));
    assertEquals(Outcome.DONE, reply().outcome());
    TestProbe<Object> watcher = kit.createTestProbe();
    watcher.expectTerminated(r.room, Duration.ofSeconds(10));
  }

  @Test
  void aGuestEntersATokenToCreateRoomTheServerCreated() {
    RoomTestSupport r = new RoomTestSupport(kit, RoomTestSupport.configWith("lchat.auth.mode = token-to-create"));
    r.room.tell(new CreateRoom(setup(null, false, 0, -1, null, 0), api.ref()));
    reply();
    var guest = r.client();
    r.knock(guest, "Guest", null);
    assertEquals(Role.PARTICIPANT, guest.expect(Joined.class).role(), "no moderator comes from being first");
  }

  @Test
  void theServerMutesRemovesAndMakesModeratorsAndItsRemovalBansTheSubject() {
    RoomTestSupport r = new RoomTestSupport(kit, RoomTestSupport.defaultConfig());
    var ann = r.join("Ann");
    var bob = r.joinWith("Bob", identity("u-bob", null, false));
    ann.drain();
    bob.drain();
    RoomDetails d = details(r);
    assertEquals("u-bob", d.participants().get(1).subject());
    assertNull(d.participants().get(0).subject());

    r.room.tell(new ServerMute(bob.id, MediaKind.AUDIO, api.ref()));
    assertEquals(Outcome.DONE, reply().outcome());
    MuteRequested mute = bob.await(MuteRequested.class);
    assertNull(mute.by(), "the server, not a member");
    assertTrue(details(r).participants().get(1).audioMuted());

    r.room.tell(new ServerGrantModerator(bob.id, api.ref()));
    assertEquals(Outcome.DONE, reply().outcome());
    assertEquals(Role.MODERATOR, bob.await(RoleChanged.class).role());

    r.room.tell(new ServerRemove("nobody", api.ref()));
    assertEquals(Outcome.NO_PARTICIPANT, reply().outcome());
    r.room.tell(new ServerRemove(bob.id, api.ref()));
    assertEquals(Outcome.DONE, reply().outcome());
    bob.await(Removed.class);
    var bobAgain = r.client();
    r.knockWith(bobAgain, "Bob", null, identity("u-bob", null, false));
    assertEquals("banned", bobAgain.expect(JoinRefused.class).code());
  }

  @Test
  void dataMessagesReachTheRoomOrOneParticipant() {
    RoomTestSupport r = new RoomTestSupport(kit, RoomTestSupport.defaultConfig());
    var ann = r.join("Ann");
    var bob = r.join("Bob");
    ann.drain();
    r.room.tell(new SendData(null, "poll", "{\"q\":\"lunch?\"}", api.ref()));
    assertEquals(Outcome.DONE, reply().outcome());
    assertEquals("{\"q\":\"lunch?\"}", ann.await(DataReceived.class).payload());
    assertEquals("poll", bob.await(DataReceived.class).topic());
    r.room.tell(new SendData(bob.id, null, "{\"only\":\"bob\"}", api.ref()));
    reply();
    assertEquals("{\"only\":\"bob\"}", bob.await(DataReceived.class).payload());
    ann.expectNothing();
  }

  @Test
  void endingARoomTellsEveryoneRefusesTheWaitersAndTheRoomIsGone() {
    RoomTestSupport r = new RoomTestSupport(kit, RoomTestSupport.defaultConfig());
    var ann = r.join("Ann");
    var bob = r.join("Bob");
    ann.send(new SetLobby(ann.id, true));
    var cat = r.client();
    r.knock(cat, "Cat", null);
    cat.expect(LobbyWaiting.class);
    r.room.tell(new EndRoom(api.ref()));
    assertEquals(Outcome.DONE, reply().outcome());
    assertEquals("api", ann.await(RoomEnded.class).reason());
    bob.await(RoomEnded.class);
    assertEquals("room_ended", cat.expect(JoinRefused.class).code());
    kit.createTestProbe().expectTerminated(r.room, Duration.ofSeconds(5));
  }

  @Test
  void commandsForARoomNobodyIsInAnswerNoRoom() {
    RoomTestSupport r = new RoomTestSupport(kit, RoomTestSupport.defaultConfig());
    r.room.tell(new EndRoom(api.ref()));
    assertEquals(Outcome.NO_ROOM, reply().outcome());
  }
}
