package uk.co.lchat.egress;

import java.util.List;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

import uk.co.lchat.room.RoomProtocol.Outcome;

/**
 * What nodes ask one another's egress ({@link EgressNode}): an egress runs on any node that records, whichever node
 * the request reached, and its status and files are found from every node. Every message crosses nodes.
 */
public final class EgressProtocol {
  private EgressProtocol() {}

  /** Each node that records registers its {@link EgressNode} under this key. */
  public static final ServiceKey<Command> SERVICE_KEY = ServiceKey.create(Command.class, "lchat-egress");

  /** The largest piece of a file one {@link Chunk} carries: well inside Artery's 256 KiB frame. */
  public static final int CHUNK_BYTES = 128 * 1024;

  public sealed interface Command {}

  /** Every answer (one interface, so the serializer binds them all at once). */
  public sealed interface Reply {}

  /** How busy this node's egress is, for placing a new one: answered with {@link Capacity}. */
  public record Offer(ActorRef<Capacity> replyTo) implements Command {}

  /**
   * {@code running}: egresses starting or active here; {@code draining}: the node is leaving and takes none;
   * {@code refusal}: why it cannot take one now (e.g. its disk is nearly full), or null.
   */
  public record Capacity(ActorRef<Command> node, int running, boolean draining, String refusal) implements Reply {}

  /** Start an egress here, as {@link EgressService#start} does; answered with {@link Started}. */
  public record Start(EgressRequest request, String roomId, String by, String replaces, ActorRef<Started> replyTo)
      implements Command {}

  /** The outcome of a start: the egress ({@code info}), or why not ({@code outcome} not DONE, with a message). */
  public record Started(EgressInfo info, Outcome outcome, String message) implements Reply {}

  /** This node's egress {@code egressId}, running or finished on its storage: answered with {@link Found}. */
  public record Find(String egressId, ActorRef<Found> replyTo) implements Command {}

  /** {@code info}: null when this node does not know the egress. */
  public record Found(EgressInfo info, ActorRef<Command> node) implements Reply {}

  /** This node's egresses of {@code roomId} (null: every room): answered with {@link Listed}. */
  public record ListHere(String roomId, ActorRef<Listed> replyTo) implements Command {}

  public record Listed(List<EgressInfo> egresses) implements Reply {}

  /**
   * Up to {@link #CHUNK_BYTES} of one of an egress's files from {@code offset}: a recorded file ({@code hls}
   * false) or a file of its HLS stream. Answered with {@link Chunk}.
   */
  public record ReadChunk(String egressId, String file, boolean hls, long offset, ActorRef<Chunk> replyTo)
      implements Command {}

  /** {@code found} false: no such file here. {@code size}: the whole file's, as it was when this piece was read. */
  public record Chunk(boolean found, long size, byte[] bytes) implements Reply {
    @Override
    public boolean equals(Object o) {
      return o instanceof Chunk c && c.found == found && c.size == size && java.util.Arrays.equals(c.bytes, bytes);
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(found, size, java.util.Arrays.hashCode(bytes));
    }

    @Override
    public String toString() {
      return "Chunk[found=" + found + ", size=" + size + ", " + bytes.length + " bytes]";
    }
  }
}
