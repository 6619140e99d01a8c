package uk.co.lchat.loadtest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * One simulated participant of a run, whichever server it talks to (lchat's signaling, or Janus's VideoRoom for
 * the side-by-side comparison): the run's media clock makes it send, and the report tick makes it count what it
 * should have received and did not.
 */
interface LoadParticipant extends AutoCloseable {
  /** 20 ms of audio, if it publishes audio. */
  void sendAudio(boolean talking) throws IOException;

  /** One video frame, if it publishes video. */
  void sendVideoFrame() throws IOException;

  /** What it sends now, for the receivers' {@link Publishers}. */
  Publishers.Publisher publishing();

  /** Counts what it should have received by {@code now} and did not (see {@link Reception}). */
  void countMissing(long now, Publishers publishers);

  @Override
  void close();

  /** The report tick for a whole run: every receiver counts what it should have got and did not. */
  static void countMissing(Collection<? extends LoadParticipant> everyone) {
    List<Publishers.Publisher> now = new ArrayList<>();
    for (LoadParticipant p : everyone) {
      now.add(p.publishing());
    }
    Publishers publishers = Publishers.of(now);
    long at = System.nanoTime();
    for (LoadParticipant p : everyone) {
      p.countMissing(at, publishers);
    }
  }
}
