package uk.co.lchat.node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;


import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;
import uk.co.lchat.node.WsClient;

/** The header deadline between requests of one connection, and what it leaves alone: answers and WebSockets. */
class HeaderTimeoutIT {
  static final Duration HEADER_TIMEOUT = Duration.ofSeconds(2);
  static LchatNode node;
  static int port;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.single(Map.of("lchat.http.header-timeout", "2s"));
    port = node.httpPort();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void aKeepAliveConnectionServesRequestsAndIsClosedWhenTheNextHeadDoesNotCome() throws Exception {
    long timeouts = node.connections().headerTimeouts();
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      for (String path : List.of("/health", "/", "/api/config")) {
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertEquals("HTTP/1.1 200 OK", in.readLine(), path + " is answered on the same connection");
        readBody(in);
      }
      // The third answer is written; the next request starts but its head never ends.
      out.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertTrue(endOfStream(in), "the node closes the connection");
      assertEquals(timeouts + 1, node.connections().headerTimeouts());
    }
  }

  @Test
  void aWebSocketQuietForLongerThanTheHeaderTimeoutStaysOpen() throws Exception {
    try (WsClient ann = new WsClient(port)) {
      ann.join("quiet", "Ann");
      ann.expectSilence(HEADER_TIMEOUT.multipliedBy(3));
      ann.send("{\"type\":\"ping\"}");
      assertEquals("pong", ann.next("pong").get("type").asText());
      assertFalse(ann.closedByServer());
    }
  }

  /** Skips the headers and the body (Content-Length or chunked, RFC 9112 §7.1) of one answer. */
  private static void readBody(BufferedReader in) throws IOException {
    int length = 0;
    boolean chunked = false;
    for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
      String lower = line.toLowerCase(Locale.ROOT);
      if (lower.startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
        chunked = true;
      }
    }
    if (!chunked) {
      skip(in, length);
      return;
    }
    for (int size = Integer.parseInt(in.readLine().trim(), 16); size > 0;
         size = Integer.parseInt(in.readLine().trim(), 16)) {
      skip(in, size);
      in.readLine(); // the CRLF after the chunk
    }
    in.readLine(); // the empty line after the last chunk
  }

  /** US-ASCII decodes one character per byte, so characters count bytes. */
  private static void skip(BufferedReader in, int bytes) throws IOException {
    for (int i = 0; i < bytes; i++) {
      in.read();
    }
  }

  private static boolean endOfStream(BufferedReader in) throws IOException {
    try {
      while (true) {
        if (in.read() == -1) {
          return true;
        }
      }
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }
}
