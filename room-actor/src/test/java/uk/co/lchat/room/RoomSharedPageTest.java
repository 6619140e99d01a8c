package uk.co.lchat.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import uk.co.lchat.room.RoomProtocol.*;

/** A shared web page in a room: checked by the node, then shown to everyone, late joiners too; refusals. */
class RoomSharedPageTest {
  static final ActorTestKit kit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  /** The node's framing check as the test answers it: each asked URL waits for the test's answer. */
  private final Map<String, CompletableFuture<FramingCheck.Result>> answers = new ConcurrentHashMap<>();
  private final List<String> asked = new CopyOnWriteArrayList<>();
  private final FramingCheck framing = url -> {
    asked.add(url);
    return answers.computeIfAbsent(url, u -> new CompletableFuture<>());
  };

  private ActorRef<Command> room(String hocon) {
    return kit.spawn(RoomActor.create("pages-" + System.nanoTime(), RoomTestSupport.configWith(hocon),
        WebhookSender.none(), null, null, new RoomCounters(), framing));
  }

  private final ActorRef<Command> room = room("lchat.room.shared-page.allowed-hosts = [\"example.com\"]");

  private final class Member {
    final TestProbe<ClientEvent> probe = kit.createTestProbe();
    final String id;
    final Joined joined;

    Member(String name) {
      room.tell(new Join("token-" + name + "-0123456789", name, null, false, probe.ref()));
      joined = probe.expectMessageClass(Joined.class);
      id = joined.participantId();
    }

    <T extends ClientEvent> T await(Class<T> type) {
      return type.cast(probe.fishForMessage(Duration.ofSeconds(3), e -> type.isInstance(e)
          ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
          : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore()).get(0));
    }

    void share(String url) {
      room.tell(new ControlSharedPage(id, SharedPageAction.SHARE, url));
    }

    void drain() {
      while (true) {
        try {
          probe.receiveMessage(Duration.ofMillis(100));
        } catch (AssertionError e) {
          return;
        }
      }
    }
  }

  private void answer(String url, Framing framing, String detail) {
    answers.computeIfAbsent(url, u -> new CompletableFuture<>()).complete(new FramingCheck.Result(framing, detail));
  }

  @Test
  void aCheckedShareReachesEveryoneItsNavigationFollowsAndLateJoinersLandOnIt() {
    Member ann = new Member("Ann");
    Member bob = new Member("Bob");
    ann.drain();
    bob.drain();
    ann.share("https://example.com/a");
    bob.probe.expectNoMessage(Duration.ofMillis(200)); // not before the node checked it
    answer("https://example.com/a", Framing.ALLOWED, null);
    SharedPage a = bob.await(SharedPageChanged.class).page();
    assertEquals(new SharedPage("https://example.com/a", ann.id, Framing.ALLOWED, null), a);
    assertEquals(a, ann.await(SharedPageChanged.class).page());
    ann.share("https://example.com/b");
    answer("https://example.com/b", Framing.REFUSED, "X-Frame-Options: DENY");
    SharedPage b = bob.await(SharedPageChanged.class).page();
    assertEquals("https://example.com/b", b.url());
    assertEquals(Framing.REFUSED, b.framing());
    Member cat = new Member("Cat");
    assertEquals(b, cat.joined.room().sharedPage());
    assertEquals(List.of("https://example.com/a", "https://example.com/b"), asked);
  }

  @Test
  void badOrDisallowedAddressesGetAClearErrorAndNothingIsFetchedOrShown() {
    Member ann = new Member("Ann");
    Member bob = new Member("Bob");
    ann.drain();
    bob.drain();
    ann.share("javascript:alert(1)");
    CommandRejected js = ann.await(CommandRejected.class);
    assertEquals("invalid", js.code());
    assertEquals("Only http:// and https:// pages can be shared (not javascript:).", js.message());
    ann.share("https://evil.test/");
    CommandRejected host = ann.await(CommandRejected.class);
    assertEquals("forbidden", host.code());
    assertEquals("Pages from evil.test may not be shared here (allowed: example.com).", host.message());
    bob.probe.expectNoMessage(Duration.ofMillis(200));
    assertEquals(List.of(), asked, "the node fetched nothing");
  }

  @Test
  void theShareEndsWhenTheSharerLeaves() {
    Member ann = new Member("Ann");
    Member bob = new Member("Bob");
    answer("https://example.com/a", Framing.UNKNOWN, "could not connect");
    ann.share("https://example.com/a");
    assertEquals(Framing.UNKNOWN, bob.await(SharedPageChanged.class).page().framing());
    room.tell(new Leave(ann.id));
    assertNull(bob.await(SharedPageChanged.class).page());
    assertNull(new Member("Cat").joined.room().sharedPage());
  }

  @Test
  void aModeratorTurningTheFeatureOffStopsThePageAndRefusesTheNext() {
    Member mod = new Member("Mod");
    Member ann = new Member("Ann");
    answer("https://example.com/a", Framing.ALLOWED, null);
    ann.share("https://example.com/a");
    ann.await(SharedPageChanged.class);
    room.tell(new SetFeature(mod.id, FeaturePolicy.SHARED_PAGE, false));
    assertNull(ann.await(SharedPageChanged.class).page());
    ann.share("https://example.com/a");
    CommandRejected off = ann.await(CommandRejected.class);
    assertEquals("forbidden", off.code());
    assertEquals(FeaturePolicy.SHARED_PAGE, off.feature());
    assertEquals("Sharing web pages is turned off in this meeting.", off.message());
  }

  @Test
  void aCheckThatNeverAnswersShowsThePageAnywayAfterTheTimeout() {
    ActorRef<Command> slow = room("lchat.room.shared-page { allowed-hosts = [\"*\"], check-timeout = 100ms }");
    TestProbe<ClientEvent> ann = kit.createTestProbe();
    slow.tell(new Join("token-ann-0123456789", "Ann", null, false, ann.ref()));
    String id = ann.expectMessageClass(Joined.class).participantId();
    slow.tell(new ControlSharedPage(id, SharedPageAction.SHARE, "https://never.example/"));
    SharedPage page = ((SharedPageChanged) ann.fishForMessage(Duration.ofSeconds(3), e -> e instanceof SharedPageChanged
        ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
        : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore()).get(0)).page();
    assertEquals(Framing.UNKNOWN, page.framing());
    assertEquals("the site did not answer within 100 ms", page.framingDetail());
  }

  @Test
  void anEmptyAllowListTurnsTheFeatureOffForEveryRoom() {
    RoomConfig config = RoomTestSupport.configWith("lchat.room.shared-page.allowed-hosts = []");
    assertFalse(config.features().get(FeaturePolicy.SHARED_PAGE));
    assertEquals(true, RoomTestSupport.defaultConfig().features().get(FeaturePolicy.SHARED_PAGE));
  }
}
