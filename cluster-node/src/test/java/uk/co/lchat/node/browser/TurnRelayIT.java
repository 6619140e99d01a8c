package uk.co.lchat.node.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static uk.co.lchat.node.browser.MeetingPages.selectedPair;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import uk.co.lchat.node.netns.LanNodeProcess;

/**
 * A call that can only go through TURN. The node (LAN mode for HTTPS, so the pages get their cameras) and coturn
 * (use-auth-secret with the node's secret, relaying from the same host) run on 10.77.0.33; the participants' host,
 * 10.77.0.34, reaches the node's web port and coturn but not its media port at all: nftables on the node's host
 * drops UDP and TCP from the participants' address to it. Both participants get TURN credentials in {@code joined},
 * their connections to the media router go through relay candidates, and they see and hear each other; the dropped
 * packets show the direct path was tried and blocked.
 */
class TurnRelayIT {
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static TurnHosts turn;
  private static LanNodeProcess node;
  private static Chromium chromium;

  @BeforeAll
  static void start() throws Exception {
    turn = TurnHosts.create("TurnRelayIT", "turn", "lchat-turn-node", "10.77.0.33", "lchat-turn-client",
        "10.77.0.34");
    turn.blockFromClients(TurnHosts.MEDIA_PORT);
    turn.startCoturn(List.of("no-tls"), "-Hlnu", 3478);
    String at = turn.nodeAddress;
    node = turn.startNode("[\"turn:" + at + ":3478?transport=udp\", \"turn:" + at + ":3478?transport=tcp\"]");
    chromium = Chromium.launch(Chromium.Options.defaults().inNamespace(turn.clientNamespace).trusting(turn.nodeCa()));
  }

  @AfterAll
  static void stop() throws Exception {
    if (chromium != null) {
      chromium.close();
    }
    if (turn != null) {
      turn.close(); // stops the node and coturn, and takes the nftables table with the namespace
    }
  }

  @Test
  void participantsWhoCannotReachTheMediaPortTalkThroughTheTurnRelay() throws Exception {
    String base = node.url().substring(0, node.url().length() - 1);
    try (Chromium.Page alice = MeetingPages.join(chromium, base, "turn-meeting", "Alice", WAIT);
         Chromium.Page bob = MeetingPages.join(chromium, base, "turn-meeting", "Bob", WAIT)) {
      for (Chromium.Page page : new Chromium.Page[] {alice, bob}) {
        JsonNode servers = page.eval("window.lchatMeeting.iceServers");
        assertEquals(2, servers.get(0).get("urls").size(), servers.toString());
        assertTrue(servers.get(0).get("username").asText().matches("\\d+:[a-z0-9]+"), servers.toString());
      }
      turn.waitForMedia(alice, WAIT);
      turn.waitForMedia(bob, WAIT);
      for (Chromium.Page page : new Chromium.Page[] {alice, bob}) {
        for (String pc : new String[] {"publisher", "subscriber"}) {
          JsonNode pair = page.eval(selectedPair("window.lchatMeeting.media." + pc));
          assertEquals("relay", pair.get("local").asText(), pc + " goes through coturn: " + pair);
          assertEquals(turn.nodeAddress, pair.get("remoteAddress").asText(), "to the media router: " + pair);
        }
      }
    }
    assertTrue(turn.droppedPackets() > 0, "the participants tried the media port directly and were dropped");
  }

}
