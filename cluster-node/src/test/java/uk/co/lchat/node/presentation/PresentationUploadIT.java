package uk.co.lchat.node.presentation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;
import uk.co.lchat.node.WsClient;

/**
 * The upload and fetch rules of presentations over HTTP, on one node: only members upload and fetch; the content,
 * not the name, decides what is a PDF; too large, not a PDF, damaged and bombs are refused with a JSON error; a
 * stopped presentation is gone from the node (404, and its memory).
 */
class PresentationUploadIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static LchatNode node;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.single(Map.of("lchat.presentation.max-bytes", "1 MiB",
        "lchat.presentation.max-decoded-bytes", "4 MiB", "lchat.presentation.max-total-bytes", "1 MiB",
        "lchat.presentation.sweep-interval", "1s"));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  private static HttpResponse<byte[]> upload(String room, WsClient as, String token, byte[] body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort()
        + "/presentations/" + room)).header("Content-Type", "application/octet-stream")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (as != null) {
      b.header("Lchat-Participant", as.participantId).header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static HttpResponse<byte[]> fetch(String path, WsClient as, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path));
    if (as != null) {
      b.header("Lchat-Participant", as.participantId).header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static void assertError(int status, String code, HttpResponse<byte[]> r) throws Exception {
    String body = new String(r.body(), StandardCharsets.UTF_8);
    assertEquals(status, r.statusCode(), body);
    JsonNode error = JSON.readTree(body);
    assertEquals(code, error.get("error").asText(), body);
    assertTrue(error.get("message").asText().length() > 10, body);
  }

  @Test
  void onlyAMembersWellFormedPdfIsPresentedAndServedToMembersUntilItStops() throws Exception {
    String room = "slides-rules";
    byte[] pdf = TestPdfs.pages(3);
    try (WsClient ann = new WsClient(node.httpPort()); WsClient bob = new WsClient(node.httpPort());
         WsClient eve = new WsClient(node.httpPort())) {
      ann.join(room, "Ann");
      bob.join(room, "Bob");
      eve.join("another-room", "Eve");
      assertError(401, "unauthorized", upload(room, null, null, pdf));
      assertError(403, "forbidden", upload(room, ann, bob.sessionToken, pdf));
      assertError(403, "forbidden", upload(room, eve, eve.sessionToken, pdf));

      byte[] tooBig = new byte[2 * 1024 * 1024];
      System.arraycopy(pdf, 0, tooBig, 0, pdf.length);
      assertError(413, "too_large", upload(room, ann, ann.sessionToken, tooBig));
      byte[] zip = {'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0};
      assertError(415, "not_a_pdf", upload(room, ann, ann.sessionToken, zip));
      // A PNG's signature makes it a picture (slides may be pictures): cut off after its signature, a damaged one.
      byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13};
      assertError(422, "bad_image", upload(room, ann, ann.sessionToken, png));
      assertError(422, "bad_pdf", upload(room, ann, ann.sessionToken,
          "%PDF-1.7\nthis is no PDF at all".getBytes(StandardCharsets.US_ASCII)));
      byte[] bomb = TestPdfs.bomb(64L * 1024 * 1024);
      assertTrue(bomb.length < 1024 * 1024, "the bomb fits under the upload limit: " + bomb.length);
      assertError(422, "pdf_bomb", upload(room, ann, ann.sessionToken, bomb));
      assertEquals(0, node.presentations().size(), "nothing refused is kept");
      assertEquals(0, node.presentations().heldBytes(), "every refused upload gave its reservation back");

      HttpResponse<byte[]> created = upload(room, ann, ann.sessionToken, pdf);
      assertEquals(201, created.statusCode(), new String(created.body(), StandardCharsets.UTF_8));
      JsonNode answer = JSON.readTree(created.body());
      assertEquals(3, answer.get("pageCount").asInt());
      String url = answer.get("url").asText();
      JsonNode shown = bob.next("presentation").get("presentation");
      assertEquals(url, shown.get("url").asText());
      assertEquals(1, shown.get("page").asInt());
      assertEquals(ann.participantId, shown.get("controlledBy").asText());
      assertEquals(1, node.presentations().size());

      HttpResponse<byte[]> served = fetch(url, bob, bob.sessionToken);
      assertEquals(200, served.statusCode());
      assertEquals("application/pdf", served.headers().firstValue("Content-Type").orElse(""));
      assertArrayEquals(pdf, served.body());
      assertError(403, "forbidden", fetch(url, eve, eve.sessionToken));
      assertError(403, "forbidden", fetch(url, bob, ann.sessionToken));
      assertError(401, "unauthorized", fetch(url, null, null));

      // Bad moves are answered and nothing breaks; Bob is not in control.
      ann.send("{\"type\":\"presentation\",\"action\":\"page\",\"page\":4}");
      assertEquals("invalid", ann.next("error").get("code").asText());
      bob.send("{\"type\":\"presentation\",\"action\":\"page\",\"page\":2}");
      assertEquals("forbidden", bob.next("error").get("code").asText());
      ann.send("{\"type\":\"presentation\",\"action\":\"pointer\",\"pointer\":{\"x\":\"left\"}}");
      assertEquals("invalid", ann.next("error").get("code").asText());
      ann.send("{\"type\":\"presentation\",\"action\":\"page\",\"page\":3}");
      assertEquals(3, bob.next("presentation").get("presentation").get("page").asInt());

      ann.send("{\"type\":\"presentation\",\"action\":\"stop\"}");
      assertTrue(bob.next("presentation").get("presentation").isNull());
      assertError(404, "not_found", fetch(url, bob, bob.sessionToken));
      assertEquals(0, node.presentations().size(), "the stopped document is gone from the node's memory");
    }
  }

  @Test
  void aNodeHoldsPresentationsUpToItsBudgetAndSaysBusyBeyondIt() throws Exception {
    byte[] large = TestPdfs.ofSize(600 * 1024);
    try (WsClient ann = new WsClient(node.httpPort()); WsClient cat = new WsClient(node.httpPort())) {
      ann.join("budget-one", "Ann");
      cat.join("budget-two", "Cat");
      HttpResponse<byte[]> first = upload("budget-one", ann, ann.sessionToken, large);
      assertEquals(201, first.statusCode(), new String(first.body(), StandardCharsets.UTF_8));
      // 600 KiB held of the node's 1 MiB: another room's 600 KiB does not fit, and nothing else breaks.
      assertError(503, "busy", upload("budget-two", cat, cat.sessionToken, large));
      assertEquals(1, node.presentations().size());

      ann.send("{\"type\":\"presentation\",\"action\":\"stop\"}");
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
      while (node.presentations().heldBytes() > 0) {
        assertTrue(System.nanoTime() < deadline, "the stopped document gives its bytes back");
        Thread.sleep(50);
      }
      HttpResponse<byte[]> second = upload("budget-two", cat, cat.sessionToken, large);
      assertEquals(201, second.statusCode(), new String(second.body(), StandardCharsets.UTF_8));
      cat.send("{\"type\":\"presentation\",\"action\":\"stop\"}");
      while (node.presentations().heldBytes() > 0) {
        assertTrue(System.nanoTime() < deadline, "the second document gives its bytes back");
        Thread.sleep(50);
      }
    }
  }

  @Test
  void aPresentersLeavingDeletesTheDocument() throws Exception {
    String room = "slides-leave";
    try (WsClient ann = new WsClient(node.httpPort()); WsClient bob = new WsClient(node.httpPort())) {
      ann.join(room, "Ann");
      bob.join(room, "Bob");
      HttpResponse<byte[]> created = upload(room, ann, ann.sessionToken, TestPdfs.pages(2));
      assertEquals(201, created.statusCode());
      String url = JSON.readTree(created.body()).get("url").asText();
      bob.next("presentation");
      ann.send("{\"type\":\"leave\"}");
      assertTrue(bob.next("presentation").get("presentation").isNull());
      assertError(404, "not_found", fetch(url, bob, bob.sessionToken));
      assertEquals(0, node.presentations().size());
    }
  }

  @Test
  void aDocumentWhoseRoomNoLongerPresentsItIsDroppedByTheSweepAndAPresentedOneIsKept() throws Exception {
    String room = "slides-sweep";
    try (WsClient ann = new WsClient(node.httpPort()); WsClient bob = new WsClient(node.httpPort())) {
      ann.join(room, "Ann");
      bob.join(room, "Bob");
      HttpResponse<byte[]> created = upload(room, ann, ann.sessionToken, TestPdfs.pages(2));
      assertEquals(201, created.statusCode(), new String(created.body(), StandardCharsets.UTF_8));
      String url = JSON.readTree(created.body()).get("url").asText();
      // A document whose room's word of the drop never came (its node crashed, everyone left): the node holds it
      // for a room that presents nothing of the kind.
      byte[] orphan = TestPdfs.pages(1);
      assertTrue(node.presentations().reserve(orphan.length));
      node.presentations().add("slides-sweep-ended", orphan, 1);
      assertEquals(2, node.presentations().size());
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
      while (node.presentations().size() > 1) {
        assertTrue(System.nanoTime() < deadline, "the orphaned document is swept within a few intervals");
        Thread.sleep(100);
      }
      // The sweep that dropped the orphan asked about the presented document too, and kept it.
      HttpResponse<byte[]> served = fetch(url, bob, bob.sessionToken);
      assertEquals(200, served.statusCode());
      ann.send("{\"type\":\"presentation\",\"action\":\"stop\"}");
      while (node.presentations().heldBytes() > 0) {
        assertTrue(System.nanoTime() < deadline, "everything held is given back");
        Thread.sleep(50);
      }
    }
  }

  /** A {@code multipart/form-data} body as a browser's FormData sends it: one part per picture. */
  private static HttpResponse<byte[]> uploadSlides(String room, WsClient as, byte[]... pictures) throws Exception {
    String boundary = "lchat-test-" + System.nanoTime();
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < pictures.length; i++) {
      body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"slide\"; filename=\"slide-"
          + (i + 1) + ".png\"\r\nContent-Type: image/png\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      body.writeBytes(pictures[i]);
      body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + "/presentations/"
            + room)).header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .header("Lchat-Participant", as.participantId).header("Authorization", "Bearer " + as.sessionToken)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void aSetOfPicturesIsPresentedAsAPdfOfAPageEachAndBadPicturesAreRefused() throws Exception {
    String room = "slides-pictures";
    try (WsClient ann = new WsClient(node.httpPort()); WsClient bob = new WsClient(node.httpPort())) {
      ann.join(room, "Ann");
      bob.join(room, "Bob");
      assertError(422, "image_too_large", uploadSlides(room, ann, TestPictures.slide(1, 320, 180, "png"),
          TestPictures.pngClaiming(50_000, 50_000)));
      assertError(415, "not_an_image", uploadSlides(room, ann, "not a picture".getBytes(StandardCharsets.UTF_8)));
      assertError(422, "no_images", HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
              + node.httpPort() + "/presentations/" + room)).header("Content-Type", "multipart/form-data; boundary=x")
          .header("Lchat-Participant", ann.participantId).header("Authorization", "Bearer " + ann.sessionToken)
          .POST(HttpRequest.BodyPublishers.ofString("no multipart here")).build(),
          HttpResponse.BodyHandlers.ofByteArray()));
      assertEquals(0, node.presentations().size(), "nothing refused is kept");

      HttpResponse<byte[]> created = uploadSlides(room, ann, TestPictures.slide(1, 640, 360, "png"),
          TestPictures.slide(2, 640, 360, "jpg"), TestPictures.slide(3, 640, 360, "png"));
      assertEquals(201, created.statusCode(), new String(created.body(), StandardCharsets.UTF_8));
      assertEquals(3, JSON.readTree(created.body()).get("pageCount").asInt());
      JsonNode shown = bob.next("presentation").get("presentation");
      assertEquals(3, shown.get("pageCount").asInt());
      HttpResponse<byte[]> served = fetch(shown.get("url").asText(), bob, bob.sessionToken);
      assertEquals(200, served.statusCode());
      assertEquals("application/pdf", served.headers().firstValue("Content-Type").orElse(""));
      try (org.apache.pdfbox.pdmodel.PDDocument pdf = org.apache.pdfbox.Loader.loadPDF(served.body())) {
        assertEquals(3, pdf.getNumberOfPages());
      }
      // One picture as the whole body is a slide too.
      ann.send("{\"type\":\"presentation\",\"action\":\"stop\"}");
      assertTrue(bob.next("presentation").get("presentation").isNull());
      HttpResponse<byte[]> single = upload(room, ann, ann.sessionToken, TestPictures.slide(1, 320, 180, "jpg"));
      assertEquals(201, single.statusCode(), new String(single.body(), StandardCharsets.UTF_8));
      assertEquals(1, JSON.readTree(single.body()).get("pageCount").asInt());
      ann.send("{\"type\":\"presentation\",\"action\":\"stop\"}");
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
      while (node.presentations().heldBytes() > 0) {
        assertTrue(System.nanoTime() < deadline, "the slides give their bytes back");
        Thread.sleep(50);
      }
    }
  }

  @Test
  void theRoomsRecorderFetchesTheDocumentWithItsKeyAndAWrongKeyFetchesNothing() throws Exception {
    String room = "slides-recorder";
    try (WsClient ann = new WsClient(node.httpPort())) {
      ann.join(room, "Ann");
      byte[] pdf = TestPdfs.pages(2);
      HttpResponse<byte[]> created = upload(room, ann, ann.sessionToken, pdf);
      assertEquals(201, created.statusCode(), new String(created.body(), StandardCharsets.UTF_8));
      String documentId = JSON.readTree(created.body()).get("documentId").asText();
      String url = JSON.readTree(created.body()).get("url").asText();
      String key = node.presentations().get(room, documentId).fetchKey();
      java.util.function.Function<String, HttpRequest> withKey = k -> HttpRequest.newBuilder(URI.create(
          "http://127.0.0.1:" + node.httpPort() + url)).header(PresentationRoutes.DOCUMENT_KEY, k).build();
      HttpResponse<byte[]> fetched = HTTP.send(withKey.apply(key), HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, fetched.statusCode());
      assertArrayEquals(pdf, fetched.body());
      assertError(403, "forbidden", HTTP.send(withKey.apply(key.substring(1) + "x"),
          HttpResponse.BodyHandlers.ofByteArray()));
      assertError(403, "forbidden", HTTP.send(withKey.apply(documentId), HttpResponse.BodyHandlers.ofByteArray()));
      ann.send("{\"type\":\"presentation\",\"action\":\"stop\"}");
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
      while (node.presentations().size() > 0) {
        assertTrue(System.nanoTime() < deadline, "the stopped document is dropped");
        Thread.sleep(50);
      }
      assertError(404, "not_found", HTTP.send(withKey.apply(key), HttpResponse.BodyHandlers.ofByteArray()));
    }
  }
}
