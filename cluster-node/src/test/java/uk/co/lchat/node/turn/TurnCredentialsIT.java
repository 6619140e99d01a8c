package uk.co.lchat.node.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;
import uk.co.lchat.node.WsClient;

/**
 * A node with TURN configured hands each participant its own time-limited credentials: in {@code joined} (not in
 * {@code hello}, before the room's access check) and in a WHIP POST's {@code Link} headers.
 */
class TurnCredentialsIT {
  private static final String SECRET = "it-secret";
  private static final List<String> URLS = List.of("turn:10.77.0.1:3478?transport=udp",
      "turn:10.77.0.1:3478?transport=tcp", "turns:turn.example.com:443?transport=tcp");
  private static LchatNode node;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.single(Map.of("lchat.turn.urls", URLS, "lchat.turn.secret", SECRET,
        "lchat.turn.credential-ttl", "2h", "lchat.turn.stun-urls", List.of("stun:10.77.0.1:3478")));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static String hmac(String username) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA1");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
    return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
  }

  private static void assertExpiresInTwoHours(long expiry) {
    long inSeconds = expiry - Instant.now().getEpochSecond();
    assertTrue(inSeconds > 7200 - 120 && inSeconds <= 7200, "expires in 2 h: " + inSeconds + " s");
  }

  @Test
  void aParticipantGetsItsOwnCredentialsWhenItJoins() throws Exception {
    try (WsClient ann = new WsClient(node.httpPort())) {
      ann.send("{\"type\":\"join\",\"room\":\"turn-room\",\"name\":\"Ann\"}");
      JsonNode joined = ann.next("joined");
      String id = joined.get("participantId").asText();
      JsonNode servers = joined.get("iceServers");
      assertEquals("stun:10.77.0.1:3478", servers.get(0).get("urls").get(0).asText());
      assertTrue(servers.get(0).get("username") == null, "STUN needs no credentials");
      JsonNode turn = servers.get(1);
      assertEquals(URLS.size(), turn.get("urls").size());
      String username = turn.get("username").asText();
      Matcher m = Pattern.compile("(\\d+):" + id).matcher(username);
      assertTrue(m.matches(), username);
      assertExpiresInTwoHours(Long.parseLong(m.group(1)));
      assertEquals(hmac(username), turn.get("credential").asText());
    }
  }

  @Test
  void aWhipPublisherGetsThemInLinkHeaders() throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + node.httpPort() + "/whip/turn-whip?name=OBS"))
        .header("Content-Type", "application/sdp").timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(publishOffer())).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(201, r.statusCode(), r.body());
    String participant = r.headers().firstValue("Lchat-Participant").orElseThrow();
    List<String> links = r.headers().allValues("Link");
    assertEquals(1 + URLS.size(), links.size(), links.toString());
    assertEquals("<stun:10.77.0.1:3478>; rel=\"ice-server\"", links.get(0));
    Pattern turn = Pattern.compile("<(turns?:[^>]+)>; rel=\"ice-server\"; username=\"((\\d+):" + participant
        + ")\"; credential=\"([^\"]+)\"; credential-type=\"password\"");
    for (int i = 0; i < URLS.size(); i++) {
      Matcher m = turn.matcher(links.get(i + 1));
      assertTrue(m.matches(), links.get(i + 1));
      assertEquals(URLS.get(i), m.group(1));
      assertExpiresInTwoHours(Long.parseLong(m.group(3)));
      assertEquals(hmac(m.group(2)), m.group(4));
    }
    assertTrue(r.headers().firstValue("Access-Control-Expose-Headers").orElseThrow().contains("Link"),
        "a browser WHIP client may read them");
  }

  private static String publishOffer() {
    String fingerprint = "sha-256 " + "AB:".repeat(31) + "AB";
    StringBuilder sdp = new StringBuilder("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n");
    String[][] sections = {{"audio", "0", "111", "opus/48000/2", "1111"}, {"video", "1", "96", "VP8/90000", "2222"}};
    for (String[] s : sections) {
      sdp.append("m=").append(s[0]).append(" 9 UDP/TLS/RTP/SAVPF ").append(s[2]).append("\r\nc=IN IP4 0.0.0.0\r\n")
          .append("a=ice-ufrag:abcd\r\na=ice-pwd:pwdpwdpwdpwdpwdpwdpwdpwd\r\na=fingerprint:").append(fingerprint)
          .append("\r\na=setup:actpass\r\na=mid:").append(s[1]).append("\r\na=sendonly\r\na=rtcp-mux\r\na=rtpmap:")
          .append(s[2]).append(' ').append(s[3]).append("\r\na=ssrc:").append(s[4]).append(" cname:x\r\n");
    }
    return sdp.toString();
  }
}
