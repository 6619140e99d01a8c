package uk.co.lchat.node.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.SinkQueueWithCancel;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import uk.co.lchat.node.signaling.ParticipantSession.Outbound;

/** The stage between a session and its socket, with a reader that pulls only when the test says. */
class OutboundBufferTest {
  static final ActorTestKit KIT = ActorTestKit.create();
  static final SignalingSettings SETTINGS = new SignalingSettings(100, 50, 200, 200, 4, 1000,
      java.time.Duration.ofSeconds(15));

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  /** Runs {@code messages} through the buffer, then closes, to a reader that asked for one message only. */
  private static CompletionStage<Done> runAndClose(List<Outbound> messages) {
    return Source.from(messages)
        .via(new OutboundBuffer(SETTINGS, new SignalingCounters()))
        .watchTermination(Keep.right())
        .toMat(Sink.<Outbound>queue().addAttributes(Attributes.inputBuffer(1, 1)), Keep.left())
        .run(KIT.system());
  }

  private static String text(Outbound m) {
    return switch (m) {
      case Outbound.Text t -> t.json();
      case Outbound.Droppable d -> d.json();
      case Outbound.Close c -> "close";
    };
  }

  private static Optional<Outbound> pull(SinkQueueWithCancel<Outbound> reader) throws Exception {
    return reader.pull().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void aSlowReaderGetsEveryStateMessageAndOnlyTheNewestRelays() throws Exception {
    List<Outbound> messages = new ArrayList<>(List.of(new Outbound.Text("joined")));
    for (int i = 0; i < 10; i++) {
      messages.add(new Outbound.Droppable("peer" + i));
    }
    messages.add(new Outbound.Text("roster"));
    SignalingCounters counters = new SignalingCounters();
    // The socket stays open (the session sends more later); the reader has asked for one message only.
    SinkQueueWithCancel<Outbound> reader = Source.from(messages).concat(Source.never())
        .via(new OutboundBuffer(SETTINGS, counters))
        .toMat(Sink.<Outbound>queue().addAttributes(Attributes.inputBuffer(1, 1)), Keep.right())
        .run(KIT.system());
    // "joined" went to the reader; the queue of 4 kept the newest three relays and the roster.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (counters.outboundMessagesDropped() < 7 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(7, counters.outboundMessagesDropped());
    List<String> read = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      read.add(text(pull(reader).orElseThrow()));
    }
    assertEquals(List.of("joined", "peer7", "peer8", "peer9", "roster"), read);
    reader.cancel();
  }

  @Test
  void aClosingSocketWhoseClientReadsNothingIsCutOffAfterTheGrace() throws Exception {
    CompletionStage<Done> closed = runAndClose(List.of(new Outbound.Text("a"), new Outbound.Text("b"),
        new Outbound.Text("error")));
    // Nothing is read beyond what the reader asked for at the start; the stream still ends.
    closed.toCompletableFuture().get(OutboundBuffer.CLOSE_GRACE.toSeconds() + 30, TimeUnit.SECONDS);
  }

  @Test
  void aClosingSocketStillWritesWhatMustArriveAndDropsTheRelays() throws Exception {
    SinkQueueWithCancel<Outbound> reader = Source.from(List.<Outbound>of(new Outbound.Text("roster"),
            new Outbound.Droppable("peer"), new Outbound.Text("removed")))
        .via(new OutboundBuffer(SETTINGS, new SignalingCounters()))
        .toMat(Sink.<Outbound>queue().addAttributes(Attributes.inputBuffer(1, 1)), Keep.right())
        .run(KIT.system());
    List<String> read = new ArrayList<>();
    for (Optional<Outbound> m = pull(reader); m.isPresent(); m = pull(reader)) {
      read.add(text(m.get()));
    }
    assertEquals(List.of("roster", "removed"), read);
  }

  @Test
  void aReaderThatLetsStateMessagesPileUpOverTheBoundIsGivenUp() {
    List<Outbound> state = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      state.add(new Outbound.Text("roster" + i));
    }
    var stream = Source.from(state).concat(Source.never())
        .via(new OutboundBuffer(SETTINGS, new SignalingCounters()))
        .watchTermination(Keep.right())
        .toMat(Sink.<Outbound>queue().addAttributes(Attributes.inputBuffer(1, 1)), Keep.left())
        .run(KIT.system());
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> stream.toCompletableFuture().get(30, TimeUnit.SECONDS));
    assertInstanceOf(OutboundBuffer.Overflow.class, e.getCause());
  }
}
