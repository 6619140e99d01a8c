package uk.co.lchat.room;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Duration;
import java.util.Map;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;

import com.typesafe.config.ConfigFactory;

import uk.co.lchat.room.RoomProtocol.ClientEvent;
import uk.co.lchat.room.RoomProtocol.Command;
import uk.co.lchat.room.RoomProtocol.Join;
import uk.co.lchat.room.RoomProtocol.Joined;

/** A room under test and the clients that join it. */
final class RoomTestSupport {
  static final Duration QUIET = Duration.ofMillis(200);

  final ActorTestKit kit;
  final ActorRef<Command> room;
  final String roomId = "room-" + System.nanoTime();
  private int sessions;

  RoomTestSupport(ActorTestKit kit, RoomConfig config) {
    this.kit = kit;
    this.room = kit.spawn(RoomActor.create(roomId, config, WebhookSender.none(), null));
  }

  static RoomConfig defaultConfig() {
    return RoomConfig.fromConfig(ConfigFactory.load());
  }

  static RoomConfig configWith(String hocon) {
    return RoomConfig.fromConfig(ConfigFactory.parseString(hocon).withFallback(ConfigFactory.load()));
  }

  /** A connected client: its probe and, once joined, its participant id. */
  final class Client {
    final TestProbe<ClientEvent> probe = kit.createTestProbe();
    final String token = "token-" + (++sessions);
    String id;
    Joined joined;

    void send(Command command) {
      room.tell(command);
    }

    <T extends ClientEvent> T expect(Class<T> type) {
      return probe.expectMessageClass(type);
    }

    /** Skips events of other types until one of {@code type} arrives. */
    <T extends ClientEvent> T await(Class<T> type) {
      return type.cast(probe.fishForMessage(Duration.ofSeconds(3),
          e -> type.isInstance(e) ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
              : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore()).get(0));
    }

    void expectNothing() {
      probe.expectNoMessage(QUIET);
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

  Client client() {
    return new Client();
  }

  Client join(String name) {
    return join(name, null);
  }

  Client join(String name, String passcode) {
    Client c = client();
    room.tell(new Join(c.token, name, passcode, false, c.probe.ref()));
    c.joined = c.expect(Joined.class);
    c.id = c.joined.participantId();
    return c;
  }

  /** A join attempt with a verified token's {@code identity} (null: without a token). */
  void knockWith(Client c, String name, String passcode, RoomProtocol.Identity identity) {
    room.tell(new Join(c.token, name, passcode, false, c.probe.ref()).withIdentity(identity));
  }

  /** Joins with a token's identity; returns once in. */
  Client joinWith(String name, RoomProtocol.Identity identity) {
    Client c = client();
    knockWith(c, name, null, identity);
    c.joined = c.expect(Joined.class);
    c.id = c.joined.participantId();
    return c;
  }

  /** A token's identity: {@code subject} and {@code name} may be null. */
  static RoomProtocol.Identity identity(String subject, String name, boolean moderator) {
    return new RoomProtocol.Identity(subject, name, moderator, null);
  }

  void knock(Client c, String name, String passcode) {
    room.tell(new Join(c.token, name, passcode, false, c.probe.ref()));
  }

  /** A join attempt from a client at {@code address}. */
  void knockFrom(Client c, String address, String name, String passcode) {
    room.tell(new Join(c.token, name, passcode, false, c.probe.ref(), null, address));
  }

  static <T> T as(Class<T> type, Object o) {
    return assertInstanceOf(type, o);
  }

  static Map<String, Boolean> map(Object... kv) {
    java.util.LinkedHashMap<String, Boolean> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], (Boolean) kv[i + 1]);
    }
    return m;
  }
}
