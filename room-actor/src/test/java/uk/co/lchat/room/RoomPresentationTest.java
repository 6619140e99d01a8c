package uk.co.lchat.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import uk.co.lchat.room.RoomProtocol.*;

/** Presentations in a room: who may start one, what late joiners see, and when the node's copy is dropped. */
class RoomPresentationTest {
  static final ActorTestKit kit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  private final RoomTestSupport room = new RoomTestSupport(kit, RoomTestSupport.defaultConfig());
  private final TestProbe<DocumentDropped> holder = kit.createTestProbe();
  private final TestProbe<PresentationReply> replies = kit.createTestProbe();

  private PresentationReply start(RoomTestSupport.Client c, String token, String documentId) {
    room.room.tell(new StartPresentation(c.id, token, documentId, 3, "http://127.0.0.1:8080", "key-" + documentId,
        holder.ref(), replies.ref()));
    return replies.receiveMessage();
  }

  @Test
  void aMembersStartReachesEveryoneAndLateJoinersLandOnTheCurrentPage() {
    var ann = room.join("Ann");
    var bob = room.join("Bob");
    ann.drain();
    PresentationReply started = start(ann, ann.token, "doc-a");
    assertTrue(started.member());
    assertNull(started.code());
    assertEquals("/presentations/", started.presentation().url().substring(0, 15));
    assertEquals(1, bob.await(PresentationChanged.class).presentation().page());
    ann.send(new ControlPresentation(ann.id, PresentationAction.PAGE, 3, null, null));
    assertEquals(3, bob.await(PresentationChanged.class).presentation().page());
    var cat = room.join("Cat");
    PresentationView seen = cat.joined.room().presentation();
    assertEquals(3, seen.page());
    assertEquals(3, seen.pageCount());
    assertEquals(ann.id, seen.presenter());
  }

  @Test
  void someoneWithTheWrongSessionTokenIsNoMemberAndStartsNothing() {
    var ann = room.join("Ann");
    PresentationReply refused = start(ann, "not-ann's-token", "doc-a");
    assertFalse(refused.member());
    room.room.tell(new PresentationAccess(ann.id, "not-ann's-token", replies.ref()));
    assertFalse(replies.receiveMessage().member());
    room.room.tell(new PresentationAccess(ann.id, ann.token, replies.ref()));
    PresentationReply access = replies.receiveMessage();
    assertTrue(access.member());
    assertNull(access.code(), "Ann may present");
    assertNull(access.presentation());
  }

  @Test
  void aModeratorTurningTheFeatureOffStopsThePresentationAndRefusesTheNext() {
    var mod = room.join("Mod");
    var ann = room.join("Ann");
    start(ann, ann.token, "doc-a");
    ann.await(PresentationChanged.class);
    mod.send(new SetFeature(mod.id, FeaturePolicy.PRESENTATION, false));
    assertNull(ann.await(PresentationChanged.class).presentation());
    assertEquals("doc-a", holder.receiveMessage().documentId());
    PresentationReply refused = start(ann, ann.token, "doc-b");
    assertEquals("forbidden", refused.code());
    assertEquals(FeaturePolicy.PRESENTATION, refused.feature());
    assertEquals("Presenting is turned off in this meeting.", refused.message());
    ann.send(new ControlPresentation(ann.id, PresentationAction.PAGE, 2, null, null));
    assertEquals("forbidden", ann.await(CommandRejected.class).code());
  }

  @Test
  void thePresenterLeavingDropsTheDocumentAndTellsEveryone() {
    var ann = room.join("Ann");
    var bob = room.join("Bob");
    start(ann, ann.token, "doc-a");
    bob.await(PresentationChanged.class);
    ann.send(new Leave(ann.id));
    assertNull(bob.await(PresentationChanged.class).presentation());
    assertEquals("doc-a", holder.receiveMessage().documentId());
  }

  @Test
  void badControlIsAnsweredWithAReasonAndTheRoomCarriesOn() {
    var ann = room.join("Ann");
    var bob = room.join("Bob");
    start(ann, ann.token, "doc-a");
    bob.await(PresentationChanged.class);
    ann.drain();
    ann.send(new ControlPresentation(ann.id, PresentationAction.PAGE, 99, null, null));
    assertEquals("Page 99 is not in this presentation (1 to 3).", ann.await(CommandRejected.class).message());
    bob.send(new ControlPresentation(bob.id, PresentationAction.PAGE, 2, null, null));
    assertEquals("forbidden", bob.await(CommandRejected.class).code());
    for (int i = 0; i < 500; i++) {
      ann.send(new ControlPresentation(ann.id, PresentationAction.POINTER, 0, new Pointer(i / 500.0, 0.5), null));
    }
    // The flood reaches Bob as a few updates, the last at the latest position.
    int updates = 0;
    Pointer last = null;
    while (last == null || last.x() < 499 / 500.0) {
      last = bob.await(PresentationChanged.class).presentation().pointer();
      updates++;
    }
    assertTrue(updates < 50, updates + " pointer updates for 500 moves");
    bob.send(new SendChat(bob.id, "still here", null));
    assertEquals("still here", ann.await(ChatDelivered.class).message().text());
  }

  @Test
  void aRoomAskedAboutADocumentItNoLongerPresentsTellsItsHolderToDropItAndKeepsTheOneItPresents() {
    var ann = room.join("Ann");
    start(ann, ann.token, "doc-now");
    ann.await(PresentationChanged.class);
    room.room.tell(new CheckDocument("doc-now", holder.ref()));
    room.room.tell(new CheckDocument("doc-long-gone", holder.ref()));
    // Messages from one sender arrive in order: had the first asked for a drop, it would come first.
    DocumentDropped dropped = holder.receiveMessage();
    assertEquals("doc-long-gone", dropped.documentId());
    room.room.tell(new PresentationAccess(ann.id, ann.token, replies.ref()));
    assertEquals("doc-now", replies.receiveMessage().presentation().documentId(), "still presented");
  }

  @Test
  void theRecorderHearsWhichPageIsPresentedWithTheHoldersKeyButNotOfPointerMoves() {
    RoomTestSupport recordable = new RoomTestSupport(kit,
        RoomTestSupport.configWith("lchat.room.features.recording = true"));
    var ann = recordable.join("Ann");
    recordable.room.tell(new StartPresentation(ann.id, ann.token, "doc-rec", 3, "http://10.0.0.7:8080", "key-rec",
        holder.ref(), replies.ref()));
    replies.receiveMessage();
    TestProbe<RecorderEvent> recorder = kit.createTestProbe();
    TestProbe<ServerAnswer> api = kit.createTestProbe();
    recordable.room.tell(new StartRecording(null, "EG_1", recorder.ref(), api.ref()));
    assertEquals(Outcome.DONE, api.expectMessageClass(ServerReply.class).outcome());
    // Joining the recording, it hears what is presented now, and where the document is with the key to fetch it.
    RecorderPresentation shown = recorder.expectMessageClass(RecorderPresentation.class);
    assertEquals(new RecorderPresentation(recordable.roomId, "doc-rec", 1, ann.id,
        "http://10.0.0.7:8080/presentations/" + recordable.roomId + "/doc-rec", "key-rec"), shown);
    recorder.expectMessageClass(RecorderTracks.class);
    ann.send(new ControlPresentation(ann.id, PresentationAction.POINTER, 0, new Pointer(0.5, 0.5), null));
    ann.send(new ControlPresentation(ann.id, PresentationAction.PAGE, 2, null, null));
    // The pointer move came first and told the recorder nothing: the next it hears is page 2.
    assertEquals(2, recorder.expectMessageClass(RecorderPresentation.class).page());
    ann.send(new ControlPresentation(ann.id, PresentationAction.STOP, 0, null, null));
    assertNull(recorder.expectMessageClass(RecorderPresentation.class).documentId(), "nothing presented any more");
    // Members never see the key.
    assertEquals(new PresentationView("doc-x", "/presentations/r/doc-x", "p", "p", 1, 1, null),
        new Presentation("doc-x", "p", "p", 1, 1, null, "http://h", "secret", null).view("r"));
  }
}
