package uk.co.lchat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import uk.co.lchat.autoscaler.LocalProcessProvider;
import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.WsClient;
import uk.co.lchat.room.RoomProtocol;
import uk.co.lchat.room.RoomReplica;

/**
 * kill -9 of the node process that holds a room's actor: the room comes back on another node from the state the
 * other nodes keep in memory, still protected (passcode and lobby), with its roster (same ids and roles) and its
 * chat, and the members on the live nodes carry on without doing anything.
 */
class RoomNodeCrashIT {
  private static final Map<String, Object> NODE = Map.of(
      "lchat.media.placement.strategy", "local",
      "lchat.rebalance.enabled", false);
  private CrashCluster cluster;
  private LchatNode first;
  private final List<WsClient> clients = new ArrayList<>();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private final List<SimParticipant> talkers = new ArrayList<>();
  private volatile boolean sending = true;

  @AfterEach
  void stop() {
    sending = false;
    talkers.forEach(SimParticipant::close);
    clients.forEach(WsClient::close);
    if (cluster != null) {
      cluster.close();
    }
  }

  private WsClient client(int port) throws Exception {
    WsClient c = new WsClient(port);
    clients.add(c);
    return c;
  }

  private static String join(String room, String name, String passcode) {
    return "{\"type\":\"join\",\"room\":\"" + room + "\",\"name\":\"" + name + "\""
        + (passcode == null ? "" : ",\"passcode\":\"" + passcode + "\"") + "}";
  }

  @Test
  void killingTheNodeThatHoldsARoomKeepsItsPasscodeLobbyRosterAndChat() throws Exception {
    cluster = CrashCluster.start(NODE, 2, "room-node-crash");
    first = cluster.first;
    LocalProcessProvider.NodeProcess doomed = cluster.process(0);
    int survivor = cluster.process(1).httpPort();

    // Ann, on this JVM's node, opens rooms until one's actor lives on the process that will be killed.
    String room = null;
    WsClient ann = null;
    for (int k = 0; k < 40 && room == null; k++) {
      WsClient c = client(first.httpPort());
      c.join("crash-" + k, "Ann");
      if (cluster.regionPortOf("crash-" + k) == doomed.remotePort()) {
        room = "crash-" + k;
        ann = c;
      } else {
        c.close();
        clients.remove(c);
      }
    }
    assertTrue(room != null, "no room landed on the node to be killed in 40 tries");
    String annId = ann.participantId;
    // Two members who talk, on the live nodes: their media does not depend on the room's actor.
    Measurements measured = new Measurements();
    List<SimParticipant> pair = List.of(talker(first.httpPort(), "Gil", room, measured),
        talker(survivor, "Hal", room, measured));
    Thread sender = Talkers.send(pair, false, () -> sending);
    Talkers.awaitHearingEachOther(pair, "before the crash", 30);
    ann.send("{\"type\":\"setPasscode\",\"passcode\":\"4711\"}");
    ann.next("settings");
    WsClient bob = client(survivor);
    bob.send(join(room, "Bob", "4711"));
    String bobId = bob.next("joined").get("participantId").asText();
    ann.send("{\"type\":\"setLobby\",\"enabled\":true}");
    ann.next("settings", m -> m.path("settings").path("lobbyEnabled").asBoolean());
    ann.send("{\"type\":\"chat\",\"text\":\"before the crash\"}");
    bob.next("chat");

    // The room writes its state to the other nodes at most every lchat.room.replication.interval without waiting
    // for them; what this test depends on is that the surviving nodes hold the chat before the kill.
    String chatRoom = room;
    Talkers.await("the surviving node holds the room's chat", 30, () -> replicatedChat(chatRoom)
        .contains("before the crash"));

    pair.forEach(SimParticipant::resetGaps);
    long killed = System.nanoTime();
    CrashCluster.kill(doomed);

    // An outsider without the passcode is refused from the first answer the room gives to the last.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    JsonNode answer = null;
    while (answer == null) {
      assertTrue(System.nanoTime() < deadline, "the room did not answer within 120 s of the kill");
      // A join sent while the room's old node is still thought alive is lost with it: ask again every 2 s.
      try (WsClient eve = new WsClient(first.httpPort())) {
        eve.send(join(room, "Eve", null));
        JsonNode a = eve.poll(Duration.ofSeconds(2));
        if (a != null && a.path("type").asText().equals("joined")) {
          fail("an outsider got into the recovered room without the passcode: " + a);
        }
        if (a != null && !a.path("code").asText().equals("room_recovering")) {
          answer = a;
        }
      }
    }
    double recovered = (System.nanoTime() - killed) / 1e9;
    System.out.printf("room node kill -9: the room answered again after %.1f s%n", recovered);
    assertEquals("refused", answer.path("type").asText(), answer.toString());
    assertEquals("passcode_required", answer.path("code").asText(), answer.toString());

    // With the passcode, a newcomer waits in the lobby, and the moderator (still Ann, same id) is told.
    WsClient cat = client(first.httpPort());
    cat.send(join(room, "Cat", "4711"));
    assertEquals("lobby", cat.next().path("type").asText());
    JsonNode waiting = ann.next("lobbyChanged", m -> m.path("waiting").size() > 0);
    ann.send("{\"type\":\"admit\",\"lobbyId\":\"" + waiting.path("waiting").get(0).path("lobbyId").asText() + "\"}");
    JsonNode joined = cat.next("joined");
    JsonNode people = joined.path("room").path("participants");
    Map<String, String> roles = new HashMap<>();
    people.forEach(p -> roles.put(p.path("id").asText(), p.path("role").asText()));
    assertEquals("moderator", roles.get(annId), "Ann keeps her id and role: " + people);
    assertEquals("participant", roles.get(bobId), "Bob keeps his id and role: " + people);
    assertTrue(joined.path("room").path("chatHistory").toString().contains("before the crash"),
        "the chat history survived: " + joined.path("room").path("chatHistory"));

    // Members on the live nodes carry on by themselves: Bob's chat reaches Ann.
    bob.send("{\"type\":\"chat\",\"text\":\"after the crash\"}");
    ann.next("chat", c -> c.path("message").path("text").asText().equals("after the crash"));

    // The talkers heard each other all along: the room's crash cost their media nothing.
    Talkers.awaitHearingEachOther(pair, "after the room came back", 30);
    for (SimParticipant p : pair) {
      long gap = p.longestAudioGapNanos() / 1_000_000;
      System.out.printf("room node kill -9: %s heard a longest audio gap of %d ms%n", p.id(), gap);
      assertTrue(gap < 1000, p.id() + " lost " + gap + " ms of audio while the room recovered");
    }
    sending = false;
    sender.join(2000);
  }

  private SimParticipant talker(int port, String name, String room, Measurements m) throws Exception {
    SimParticipant p = new SimParticipant(HTTP, URI.create("http://127.0.0.1:" + port), name, true, false, m);
    talkers.add(p);
    p.join(room);
    return p;
  }

  /** The chat texts of {@code room} as this JVM's node holds them in its replica of the rooms' state. */
  private String replicatedChat(String room) {
    try {
      var key = RoomReplica.key(room);
      Replicator.GetResponse<LWWMap<String, RoomProtocol.RoomState>> r = AskPattern.<Replicator.Command,
              Replicator.GetResponse<LWWMap<String, RoomProtocol.RoomState>>>ask(
              DistributedData.get(first.system()).replicator(),
              reply -> new Replicator.Get<>(key, Replicator.readLocal(), reply), Duration.ofSeconds(3),
              first.system().scheduler())
          .toCompletableFuture().get(5, TimeUnit.SECONDS);
      if (r instanceof Replicator.GetSuccess<LWWMap<String, RoomProtocol.RoomState>> found) {
        RoomProtocol.RoomState state = found.get(key).getEntries().get(room);
        return state == null ? "" : state.chat().toString();
      }
    } catch (Exception e) {
      // not there yet
    }
    return "";
  }
}
