package uk.co.lchat.media.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.List;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import uk.co.lchat.media.control.MediaRouterProtocol.*;
import uk.co.lchat.media.router.MediaRouter;
import uk.co.lchat.media.router.RouterSettings;

/** Relay links when a publisher moves between nodes, and when a node goes away. */
class RelaysTest {
  static final ActorTestKit kit = ActorTestKit.create();

  private MediaRouter router;
  private TestProbe<Command> self;
  private TestProbe<Command> x;
  private TestProbe<Command> y;
  private Relays relays;

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  @BeforeEach
  void start() throws Exception {
    router = MediaRouter.start(RouterSettings.loopback(0), null);
    self = kit.createTestProbe(Command.class);
    x = kit.createTestProbe(Command.class);
    y = kit.createTestProbe(Command.class);
    relays = new Relays(router, self.getRef(), "pekko://lchat@127.0.0.1:1", "127.0.0.1");
  }

  @AfterEach
  void stop() {
    router.close();
  }

  private static TrackInfo video(TestProbe<Command> origin) {
    return new TrackInfo("bob", "bob-1-a.b.c", "video", 1234, "VP8", 90000, 0, "", origin.getRef());
  }

  /** Opens the link to {@code origin} and has the track arrive over it. */
  private void relayedFrom(TestProbe<Command> origin, int port) {
    assertEquals(self.getRef(), origin.expectMessageClass(OpenRelay.class).replyTo());
    relays.onOpened(new RelayOpened(origin.getRef(), "127.0.0.1", port));
    assertEquals("bob-1-a.b.c", origin.expectMessageClass(RelayTrack.class).trackId());
    assertNotNull(relays.onTrackRelayed(new TrackRelayed("bob-1-a.b.c", 1234, 96, 90000, "video", -1,
        origin.getRef(), 4321)));
  }

  @Test
  void aTrackWhosePublisherMovedIsAskedFromItsNewRouterAndReleasedOnTheOld() {
    relays.need(video(x));
    relayedFrom(x, 40001);
    assertNotNull(relays.published("bob-1-a.b.c", x.getRef()));
    assertNull(relays.published("bob-1-a.b.c", y.getRef()), "not what the new origin sends");

    relays.need(video(y)); // same track id, now published on y's node
    assertEquals("bob-1-a.b.c", x.expectMessageClass(UnrelayTrack.class).trackId());
    assertNull(relays.published("bob-1-a.b.c", x.getRef()));
    relayedFrom(y, 40002);
    assertNotNull(relays.published("bob-1-a.b.c", y.getRef()));
    // A late copy from the old origin is refused.
    assertNull(relays.onTrackRelayed(new TrackRelayed("bob-1-a.b.c", 1234, 96, 90000, "video", -1, x.getRef(),
        -1)));
    assertEquals("bob-1-a.b.c", x.expectMessageClass(UnrelayTrack.class).trackId());
  }

  @Test
  void aRouterThatIsGoneTakesItsLinkAndItsTracksWithIt() {
    relays.need(video(x));
    relayedFrom(x, 40001);
    assertEquals(1, router.relayCount());
    assertEquals(List.of("bob-1-a.b.c"), relays.gone(x.getRef()));
    assertEquals(0, router.relayCount());
    assertNull(relays.published("bob-1-a.b.c", x.getRef()));
    x.expectNoMessage(Duration.ofMillis(100));
    // Needed again later (its node came back): a new link.
    relays.need(video(x));
    x.expectMessageClass(OpenRelay.class);
  }
}
