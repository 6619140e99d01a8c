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

  /**
   * Starts a thread that sends, while {@link #sending}, a 20 ms audio frame from each of {@code people} (loud for
   * those whose index {@code loud} accepts) and a video frame every other one, as the synthetic media of a meeting.
   */
  static void keepSending(List<SimParticipant> people, java.util.function.IntPredicate loud) {
    Thread.ofPlatform().daemon().start(() -> {
      long next = System.nanoTime();
      for (long tick = 0; sending; tick++) {
        for (int i = 0; i < people.size(); i++) {
          try {
            people.get(i).sendAudio(loud.test(i));
            if (tick % 2 == 0) {
              people.get(i).sendVideoFrame();
            }
          } catch (Exception e) {
            // not connected yet, or its node is gone
          }
        }
        next += 20_000_000L;
        java.util.concurrent.locks.LockSupport.parkNanos(next - System.nanoTime());
      }
    });
  }

  /**
   * A participant that connected to {@code node}, publishes what {@code camera} sends (real VP8 and Opus) and the
   * video of {@code screen} (null: no screen share) and joined {@code room}.
   */
  static SimParticipant joinPublishing(LchatNode node, String name, String room, FfmpegMedia camera,
                                       FfmpegMedia screen) throws Exception {
    SimParticipant p = new SimParticipant(HTTP, URI.create("http://127.0.0.1:" + node.httpPort()), name, true, true,
        new Measurements());
    everyone.add(p);
    if (screen != null) {
      p.publishFrom(camera, screen);
    } else {
      p.publishFrom(camera);
    }
    p.join(room);
    return p;
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
