package uk.co.lchat.node.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;
import uk.co.lchat.node.WsClient;

/**
 * Guessing a room's passcode over a real WebSocket: before the guard, one socket checked about 250 guesses a second
 * (1000 wrong joins, then the right one still worked); now an address gets five, then waits, and the waits double.
 */
class PasscodeGuessingIT {
  private static LchatNode node;

  @BeforeAll
  static void start() throws Exception {
    // The socket rate limit (FloodIT) would stop a thousand joins on one socket by itself; an attacker can open
    // many sockets, so this node lets them through to show what the passcode guard alone does.
    node = TestNodes.single(Map.of("lchat.http.ws.burst", 5000,
        "lchat.http.ws.refused-before-close", 5000));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static String join(String room, String name, String passcode) {
    return "{\"type\":\"join\",\"room\":\"" + room + "\",\"name\":\"" + name + "\",\"passcode\":\"" + passcode + "\"}";
  }

  @Test
  void aThousandGuessesOnOneSocketGetFiveCheckedAndTheRestToldToWait() throws Exception {
    try (WsClient ann = new WsClient(node.httpPort());
         WsClient eve = new WsClient(node.httpPort())) {
      ann.join("vault-1000", "Ann");
      ann.send("{\"type\":\"setPasscode\",\"passcode\":\"4711\"}");
      ann.next("settings");

      int checked = 0;
      int throttled = 0;
      long started = System.nanoTime();
      for (int guess = 0; guess < 1000; guess++) {
        eve.send(join("vault-1000", "Eve", String.format("%04d", guess == 4711 ? 0 : guess)));
        JsonNode refused = eve.next("refused");
        switch (refused.get("code").asText()) {
          case "passcode_wrong" -> checked++;
          case "passcode_throttled" -> {
            throttled++;
            assertTrue(refused.get("retry_after").asLong() >= 1, refused.toString());
          }
          default -> throw new AssertionError(refused.toString());
        }
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      System.out.printf("passcode guessing: %d of 1000 guesses checked in %.1f s (%.1f checked/s; %d told to wait)%n",
          checked, seconds, checked / seconds, throttled);
      // Five free, then a wait of 1 s, 2 s, 4 s...: however long the thousand took, only a handful were checked.
      int allowed = 5 + (int) Math.ceil(Math.log(seconds + 1) / Math.log(2)) + 1;
      assertTrue(checked >= 5 && checked <= allowed, checked + " checked in " + seconds + " s");
      assertEquals(1000, checked + throttled);

      // The right passcode from the same address is not even checked while it must wait...
      eve.send(join("vault-1000", "Eve", "4711"));
      JsonNode refused = eve.next("refused");
      assertEquals("passcode_throttled", refused.get("code").asText());
      // ...but once the wait the node named is over, it gets in.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      long wait = refused.get("retry_after").asLong();
      JsonNode answer;
      do {
        assertTrue(System.nanoTime() < deadline, "Eve did not get in within 60 s");
        TimeUnit.SECONDS.sleep(wait); // the node's own retry_after: the protocol, not a guess at timing
        eve.send(join("vault-1000", "Eve", "4711"));
        answer = eve.next();
        wait = answer.path("retry_after").asLong(1);
      } while (!answer.get("type").asText().equals("joined"));

      String metrics = TestNodes.get(node.httpPort(), "/metrics").body();
      Matcher counted = Pattern.compile("lchat_passcode_refusals_total\\{reason=\"throttled\",?} ([0-9.E]+)")
          .matcher(metrics);
      assertTrue(counted.find(), metrics);
      assertTrue(Double.parseDouble(counted.group(1)) >= throttled, counted.group());
    }
  }

  @Test
  void anAttackFromOneHostDoesNotLockOutSomeoneElseWithThePasscode() throws Exception {
    try (WsClient ann = new WsClient(node.httpPort());
         WsClient eve = new WsClient(node.httpPort());
         WsClient bob = new WsClient(node.httpPort(), InetAddress.getByName("127.0.0.2"))) {
      ann.join("vault-other", "Ann");
      ann.send("{\"type\":\"setPasscode\",\"passcode\":\"4711\"}");
      ann.next("settings");
      for (int guess = 0; guess < 50; guess++) {
        eve.send(join("vault-other", "Eve", String.format("%04d", guess)));
        eve.next("refused");
      }
      eve.send(join("vault-other", "Eve", "4711"));
      assertEquals("passcode_throttled", eve.next("refused").get("code").asText());
      bob.send(join("vault-other", "Bob", "4711"));
      assertEquals("joined", bob.next().get("type").asText());
    }
  }
}
