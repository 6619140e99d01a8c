package uk.co.lchat.node.presentation;

import java.time.Duration;
import java.util.Map;

import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

import uk.co.lchat.room.RoomActor;
import uk.co.lchat.room.RoomProtocol.CheckDocument;
import uk.co.lchat.room.RoomProtocol.DocumentDropped;

/**
 * Every {@code interval}, asks the room of each document this node has held for that long whether it still presents
 * it ({@link CheckDocument}); a room that does not tells the holder to drop it. The room's own word when it stops
 * presenting is one remote message, and it never comes from a room whose node crashed and whose members all left
 * before it came back: without asking again, such a document would stay in this node's memory for good. A room
 * asked this way that no longer exists starts empty, answers, and ends again.
 */
final class DocumentSweep {
  private final ClusterSharding sharding;
  private final PresentationStore store;
  private final ActorRef<DocumentDropped> holder;
  private final Duration interval;

  DocumentSweep(ClusterSharding sharding, PresentationStore store, ActorRef<DocumentDropped> holder,
                Duration interval) {
    this.sharding = sharding;
    this.store = store;
    this.holder = holder;
    this.interval = interval;
  }

  Cancellable start(ActorSystem<?> system) {
    return system.scheduler().scheduleWithFixedDelay(interval, interval, this::sweep, system.executionContext());
  }

  /**
   * Only documents held for a whole interval are asked about: a younger one may still be on its way to its room in
   * the {@code StartPresentation} that presents it.
   */
  void sweep() {
    for (Map.Entry<String, PresentationStore.Document> e : store.heldFor(interval).entrySet()) {
      sharding.entityRefFor(RoomActor.ENTITY_KEY, e.getValue().roomId()).tell(new CheckDocument(e.getKey(), holder));
    }
  }
}
