package uk.co.lchat.room;

import java.time.Duration;
import java.util.Objects;

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
  public record Settings(boolean enabled, Duration interval, Duration timeout) {}

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

  Duration interval() {
    return settings.interval();
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

  /** For a state read back: what an empty room would hold is no room at all. */
  static boolean holdsAMeeting(RoomState s) {
    return s != null && !(s.participants().isEmpty() && s.lobby().isEmpty());
  }
}
