package uk.co.lchat.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import uk.co.lchat.room.RoomProtocol.*;

class WebhookSenderTest {
  static final ActorTestKit kit = ActorTestKit.create();
  static final ObjectMapper JSON = new ObjectMapper();

  record Delivery(String signature, String timestamp, byte[] body) {}

  private HttpServer server;
  private final BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.stop(0);
    }
  }

  /** A receiver that fails the first {@code failures} requests with HTTP 500. */
  private String receiver(int failures) throws IOException {
    AtomicInteger seen = new AtomicInteger();
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/hook", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      int status = seen.incrementAndGet() <= failures ? 500 : 204;
      if (status == 204) {
        deliveries.add(new Delivery(exchange.getRequestHeaders().getFirst(WebhookSender.SIGNATURE_HEADER),
            exchange.getRequestHeaders().getFirst(WebhookSender.TIMESTAMP_HEADER), body));
      }
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
  }

  private static RoomConfig.WebhookSettings settings(String url) {
    return new RoomConfig.WebhookSettings(List.of(url), "s3cret", 5, Duration.ofMillis(50), Duration.ofSeconds(2));
  }

  @Test
  void eventsArriveSignedWithHmacSha256OfTheBody() throws Exception {
    WebhookSender sender = new WebhookSender(settings(receiver(0)));
    sender.send(WebhookSender.Event.PARTICIPANT_JOINED, "moon", "p1", "Ann");
    Delivery d = deliveries.poll(5, TimeUnit.SECONDS);
    assertNotNull(d);
    assertEquals("sha256=" + WebhookSender.sign("s3cret", d.body()), d.signature());
    Map<?, ?> body = JSON.readValue(d.body(), Map.class);
    assertEquals("participant.joined", body.get("event"));
    assertEquals("moon", body.get("room"));
    assertEquals("p1", body.get("participantId"));
    assertEquals("Ann", body.get("displayName"));
    assertNotNull(d.timestamp());
  }

  @Test
  void aDifferentSecretGivesADifferentSignature() {
    byte[] body = "{}".getBytes();
    assertTrue(!WebhookSender.sign("a", body).equals(WebhookSender.sign("b", body)));
    // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
    assertEquals("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        WebhookSender.sign("Jefe", "what do ya want for nothing?".getBytes()));
  }

  @Test
  void failedDeliveriesAreRetriedUntilTheyGetThrough() throws Exception {
    WebhookSender sender = new WebhookSender(settings(receiver(2)));
    sender.send(WebhookSender.Event.ROOM_CREATED, "moon", null, null);
    Delivery d = deliveries.poll(5, TimeUnit.SECONDS);
    assertNotNull(d, "the third attempt should have been delivered");
    assertEquals("room.created", JSON.readValue(d.body(), Map.class).get("event"));
  }

  @Test
  void aHangingReceiverNeverDelaysTheRoom() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/slow", exchange -> {
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    server.start();
    String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/slow";
    WebhookSender sender = new WebhookSender(settings(url));
    ActorRef<Command> room = kit.spawn(RoomActor.create("slowhooks", RoomTestSupport.defaultConfig(), sender, null));
    try {
      for (int i = 0; i < 5; i++) {
        TestProbe<ClientEvent> client = kit.createTestProbe();
        room.tell(new Join("t" + i, "P" + i, null, false, client.ref()));
        client.expectMessageClass(Joined.class, Duration.ofSeconds(1));
      }
    } finally {
      release.countDown();
    }
  }

  @Test
  void roomLifecycleEventsAreSent() throws Exception {
    WebhookSender sender = new WebhookSender(settings(receiver(0)));
    ActorRef<Command> room = kit.spawn(RoomActor.create("lifecycle", RoomTestSupport.defaultConfig(), sender, null));
    TestProbe<ClientEvent> ann = kit.createTestProbe();
    room.tell(new Join("t", "Ann", null, false, ann.ref()));
    String id = ann.expectMessageClass(Joined.class).participantId();
    room.tell(new Leave(id));
    java.util.Set<String> events = new java.util.HashSet<>();
    for (int i = 0; i < 4; i++) {
      Delivery d = deliveries.poll(5, TimeUnit.SECONDS);
      assertNotNull(d, "only got " + events);
      events.add((String) JSON.readValue(d.body(), Map.class).get("event"));
    }
    assertEquals(java.util.Set.of("room.created", "participant.joined", "participant.left", "room.ended"), events);
  }

  @Test
  void anEndedRoomSaysWhyAndParticipantEventsCarryRoleAndSubject() throws Exception {
    WebhookSender sender = new WebhookSender(settings(receiver(0)));
    ActorRef<Command> room = kit.spawn(RoomActor.create("ended", RoomTestSupport.defaultConfig(), sender, null));
    TestProbe<ClientEvent> ann = kit.createTestProbe();
    room.tell(new Join("t", "Ann", null, false, ann.ref()).withIdentity(new Identity("u-ann", null, true, null)));
    ann.expectMessageClass(Joined.class);
    TestProbe<ServerAnswer> api = kit.createTestProbe();
    room.tell(new EndRoom(api.ref()));
    api.expectMessageClass(ServerReply.class);
    Map<String, Map<?, ?>> byEvent = new HashMap<>();
    for (int i = 0; i < 4; i++) {
      Delivery d = deliveries.poll(5, TimeUnit.SECONDS);
      assertNotNull(d, "only got " + byEvent.keySet());
      Map<?, ?> body = JSON.readValue(d.body(), Map.class);
      byEvent.put((String) body.get("event"), body);
    }
    assertEquals("api", byEvent.get("room.ended").get("reason"));
    assertEquals("moderator", byEvent.get("participant.joined").get("role"));
    assertEquals("u-ann", byEvent.get("participant.joined").get("subject"));
    assertEquals("room_ended", byEvent.get("participant.left").get("reason"));
  }
}
