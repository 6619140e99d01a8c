package uk.co.lchat.node.presentation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;
import uk.co.lchat.node.WsClient;

/**
 * A presented document lives on the node that took its upload; a member whose signaling is on another node fetches
 * it from its own node, which fetches it from the holder with the member's credentials. Two nodes in this JVM.
 */
class PresentationAcrossNodesIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final List<LchatNode> nodes = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    nodes.addAll(TestNodes.cluster(2, seeds -> TestNodes.config(0, seeds)));
  }

  @AfterAll
  static void stop() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
  }

  private static HttpResponse<byte[]> send(LchatNode node, String path, WsClient as, byte[] body) throws Exception {
    return send(node, path, as.participantId, as.sessionToken, body);
  }

  private static HttpResponse<byte[]> send(LchatNode node, String path, String participant, String token,
                                          byte[] body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
        .header("Lchat-Participant", participant).header("Authorization", "Bearer " + token);
    b = body == null ? b.GET() : b.POST(HttpRequest.BodyPublishers.ofByteArray(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void aMemberOnAnotherNodeIsServedTheDocumentThroughItsOwnNodeUntilItStops() throws Exception {
    byte[] pdf = TestPdfs.pages(2);
    try (WsClient ann = new WsClient(nodes.get(0).httpPort()); WsClient bob = new WsClient(nodes.get(1).httpPort())) {
      ann.join("slides-across", "Ann");
      bob.join("slides-across", "Bob");
      HttpResponse<byte[]> created = send(nodes.get(0), "/presentations/slides-across", ann, pdf);
      assertEquals(201, created.statusCode(), new String(created.body(), StandardCharsets.UTF_8));
      String url = JSON.readTree(created.body()).get("url").asText();
      assertEquals(url, bob.next("presentation").get("presentation").get("url").asText());
      assertEquals(1, nodes.get(0).presentations().size(), "the uploading node holds it");
      assertEquals(0, nodes.get(1).presentations().size(), "the other node holds no copy");

      HttpResponse<byte[]> served = send(nodes.get(1), url, bob, null);
      assertEquals(200, served.statusCode(), new String(served.body(), StandardCharsets.UTF_8));
      assertArrayEquals(pdf, served.body(), "Bob's node serves the holder's bytes");
      assertEquals(403, send(nodes.get(1), url, bob.participantId, ann.sessionToken, null).statusCode(),
          "Bob's id with Ann's token is no member's credential, on either node");

      ann.send("{\"type\":\"presentation\",\"action\":\"stop\"}");
      bob.next("presentation");
      assertEquals(404, send(nodes.get(1), url, bob, null).statusCode(), "gone once stopped");
    }
  }
}
