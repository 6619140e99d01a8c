package uk.co.lchat.loadtest;

import java.net.URI;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import uk.co.lchat.node.LchatNode;

/** Nodes in this JVM and simulated participants on them, all closed after the test class. */
abstract class InJvmNodes {
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final List<LchatNode> nodes = new ArrayList<>();
  static final List<SimParticipant> everyone = new ArrayList<>();
  /** Senders run while this holds. */
  static volatile boolean sending;

  @BeforeAll
  static void startSending() {
    sending = true;
  }

  @AfterAll
  static void closeEverything() {
    sending = false;
    everyone.forEach(SimParticipant::close);
    everyone.clear();
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
    nodes.clear();
  }

  /** A simulated participant that connected to {@code node} and joined {@code room}. */
  static SimParticipant join(LchatNode node, String name, String room, boolean audio, boolean video,
                             Measurements m) throws Exception {
    SimParticipant p = new SimParticipant(HTTP, URI.create("http://127.0.0.1:" + node.httpPort()), name, audio,
        video, m);
    everyone.add(p);
    p.join(room);
    return p;
  }
}
