package uk.co.lchat.egress;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.function.Function;

import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

import uk.co.lchat.egress.EgressProtocol.Capacity;
import uk.co.lchat.egress.EgressProtocol.Chunk;
import uk.co.lchat.egress.EgressProtocol.Command;
import uk.co.lchat.egress.EgressProtocol.Find;
import uk.co.lchat.egress.EgressProtocol.Found;
import uk.co.lchat.egress.EgressProtocol.ListHere;
import uk.co.lchat.egress.EgressProtocol.Listed;
import uk.co.lchat.egress.EgressProtocol.Offer;
import uk.co.lchat.egress.EgressProtocol.ReadChunk;
import uk.co.lchat.egress.EgressProtocol.Start;
import uk.co.lchat.egress.EgressProtocol.Started;
import uk.co.lchat.room.RoomProtocol;

/**
 * This node's egress as the cluster sees it: registered with the receptionist, it starts egresses that another
 * node placed here, answers for the egresses this node ran and serves their files piece by piece to the node a
 * client asked. Only a node that records ({@code lchat.egress.enabled}) runs one.
 */
public final class EgressNode extends AbstractBehavior<Command> {
  private final EgressService service;
  private final Function<String, RecipientRef<RoomProtocol.Command>> rooms;

  /** {@code rooms}: a room's sharded entity by its id. */
  public static Behavior<Command> create(EgressService service,
                                         Function<String, RecipientRef<RoomProtocol.Command>> rooms) {
    return Behaviors.setup(ctx -> {
      ctx.getSystem().receptionist().tell(Receptionist.register(EgressProtocol.SERVICE_KEY, ctx.getSelf()));
      return new EgressNode(ctx, service, rooms);
    });
  }

  private EgressNode(ActorContext<Command> ctx, EgressService service,
                     Function<String, RecipientRef<RoomProtocol.Command>> rooms) {
    super(ctx);
    this.service = service;
    this.rooms = rooms;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Offer.class, m -> {
          m.replyTo().tell(new Capacity(getContext().getSelf(), service.running(), service.draining(),
              service.refusal()));
          return this;
        })
        .onMessage(Start.class, this::onStart)
        .onMessage(Find.class, m -> {
          m.replyTo().tell(new Found(service.get(m.egressId()).orElse(null), getContext().getSelf()));
          return this;
        })
        .onMessage(ListHere.class, m -> {
          m.replyTo().tell(new Listed(java.util.List.copyOf(service.list(m.roomId()))));
          return this;
        })
        .onMessage(ReadChunk.class, m -> {
          m.replyTo().tell(read(m));
          return this;
        })
        .build();
  }

  private Behavior<Command> onStart(Start m) {
    service.start(m.request(), m.roomId(), rooms.apply(m.roomId()), m.by(), m.replaces())
        .whenComplete((r, e) -> m.replyTo().tell(e != null
            ? new Started(null, RoomProtocol.Outcome.INVALID, "The recording did not start: " + e.getMessage())
            : r));
    return this;
  }

  /** A piece of a file this node has; a file it does not have (or no longer) is not found. */
  private Chunk read(ReadChunk m) {
    Optional<Path> path = m.hls() ? service.hlsFile(m.egressId(), m.file())
        : service.recordings().file(m.egressId(), m.file());
    if (path.isEmpty() || m.offset() < 0) {
      return new Chunk(false, 0, new byte[0]);
    }
    try (FileChannel ch = FileChannel.open(path.get(), StandardOpenOption.READ)) {
      long size = ch.size();
      long offset = Math.min(m.offset(), size);
      ByteBuffer buf = ByteBuffer.allocate((int) Math.min(EgressProtocol.CHUNK_BYTES, size - offset));
      while (buf.hasRemaining() && ch.read(buf, offset + buf.position()) >= 0) {
        // FileChannel.read may return fewer bytes than asked; read until the piece is full or the file ends
      }
      byte[] bytes = new byte[buf.position()];
      buf.flip().get(bytes);
      return new Chunk(true, size, bytes);
    } catch (IOException e) {
      getContext().getLog().warn("egress {}: could not read {}: {}", m.egressId(), m.file(), e.getMessage());
      return new Chunk(false, 0, new byte[0]);
    }
  }
}
