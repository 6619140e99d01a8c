package uk.co.lchat.room;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;

import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;

import uk.co.lchat.room.RoomProtocol.Command;
import uk.co.lchat.room.RoomProtocol.ReplicaRead;
import uk.co.lchat.room.RoomProtocol.ReplicaWritten;
import uk.co.lchat.room.RoomProtocol.RoomState;

/**
 * A room's state kept, besides in its actor, in the memory of the cluster's other nodes (Pekko Distributed Data),
 * never on disk, so a room whose node crashes comes back where it was instead of empty and unprotected.
 *
 * <p>Rooms are spread over {@link #BUCKETS} replicated maps by name rather than one key each: Distributed Data never
 * lets a deleted key be used again, and a room name ("standup") is used again and again. A room's entry is removed
 * from its map when the meeting ends. What decides who gets in (passcode, lobby, roles, removals) is written to a
 * majority of nodes as soon as it changes; everything else at most once per {@code lchat.room.replication.interval},
 * also to a majority. The room never waits for a write, so a crash loses at most the last interval's changes.
 */
public final class RoomReplica {
  static final int BUCKETS = 64;

  /** The replication settings ({@code lchat.room.replication}). */
  public record Settings(boolean enabled, Duration interval, Duration timeout) {
    /** Participants per interval: rooms of fewer than twice this write once per interval at most. */
    static final int PARTICIPANTS_PER_INTERVAL = 100;

    /**
     * How long a room of {@code participants} waits between routine writes: each write carries everyone, so a
     * larger room writes less often (interval × participants / 100: 2.5 s at 1000, where a write every 250 ms while
     * the room filled was the largest part of its node's remoting). Changes to who may get in are written at once
     * whatever the size.
     */
    Duration intervalFor(int participants) {
      return interval.multipliedBy(Math.max(1, participants / PARTICIPANTS_PER_INTERVAL));
    }
  }

  private final String roomId;
  private final Key<LWWMap<String, RoomState>> key;
  private final ReplicatorMessageAdapter<Command, LWWMap<String, RoomState>> replicator;
  private final SelfUniqueAddress self;
  private final Settings settings;
  private RoomState written;

  RoomReplica(String roomId, ReplicatorMessageAdapter<Command, LWWMap<String, RoomState>> replicator,
              SelfUniqueAddress self, Settings settings) {
    this.roomId = roomId;
    this.key = key(roomId);
    this.replicator = replicator;
    this.self = self;
    this.settings = settings;
  }

  /** The replicated map that holds {@code roomId}'s state, under its name. */
  public static Key<LWWMap<String, RoomState>> key(String roomId) {
    return LWWMapKey.create("lchat-rooms-" + Math.floorMod(roomId.hashCode(), BUCKETS));
  }



  /**
   * Every live room of the cluster with its state, by name, as a majority of nodes hold them (so within a write of
   * each room's latest changes: at most {@code interval} behind). For the server API's room list: no room actor is
   * asked, and none is woken. Fails when a majority does not answer within {@code timeout}.
   */
  public static CompletionStage<Map<String, RoomState>> liveRooms(ActorSystem<?> system, Duration timeout) {
    var replicator = DistributedData.get(system).replicator();
    List<CompletableFuture<Map<String, RoomState>>> buckets = new ArrayList<>();
    for (int i = 0; i < BUCKETS; i++) {
      Key<LWWMap<String, RoomState>> key = LWWMapKey.create("lchat-rooms-" + i);
      buckets.add(AskPattern.<Replicator.Command, Replicator.GetResponse<LWWMap<String, RoomState>>>ask(replicator,
              replyTo -> new Replicator.Get<>(key, new Replicator.ReadMajority(timeout), replyTo),
              timeout.plusSeconds(1), system.scheduler())
          .thenApply(response -> switch (response) {
            case Replicator.GetSuccess<LWWMap<String, RoomState>> found -> found.get(key).getEntries();
            case Replicator.NotFound<LWWMap<String, RoomState>> none -> Map.<String, RoomState>of();
            default -> throw new IllegalStateException("a majority of nodes did not answer for " + key.id());
          })
          .toCompletableFuture());
    }
    return CompletableFuture.allOf(buckets.toArray(CompletableFuture[]::new)).thenApply(done -> {
      Map<String, RoomState> rooms = new TreeMap<>();
      for (CompletableFuture<Map<String, RoomState>> bucket : buckets) {
        bucket.join().forEach((name, state) -> {
          if (holdsAMeeting(state)) {
            rooms.put(name, state);
          }
        });
      }
      return rooms;
    });
  }

  Duration interval() {
    return settings.interval();
  }

  Duration intervalFor(int participants) {
    return settings.intervalFor(participants);
  }

  /**
   * Reads the room's state from a majority of nodes, answered as {@link ReplicaRead}: the state, none (a new room),
   * or a failure (a majority did not answer: the room must not guess).
   */
  void read() {
    replicator.askGet(
        replyTo -> new Replicator.Get<>(key, new Replicator.ReadMajority(settings.timeout()), replyTo),
        response -> switch (response) {
          case Replicator.GetSuccess<LWWMap<String, RoomState>> found ->
              new ReplicaRead(found.get(key).getEntries().get(roomId), false);
          case Replicator.NotFound<LWWMap<String, RoomState>> none -> new ReplicaRead(null, false);
          default -> new ReplicaRead(null, true);
        });
  }

  /** Writes {@code state} to a majority of nodes: it changes who may get in. */
  void writeMajority(RoomState state) {
    write(state, new Replicator.WriteMajority(settings.timeout()), true);
  }

  /**
   * Writes {@code state} when it differs from what was last written, to a majority of nodes too (the room does not
   * wait for them: a crash loses at most the changes of one interval).
   */
  void writeIfChanged(RoomState state) {
    if (!Objects.equals(state, written)) {
      write(state, new Replicator.WriteMajority(settings.timeout()), false);
    }
  }

  private void write(RoomState state, Replicator.WriteConsistency consistency, boolean majority) {
    written = state;
    replicator.askUpdate(
        replyTo -> new Replicator.Update<>(key, LWWMap.create(), consistency, replyTo,
            map -> map.put(self, roomId, state)),
        response -> new ReplicaWritten(majority, response instanceof Replicator.UpdateSuccess));
  }

  /** The meeting has ended: its state is forgotten everywhere. */
  void remove() {
    written = null;
    replicator.askUpdate(
        replyTo -> new Replicator.Update<>(key, LWWMap.create(), new Replicator.WriteMajority(settings.timeout()),
            replyTo, map -> map.remove(self, roomId)),
        response -> new ReplicaWritten(true, response instanceof Replicator.UpdateSuccess));
  }

  /**
   * For a state read back: what an empty room would hold is no room at all, unless the server API created it and
   * it still waits for its first participant.
   */
  public static boolean holdsAMeeting(RoomState s) {
    return s != null && !(s.participants().isEmpty() && s.lobby().isEmpty()
        && s.reservedUntilMillis() <= System.currentTimeMillis());
  }
}
