package uk.co.lchat.node.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;


/** WHIP publishing and WHEP watching from plain pages (no signaling socket), plus the endpoints' error answers. */
class WhipWhepIT extends SingleNodeBrowserTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private String base() {
    return "http://127.0.0.1:" + node.httpPort();
  }

  private Chromium.Page whip(String room) throws Exception {
    Chromium.Page page = chromium.open(base() + "/e2e/whip.html?room=" + room);
    page.waitFor("window.lchatTest && (window.lchatTest.published || window.lchatTest.errors.length > 0)",
        Duration.ofSeconds(30));
    JsonNode errors = page.eval("window.lchatTest.errors");
    assertTrue(errors.isEmpty(), "WHIP publish failed: " + errors);
    assertEquals(201, page.eval("window.lchatTest.status").asInt());
    assertTrue(page.eval("window.lchatTest.location").asText().startsWith("/whip/" + room + "/"));
    return page;
  }

  private Chromium.Page whep(String room, String participant) throws Exception {
    Chromium.Page page = chromium.open(base() + "/e2e/whep.html?room=" + room
        + (participant == null ? "" : "&participant=" + participant));
    page.waitFor("window.lchatTest && (window.lchatTest.watching || window.lchatTest.errors.length > 0)",
        Duration.ofSeconds(30));
    JsonNode errors = page.eval("window.lchatTest.errors");
    assertTrue(errors.isEmpty(), "WHEP failed: " + errors);
    return page;
  }

  @Test
  void pagePublishedWithWhipIsWatchedWithWhepByParticipantAndAsDominantSpeaker() throws Exception {
    try (Chromium.Page publisher = whip("whip-room")) {
      String pid = publisher.eval("window.lchatTest.participantId").asText();
      try (Chromium.Page viewer = whep("whip-room", pid); Chromium.Page speaker = whep("whip-room", null)) {
        String flowing = "lchatStats().then(s => s.framesDecoded > 50 && s.audioPackets > 100)";
        try {
          viewer.waitFor(flowing, Duration.ofSeconds(60));
          speaker.waitFor(flowing, Duration.ofSeconds(60));
        } finally {
          System.out.println("viewer " + viewer.eval("lchatStats()") + " speaker " + speaker.eval("lchatStats()"));
        }
        String location = publisher.eval("window.lchatTest.location").asText();
        assertNotEquals("/whip/whip-room/" + pid, location, "the resource is not named by the public roster id");
        assertEquals(404, send("DELETE", "/whip/whip-room/" + pid, null, null).statusCode());
        assertEquals(200, send("DELETE", location, null, null).statusCode());
        assertEquals(404, send("DELETE", location, null, null).statusCode());
        String viewerLocation = viewer.eval("window.lchatTest.location").asText();
        assertTrue(viewerLocation.startsWith("/whep/whip-room/viewers/"), viewerLocation);
        assertEquals(200, send("DELETE", viewerLocation, null, null).statusCode());
      }
    }
  }

  @Test
  void badRequestsGetClearFourHundreds() throws Exception {
    HttpResponse<String> wrongType = send("POST", "/whip/r1", "text/plain", "v=0");
    assertEquals(415, wrongType.statusCode());
    assertTrue(wrongType.body().contains("application/sdp"));
    HttpResponse<String> badSdp = send("POST", "/whip/r1", "application/sdp", "this is not sdp");
    assertEquals(400, badSdp.statusCode());
    assertTrue(badSdp.body().startsWith("{\"error\":\"bad_sdp\",\"message\":\"Bad offer"), badSdp.body());
    assertEquals(400, send("POST", "/whip/bad%20room", "application/sdp", "v=0").statusCode());
    HttpResponse<String> unknown = send("POST", "/whep/nobody-here", "application/sdp", "v=0\r\n");
    assertEquals(404, unknown.statusCode());
    assertEquals(404, send("POST", "/whep/nobody-here/p1", "application/sdp", "v=0\r\n").statusCode());
    assertEquals(404, send("DELETE", "/whep/nobody-here/viewers/v1", null, null).statusCode());
  }

  private HttpResponse<String> send(String method, String path, String type, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path));
    if (type != null) {
      b.header("Content-Type", type);
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
